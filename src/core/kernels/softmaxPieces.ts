/**
 * Runs pieces of KL(softmax(a/T) ‖ softmax(b/T)) straight from the logits, row by row, without
 * materializing either softmax: for each row the maxima, then e = exp(x/T − max) and its sum S,
 * then p = e_a/S_a, q = e_b/S_b and log(p/q) = (a − b)/T − (lse_a − lse_b) in the log domain.
 *
 * ## Method
 * Per row: rangeBlock (is every logit finite, and the maximum), expBlock for each operand (two
 * exponentials per pair; Math.exp where the loop stops), softmaxKlBlock for the sums; no logarithm
 * per element. The returned row sums (Σp, Σq, Σp·d, Σq·d) are the
 * ones KlPieceRunner returns, so both paths finish alike; p = 0 or q = 0 after underflow is
 * counted exactly as the reference path counts it (the term is 0, or the divergence infinite).
 * A non-finite logit sends the whole evaluation back to the reference path, which words the error.
 */
import { CompensatedSum } from '../numeric/sum';
import type { RawElements } from '../lazy';
import { type IndexList, type KlJob, type KlPartial, noteIndex, pieceRange, ROW_SLOTS, Slot } from './job';
import { LISTED_PER_PIECE } from './klPieces';
import { addLanePairs, blockLoop } from './pieces';
import { Kernels } from './wasm';

/** Exponentials are summed plainly in runs this long, then with compensation. */
const RUN = 1024;

export class SoftmaxPieceRunner {
  private readonly kernels: Kernels;
  private readonly wide: boolean;
  private readonly size: number;
  private readonly rowsPerRead: number;
  private readonly bytes: [Uint8Array, Uint8Array];
  private readonly values: [Float32Array | Float64Array, Float32Array | Float64Array];
  private readonly exps: [Float64Array, Float64Array];
  private readonly offsets: readonly number[];

  constructor(
    private readonly job: KlJob,
    private readonly a: RawElements,
    private readonly b: RawElements,
  ) {
    this.wide = a.dtype === 'float64';
    this.size = this.wide ? 8 : 4;
    this.rowsPerRead = Math.max(1, Math.floor(job.chunkElements / job.n));
    const elements = this.rowsPerRead * job.n;
    // Regions: the two operands' logits as stored, then e_a and e_b of one row as float64.
    this.kernels = new Kernels([elements * this.size, elements * this.size, job.n * 8, job.n * 8]);
    const k = this.kernels;
    this.offsets = k.offsets;
    const [oa, ob, oea, oeb] = k.offsets as [number, number, number, number];
    this.bytes = [k.bytes(oa, elements * this.size), k.bytes(ob, elements * this.size)];
    this.values = this.wide ? [k.float64(oa, elements), k.float64(ob, elements)] : [k.float32(oa, elements), k.float32(ob, elements)];
    this.exps = [k.float64(oea, job.n), k.float64(oeb, job.n)];
  }

