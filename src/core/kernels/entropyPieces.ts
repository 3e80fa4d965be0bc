/**
 * Runs pieces of an entropy pass over one operand stored as float32 or float64: the bytes are
 * read straight into the kernel's memory and the x·log x loop takes every value it can; the values
 * it leaves (zeros, subnormal doubles, NaN, negatives, +∞, the last one to three) are taken one at
 * a time with 0·log 0 = 0 and the checks of checkProbabilities.
 *
 * ## Method
 * One pass gives S = Σp and Σp·log p for each row; the entropy of the normalized row is then
 * H(p̂) = −Σ (p/S)·log(p/S) = log S − Σp·log p / S (divergence/stream.ts does that step).
 */
import { CompensatedSum } from '../numeric/sum';
import { type BadElement, type KlPartial, ROW_SLOTS, Slot } from './job';
import { addLanePairs, badElement, pieceRows, RegionPieceRunner } from './pieces';

export class EntropyPieceRunner extends RegionPieceRunner {
  run(piece: number): KlPartial {
    const { from, to, firstRow, rows } = pieceRows(this.job, piece);
    const empty = { count: 0, indices: [] };
    const { kernel, size, wide } = this.regions;
    const offset = this.regions.offsets[0]!;
    const view = this.regions.views[0]!;
    // Σp and Σp·log p of the current row.
    const sums = [new CompensatedSum(), new CompensatedSum()];
    const closeRow = (row: number): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      rows[base + Slot.SumP] = sums[0]!.value();
      rows[base + Slot.PLogP] = sums[1]!.value();
      sums[0] = new CompensatedSum();
      sums[1] = new CompensatedSum();
    };
    const block = (i: number, m: number): number => {
      const took = kernel.xlogxBlock(offset + i * size, m, wide);
      if (took > 0) addLanePairs(kernel.sums(), sums);
      return took;
    };
    const rest = (first: number, stop: number, start: number): BadElement | undefined => {
      for (let i = first; i < stop; i++) {
        const x = view[i]!;
        const bad = badElement(x, 0, start + i);
        if (bad) return bad;
        sums[0]!.add(x);
        if (x > 0) sums[1]!.add(x * Math.log(x));
      }
      return undefined;
    };

    const { row, bad } = this.regions.walkBlocks(this.job.n, from, to, 4, block, rest, closeRow);
    closeRow(row);
    if (bad) return { piece, firstRow, rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), forward: empty, reverse: empty, bad };
    return { piece, firstRow, rows, forward: empty, reverse: empty };
  }
}
