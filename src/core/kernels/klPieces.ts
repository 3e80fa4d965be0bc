/**
 * Runs pieces of a KL pass over two operands stored as float32 or float64: the bytes are read
 * straight into the kernel's memory and the vector loop takes every pair it can; the pairs it
 * leaves (zeros, NaN, negatives, a ratio out of the normal range, the last one to three) go through
 * the exact element-by-element conventions of relEntr and checkProbabilities.
 *
 * ## Method
 * One pass gives Σp, Σq, A = Σp·log(p/q) and B = Σq·log(p/q) for each row; then for the normalized
 * distributions KL(p̂‖q̂) = A/Σp + log(Σq/Σp) and KL(q̂‖p̂) = −B/Σq + log(Σp/Σq). The vector loop
 * sums blocks of BLOCK pairs in its lanes; block sums are added with compensation. A
 * cross-entropy job ('ce') also sums p·log p over the same block while it is in cache
 * (xlogxSums), for H(p̂) = log Σp − Σp·log p / Σp.
 */
import { CompensatedSum } from '../numeric/sum';
import { logRatio } from '../numeric/xlogy';
import { type BadElement, type IndexList, type KlPartial, noteIndex, ROW_SLOTS, Slot } from './job';
import { addLanePairs, badElement, blockLoop, pieceRows, RegionPieceRunner } from './pieces';
import type { Kernels } from './wasm';

/** Indices of infinite terms listed per piece (the result lists at most this many overall). */
export const LISTED_PER_PIECE = 100;

export class KlPieceRunner extends RegionPieceRunner {
  run(piece: number): KlPartial {
    const { from, to, firstRow, rows } = pieceRows(this.job, piece);
    const forward: IndexList = { count: 0, indices: [] };
    const reverse: IndexList = { count: 0, indices: [] };
    const { kernel, size, wide, offsets, views } = this.regions;
    const [pOffset, qOffset] = offsets as [number, number];
    const [pv, qv] = views as [Float32Array | Float64Array, Float32Array | Float64Array];
    const sums = [new CompensatedSum(), new CompensatedSum(), new CompensatedSum(), new CompensatedSum()];
    const entropy = this.job.kind === 'ce';
    let plogp = new CompensatedSum();
    let counts = [0, 0];
    const closeRow = (row: number): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      sums.forEach((s, k) => (rows[base + k] = s.value()));
      rows[base + Slot.Forward] = counts[0]!;
      rows[base + Slot.Reverse] = counts[1]!;
      if (entropy) rows[base + Slot.PLogP] = plogp.value();
      sums.forEach((_, k) => (sums[k] = new CompensatedSum()));
      plogp = new CompensatedSum();
      counts = [0, 0];
    };
    const block = (i: number, m: number): number => {
      const took = kernel.klBlock(pOffset + i * size, qOffset + i * size, m, wide);
      if (took > 0) {
        addLanePairs(kernel.sums(), sums);
        // Every p the KL loop took is > 0 and finite, so xlogxSums needs no checks.
        if (entropy) xlogxSums(kernel, pOffset, pv, i, i + took, wide, plogp);
      }
      return took;
    };
    // The group of four the loop stopped at (or the last one to three), one element at a time.
    const rest = (first: number, stop: number, start: number): BadElement | undefined => {
      for (let i = first; i < stop; i++) {
        const x = pv[i]!;
        const y = qv[i]!;
        const at = start + i;
        const bad = badElement(x, 0, at) ?? badElement(y, 1, at);
        if (bad) return bad;
        sums[Slot.SumP]!.add(x);
        sums[Slot.SumQ]!.add(y);
        if (entropy && x > 0) plogp.add(x * Math.log(x));
        if (x === 0) {
          if (y > 0) {
            counts[1]!++;
            noteIndex(reverse, at, LISTED_PER_PIECE);
          }
        } else if (y === 0) {
          counts[0]!++;
          noteIndex(forward, at, LISTED_PER_PIECE);
        } else {
          const d = logRatio(x, y);
          sums[Slot.PD]!.add(x * d);
          sums[Slot.QD]!.add(y * d);
        }
      }
      return undefined;
    };

    const { row, bad } = this.regions.walkBlocks(this.job.n, from, to, 4, block, rest, closeRow);
    closeRow(row);
    if (bad) return { piece, firstRow, rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), forward, reverse, bad };
    return { piece, firstRow, rows, forward, reverse };
  }
}

/**
 * Adds Σx·log x over elements [from, to) of a region (all of them > 0 and finite) into `into`: the
 * vector loop where it can, Math.log for the groups of four it leaves (subnormal doubles).
 */
export function xlogxSums(kernel: Kernels, offset: number, view: Float32Array | Float64Array, from: number, to: number, wide: boolean, into: CompensatedSum): void {
  const size = wide ? 8 : 4;
  blockLoop(
    from,
    to,
    Infinity,
    4,
    (i, m) => {
      const took = kernel.xlogxBlock(offset + i * size, m, wide);
      if (took > 0) {
        const lanes = kernel.sums();
        into.add(lanes[2]! + lanes[3]!);
      }
      return took;
    },
    (i, stop) => {
      for (; i < stop; i++) into.add(view[i]! * Math.log(view[i]!));
      return undefined;
    },
  );
}
