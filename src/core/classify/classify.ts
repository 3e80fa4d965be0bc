/**
 * What an array most likely holds, read along its last axis as the divergences read it:
 * probabilities, counts, log-probabilities or logits. One classifier for every surface — the
 * hover and Evaluate Selection (which turn an array into a distribution by it), `kl-lens inspect`
 * and the Inspect Tensor File command (which describe a file's tensors by it), and the evaluator's
 * warnings when a function is given the values another one expects.
 *
 * ## Method
 * One pass finds NaN, +∞ and the signs; then each row's sum (non-negative arrays) or log-sum-exp
 * (non-positive arrays) is compared with 1 or 0 within `rowTolerance` of the row length and of the
 * precision the values were stored in (given, or inferred from the values: see precision.ts).
 *
 * @example
 * classify({ shape: [2], data: Float64Array.of(0.5, 0.5) }).kind   // 'distribution'
 * classify({ shape: [2], data: Float64Array.of(3, 1) }).kind       // 'counts'
 * classify({ shape: [2], data: Float64Array.of(-0.2, 1.3) }).kind  // 'logits'
 */
import { logSumExp } from '../numeric/logsumexp';
import { CompensatedSum } from '../numeric/sum';
import { indexString, lastDim, type Tensor } from '../tensor';
import { rowTolerance, storagePrecision, type Precision } from './precision';

export type ValueKind =
  | 'distribution' // non-negative rows that each sum to 1
  | 'counts' // non-negative, but some row does not sum to 1: counts or weights, normalizable
  | 'log-probs' // all ≤ 0 and each row's log-sum-exp is 0
  | 'per-token log-probs' // all ≤ 0, rows not normalized: log p of sampled tokens (or shifted logits)
  | 'logits' // entries of both signs: scores that softmax turns into probabilities
  | 'invalid' // NaN or +∞ somewhere: no reading makes it a distribution
  | 'empty'; // no entries

export interface Classification {
  readonly kind: ValueKind;
  /** The sum of every entry (compensated; NaN when one is NaN). */
  readonly sum: number;
  /** The least and greatest entries that are not NaN (+∞ and −∞ when there are none). */
  readonly min: number;
  readonly max: number;
  /** For 'invalid': what rules every reading out (`NaN at index [0, 3]`). */
  readonly problem?: string;
  /** The precision the rows were judged in and the tolerance that gave for their length. */
  readonly precision: Precision;
  readonly tolerance: number;
  /** For 'counts' and 'per-token log-probs': the first row (in row-major order) that is not normalized. */
  readonly row?: number;
}

export interface ClassifyOptions {
  /** The precision the values were stored in, when known (a file's dtype); inferred otherwise. */
  readonly precision?: Precision;
}

export function classify(t: Tensor, options: ClassifyOptions = {}): Classification {
  const { data } = t;
  const n = lastDim(t);
  const precision = options.precision ?? storagePrecision(data);
  const tolerance = rowTolerance(n, precision);
  const total = new CompensatedSum();
  let min = Infinity;
  let max = -Infinity;
  let problem: string | undefined;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    total.add(x);
    if (Number.isNaN(x) || x === Infinity) {
      problem ??= `${Number.isNaN(x) ? 'NaN' : '+∞'} at index ${indexString(i, t.shape)}`;
      if (Number.isNaN(x)) continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const common = { sum: total.value(), min, max, precision, tolerance };
  if (data.length === 0 || n === 0) return { kind: 'empty', ...common };
  if (problem !== undefined) return { kind: 'invalid', ...common, problem };
  const rows = data.length / n;
  if (min >= 0) {
    for (let r = 0; r < rows; r++) {
      const s = new CompensatedSum();
      for (let i = r * n; i < (r + 1) * n; i++) s.add(data[i]!);
      if (!(Math.abs(s.value() - 1) <= tolerance)) return { kind: 'counts', ...common, row: r };
    }
    return { kind: 'distribution', ...common };
  }
  if (max <= 0) {
    for (let r = 0; r < rows; r++) {
      if (!(Math.abs(logSumExp(data, r * n, (r + 1) * n)) <= tolerance)) return { kind: 'per-token log-probs', ...common, row: r };
    }
    return { kind: 'log-probs', ...common };
  }
  return { kind: 'logits', ...common };
}

/** The KL expression that turns the array named `name` into probabilities: `p`, `exp(p)`, `softmax(p)`. */
export function asProbabilities(kind: ValueKind, name: string): string {
  if (kind === 'log-probs') return `exp(${name})`;
  // Non-positive rows that are not normalized are read as (shifted) logits: softmax normalizes them.
  if (kind === 'logits' || kind === 'per-token log-probs') return `softmax(${name})`;
  return name;
}
