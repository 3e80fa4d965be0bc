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
import type { RawElements } from '../lazy';
import { type KlJob, type KlPartial, pieceRange, ROW_SLOTS, Slot } from './job';
import { badElement } from './klPieces';
import { Kernels } from './wasm';

/** Values per kernel call, as in klPieces.ts. */
const BLOCK = 4096;

export class EntropyPieceRunner {
  private readonly kernel: Kernels;
  private readonly wide: boolean;
  private readonly size: number;
  private readonly offset: number;
  private readonly view: Float32Array | Float64Array;

  constructor(
    private readonly job: KlJob,
    private readonly p: RawElements,
  ) {
    this.wide = p.dtype === 'float64';
    this.size = this.wide ? 8 : 4;
    this.kernel = new Kernels([job.chunkElements * this.size]);
    this.offset = this.kernel.offsets[0]!;
    this.view = this.wide ? this.kernel.float64(this.offset, job.chunkElements) : this.kernel.float32(this.offset, job.chunkElements);
  }

  run(piece: number): KlPartial {
    const { from, to } = pieceRange(this.job, piece);
    const n = this.job.n;
    const firstRow = Math.floor(from / n);
    const rowCount = Math.floor((to - 1) / n) - firstRow + 1;
    const rows = new Float64Array(rowCount * ROW_SLOTS);
    const empty = { count: 0, indices: [] };
    const { kernel, size, wide, offset, view } = this;
    let sum = new CompensatedSum();
    let plogp = new CompensatedSum();
    let row = firstRow;
    const closeRow = (): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      rows[base + Slot.SumP] = sum.value();
      rows[base + Slot.PLogP] = plogp.value();
      sum = new CompensatedSum();
      plogp = new CompensatedSum();
    };

    for (let start = from; start < to; start += this.job.chunkElements) {
      const count = Math.min(this.job.chunkElements, to - start);
      this.p.read(start, count, kernel.bytes(offset, count * size));
      let i = 0;
      while (i < count) {
        if (start + i === (row + 1) * n) {
          closeRow();
          row++;
        }
        const segmentEnd = Math.min(count, (row + 1) * n - start);
        while (i < segmentEnd) {
          const m = Math.min(BLOCK, segmentEnd - i);
          const took = kernel.xlogxBlock(offset + i * size, m, wide);
          if (took > 0) {
            const lanes = kernel.sums();
            sum.add(lanes[0]! + lanes[1]!);
            plogp.add(lanes[2]! + lanes[3]!);
          }
          i += took;
          if (took === m) continue;
          const stop = Math.min(i + 4, segmentEnd);
          for (; i < stop; i++) {
            const x = view[i]!;
            const bad = badElement(x, 0, start + i);
            if (bad) {
              closeRow();
              return { piece, firstRow, rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), forward: empty, reverse: empty, bad };
            }
            sum.add(x);
            if (x > 0) plogp.add(x * Math.log(x));
          }
        }
      }
    }
    closeRow();
    return { piece, firstRow, rows, forward: empty, reverse: empty };
  }
}
