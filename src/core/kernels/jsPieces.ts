/**
 * Runs pieces of the two passes of Jensen–Shannon over operands stored as float32 or float64:
 * 'sums' adds up each row of p and q (and finds the first element that is not a probability),
 * 'js' then sums a·log(a/m) and b·log(b/m) with a = p/Σp, b = q/Σq, m = (a + b)/2. The vector
 * loops take what they can; the rest is taken one element at a time with relEntr's conventions.
 *
 * ## Method
 * m depends on both normalized values, so the sums must be known before any term: unlike KL there
 * is no one-pass identity. JS(p̂, q̂) = ½KL(p̂‖m) + ½KL(q̂‖m) (divergence/js.ts), each term finite.
 */
import { CompensatedSum } from '../numeric/sum';
import { relEntr } from '../numeric/xlogy';
import type { RawElements } from '../lazy';
import { type BadElement, type KlJob, type KlPartial, pieceRange, ROW_SLOTS, Slot } from './job';
import { badElement } from './klPieces';
import { Kernels } from './wasm';

/** Pairs per kernel call, as in klPieces.ts. */
const BLOCK = 4096;

export class JsPieceRunner {
  private readonly kernel: Kernels;
  private readonly wide: boolean;
  private readonly size: number;
  private readonly offsets: readonly [number, number];
  private readonly views: readonly [Float32Array | Float64Array, Float32Array | Float64Array];

  constructor(
    private readonly job: KlJob,
    private readonly p: RawElements,
    private readonly q: RawElements,
  ) {
    this.wide = p.dtype === 'float64';
    this.size = this.wide ? 8 : 4;
    const bytes = job.chunkElements * this.size;
    this.kernel = new Kernels([bytes, bytes]);
    this.offsets = this.kernel.offsets as [number, number];
    const view = (offset: number): Float32Array | Float64Array => (this.wide ? this.kernel.float64(offset, job.chunkElements) : this.kernel.float32(offset, job.chunkElements));
    this.views = [view(this.offsets[0]), view(this.offsets[1])];
  }

  run(piece: number): KlPartial {
    const { from, to } = pieceRange(this.job, piece);
    const n = this.job.n;
    const firstRow = Math.floor(from / n);
    const rowCount = Math.floor((to - 1) / n) - firstRow + 1;
    const rows = new Float64Array(rowCount * ROW_SLOTS);
    const { kernel, size, wide, offsets, views } = this;
    const terms = this.job.kind === 'js';
    // 'sums': Σp, Σq; 'js': Σa·log(a/m), Σb·log(b/m).
    let sums = [new CompensatedSum(), new CompensatedSum()];
    let row = firstRow;
    const slots = terms ? [Slot.PD, Slot.QD] : [Slot.SumP, Slot.SumQ];
    const closeRow = (): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      sums.forEach((s, k) => (rows[base + slots[k]!] = s.value()));
      sums = [new CompensatedSum(), new CompensatedSum()];
    };
    const partial = (rest: Partial<KlPartial> = {}): KlPartial => ({ piece, firstRow, rows, forward: { count: 0, indices: [] }, reverse: { count: 0, indices: [] }, ...rest });

    for (let start = from; start < to; start += this.job.chunkElements) {
      const count = Math.min(this.job.chunkElements, to - start);
      this.p.read(start, count, kernel.bytes(offsets[0], count * size));
      this.q.read(start, count, kernel.bytes(offsets[1], count * size));
      let i = 0;
      while (i < count) {
        if (start + i === (row + 1) * n) {
          closeRow();
          row++;
        }
        const segmentEnd = Math.min(count, (row + 1) * n - start);
        if (terms) {
          const ia = this.job.scales![2 * row]!;
          const ib = this.job.scales![2 * row + 1]!;
          while (i < segmentEnd) {
            const m = Math.min(BLOCK, segmentEnd - i);
            const took = kernel.jsBlock(offsets[0] + i * size, offsets[1] + i * size, m, wide, ia, ib);
            if (took > 0) {
              const lanes = kernel.sums();
              sums[0]!.add(lanes[0]! + lanes[1]!);
              sums[1]!.add(lanes[2]! + lanes[3]!);
            }
            i += took;
            if (took === m) continue;
            // The pair the loop stopped at (or the last one), with 0·log 0 = 0. The first pass checked
            // every element; one that is bad now means the file changed in between.
            const stop = Math.min(i + 2, segmentEnd);
            for (; i < stop; i++) {
              const bad = badElement(views[0][i]!, 0, start + i) ?? badElement(views[1][i]!, 1, start + i);
              if (bad) return partial({ bad });
              const a = views[0][i]! * ia;
              const b = views[1][i]! * ib;
              const mid = 0.5 * (a + b);
              sums[0]!.add(relEntr(a, mid));
              sums[1]!.add(relEntr(b, mid));
            }
          }
          continue;
        }
        // p first, then q up to p's bad element if any: the first in the tensor, P's at a tie (as klPieces.ts).
        const badP = this.sum(0, i, segmentEnd, start, sums[0]!);
        const bad = this.sum(1, i, badP ? badP.index - start : segmentEnd, start, sums[1]!) ?? badP;
        if (bad) {
          closeRow();
          return partial({ rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), bad });
        }
        i = segmentEnd;
      }
    }
    closeRow();
    return partial();
  }

  /** Adds elements [from, to) of operand k into `into`, up to the first that is not a probability. */
  private sum(k: 0 | 1, from: number, to: number, start: number, into: CompensatedSum): BadElement | undefined {
    const { kernel, size, wide } = this;
    const view = this.views[k];
    for (let j = from; j < to; ) {
      const m = Math.min(BLOCK, to - j);
      const took = kernel.sumBlock(this.offsets[k] + j * size, m, wide);
      if (took > 0) into.add(kernel.sums()[0]! + kernel.sums()[1]!);
      j += took;
      if (took === m) continue;
      const stop = Math.min(j + 4, to);
      for (; j < stop; j++) {
        const bad = badElement(view[j]!, k, start + j);
        if (bad) return bad;
        into.add(view[j]!);
      }
    }
    return undefined;
  }
}