  run(piece: number): KlPartial {
    const { from, to } = pieceRange(this.job, piece);
    const n = this.job.n;
    const firstRow = from / n;
    const rowCount = (to - from) / n;
    const rows = new Float64Array(rowCount * ROW_SLOTS);
    const forward: IndexList = { count: 0, indices: [] };
    const reverse: IndexList = { count: 0, indices: [] };
    const inv = 1 / this.job.temperature;
    const [ea, eb] = this.exps;
    const k = this.kernels;
    const size = this.size;
    for (let r0 = 0; r0 < rowCount; r0 += this.rowsPerRead) {
      const count = Math.min(this.rowsPerRead, rowCount - r0);
      const start = from + r0 * n;
      this.a.read(start, count * n, this.bytes[0].subarray(0, count * n * this.size));
      this.b.read(start, count * n, this.bytes[1].subarray(0, count * n * this.size));
      const [xa, xb] = this.values;
      for (let r = 0; r < count; r++) {
        const lo = r * n;
        const lseA = this.expRow(0, lo, inv);
        const lseB = this.expRow(1, lo, inv);
        if (lseA === undefined || lseB === undefined) return { piece, firstRow, rows, forward, reverse, fallback: true };
        const ia = 1 / lseA.sum;
        const ib = 1 / lseB.sum;
        const shift = lseA.lse - lseB.lse;
        const sums = [new CompensatedSum(), new CompensatedSum(), new CompensatedSum(), new CompensatedSum()];
        const lanes = k.sums();
        const [oa, ob, oea, oeb] = this.offsets as [number, number, number, number];
        let fwd = 0;
        let rev = 0;
        const block = (i: number, m: number): number => {
          const took = k.softmaxKlBlock(oa + (lo + i) * size, ob + (lo + i) * size, oea + i * 8, oeb + i * 8, m, this.wide, inv, shift, ia, ib);
          addLanePairs(lanes, sums);
          return took;
        };
        // The pair where a softmax underflowed to 0 (or the odd last element), as relEntr would.
        const rest = (i: number, stop: number): undefined => {
          for (; i < stop; i++) {
            const p = ea[i]! * ia;
            const q = eb[i]! * ib;
            sums[Slot.SumP]!.add(p);
            sums[Slot.SumQ]!.add(q);
            if (p > 0 && q > 0) {
              const d = (xa[lo + i]! - xb[lo + i]!) * inv - shift;
              sums[Slot.PD]!.add(p * d);
              sums[Slot.QD]!.add(q * d);
            } else if (p > 0) {
              fwd++;
              noteIndex(forward, start + lo + i, LISTED_PER_PIECE);
            } else if (q > 0) {
              rev++;
              noteIndex(reverse, start + lo + i, LISTED_PER_PIECE);
            }
          }
        };
        blockLoop(0, n, RUN, 2, block, rest);
        const base = (r0 + r) * ROW_SLOTS;
        rows[base + Slot.SumP] = sums[0]!.value();
        rows[base + Slot.SumQ] = sums[1]!.value();
        rows[base + Slot.PD] = sums[2]!.value();
        rows[base + Slot.QD] = sums[3]!.value();
        rows[base + Slot.Forward] = fwd;
        rows[base + Slot.Reverse] = rev;
      }
    }
    return { piece, firstRow, rows, forward, reverse };
  }

  /**
   * e[i] = exp(x[lo + i]/T − max) for one row of operand `which`, with Σe and log-sum-exp;
   * undefined when a logit is not finite (the reference path then says which and where).
   */
  private expRow(which: 0 | 1, lo: number, inv: number): { sum: number; lse: number } | undefined {
    const x = this.values[which];
    const e = this.exps[which];
    const n = this.job.n;
    const k = this.kernels;
    const lanes = k.sums();
    k.rangeBlock(this.offsets[which]! + lo * this.size, n, this.wide);
    let min = Math.min(lanes[0]!, lanes[1]!);
    let max = Math.max(lanes[2]!, lanes[3]!);
    if (n % 2 === 1) {
      min = Math.min(min, x[lo + n - 1]!);
      max = Math.max(max, x[lo + n - 1]!);
    }
    // NaN propagates through min and max, so this refuses NaN and ±∞ alike.
    if (!(min > -Infinity && max < Infinity)) return undefined;
    const m = max * inv;
    const from = this.offsets[which]! + lo * this.size;
    const out = this.offsets[2 + which]!;
    const total = new CompensatedSum();
    blockLoop(
      0,
      n,
      RUN,
      4,
      (i, count) => {
        const took = k.expBlock(from + i * this.size, count, this.wide, inv, m, out + i * 8);
        total.add(lanes[0]! + lanes[1]!);
        return took;
      },
      // The group of four the loop stopped at (a result below the normal range) or the last few.
      (i, stop) => {
        for (; i < stop; i++) {
          const v = Math.exp(x[lo + i]! * inv - m);
          e[i] = v;
          total.add(v);
        }
        return undefined;
      },
    );
    const sum = total.value();
    return { sum, lse: m + Math.log(sum) };
  }
}
