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
import type { RawElements } from '../lazy';
import { type BadElement, type IndexList, type KlJob, type KlPartial, noteIndex, pieceRange, ROW_SLOTS, Slot } from './job';
import { Kernels } from './wasm';

/** Pairs per kernel call: short enough that plain sums in the lanes lose nothing that matters. */
const BLOCK = 4096;

/** Indices of infinite terms listed per piece (the result lists at most this many overall). */
export const LISTED_PER_PIECE = 100;

export class KlPieceRunner {
  private readonly kernel: Kernels;
  private readonly wide: boolean;
  private readonly size: number;
  private readonly pOffset: number;
  private readonly qOffset: number;
  private readonly pv: Float32Array | Float64Array;
  private readonly qv: Float32Array | Float64Array;

  constructor(
    private readonly job: KlJob,
    private readonly p: RawElements,
    private readonly q: RawElements,
  ) {
    this.wide = p.dtype === 'float64';
    this.size = this.wide ? 8 : 4;
    const bytes = job.chunkElements * this.size;
    this.kernel = new Kernels([bytes, bytes]);
    [this.pOffset, this.qOffset] = this.kernel.offsets as [number, number];
    const view = (offset: number): Float32Array | Float64Array => (this.wide ? this.kernel.float64(offset, job.chunkElements) : this.kernel.float32(offset, job.chunkElements));
    this.pv = view(this.pOffset);
    this.qv = view(this.qOffset);
  }

  run(piece: number): KlPartial {
    const { from, to } = pieceRange(this.job, piece);
    const n = this.job.n;
    const firstRow = Math.floor(from / n);
    const rowCount = Math.floor((to - 1) / n) - firstRow + 1;
    const rows = new Float64Array(rowCount * ROW_SLOTS);
    const forward: IndexList = { count: 0, indices: [] };
    const reverse: IndexList = { count: 0, indices: [] };
    const { kernel, size, wide, pOffset, qOffset, pv, qv } = this;
    const sums = [new CompensatedSum(), new CompensatedSum(), new CompensatedSum(), new CompensatedSum()];
    const entropy = this.job.kind === 'ce';
    let plogp = new CompensatedSum();
    let row = firstRow;
    let counts = [0, 0];
    const closeRow = (): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      sums.forEach((s, k) => (rows[base + k] = s.value()));
      rows[base + Slot.Forward] = counts[0]!;
      rows[base + Slot.Reverse] = counts[1]!;
      if (entropy) rows[base + Slot.PLogP] = plogp.value();
      sums.forEach((_, k) => (sums[k] = new CompensatedSum()));
      plogp = new CompensatedSum();
      counts = [0, 0];
    };

    for (let start = from; start < to; start += this.job.chunkElements) {
      const count = Math.min(this.job.chunkElements, to - start);
      this.p.read(start, count, kernel.bytes(pOffset, count * size));
      this.q.read(start, count, kernel.bytes(qOffset, count * size));
      let i = 0;
      while (i < count) {
        if (start + i === (row + 1) * n) {
          closeRow();
          row++;
        }
        const segmentEnd = Math.min(count, (row + 1) * n - start);
        while (i < segmentEnd) {
          const m = Math.min(BLOCK, segmentEnd - i);
          const took = kernel.klBlock(pOffset + i * size, qOffset + i * size, m, wide);
          if (took > 0) {
            const lanes = kernel.sums();
            for (let k = 0; k < 4; k++) sums[k]!.add(lanes[2 * k]! + lanes[2 * k + 1]!);
            // Every p the KL loop took is > 0 and finite, so xlogxSums needs no checks.
            if (entropy) xlogxSums(kernel, pOffset, pv, i, i + took, wide, plogp);
          }
          i += took;
          if (took === m) continue;
          // The group of four the loop stopped at (or the last one to three), one element at a time.
          const stop = Math.min(i + 4, segmentEnd);
          for (; i < stop; i++) {
            const x = pv[i]!;
            const y = qv[i]!;
            const at = start + i;
            const bad = badElement(x, 0, at) ?? badElement(y, 1, at);
            if (bad) {
              closeRow();
              return { piece, firstRow, rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), forward, reverse, bad };
            }
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
        }
      }
    }
    closeRow();
    return { piece, firstRow, rows, forward, reverse };
  }
}

/**
 * Adds Σx·log x over elements [from, to) of a region (all of them > 0 and finite) into `into`: the
 * vector loop where it can, Math.log for the groups of four it leaves (subnormal doubles).
 */
export function xlogxSums(kernel: Kernels, offset: number, view: Float32Array | Float64Array, from: number, to: number, wide: boolean, into: CompensatedSum): void {
  const size = wide ? 8 : 4;
  let i = from;
  while (i < to) {
    const took = kernel.xlogxBlock(offset + i * size, to - i, wide);
    if (took > 0) {
      const lanes = kernel.sums();
      into.add(lanes[2]! + lanes[3]!);
    }
    i += took;
    const stop = Math.min(i + 4, to);
    for (; i < stop; i++) into.add(view[i]! * Math.log(view[i]!));
  }
}

/** An element that is not a probability (NaN, negative, +∞), as checkProbabilities refuses it. */
export function badElement(x: number, operand: 0 | 1, index: number): BadElement | undefined {
  return x >= 0 && x < Infinity ? undefined : { operand, index, value: x };
}
