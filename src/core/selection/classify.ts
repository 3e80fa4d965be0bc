/**
 * What an array of numbers most likely holds, read along its last axis as the divergences do:
 * probabilities, counts, log-probabilities or logits. It decides how an array found in code is
 * turned into a distribution (as is, `exp`, or `softmax`) before its entropy or a KL is taken.
 */
import { logSumExp } from '../numeric/logsumexp';
import { CompensatedSum } from '../numeric/sum';
import { lastDim, type Tensor } from '../tensor';

export type ArrayKind = 'distribution' | 'counts' | 'log-probs' | 'logits' | 'invalid';

export interface ArrayClass {
  readonly kind: ArrayKind;
  /** The sum of every entry (compensated). */
  readonly sum: number;
  /** For 'invalid': what rules every reading out. */
  readonly problem?: string;
}

/** How far a row's sum (or log-sum-exp) may be from 1 (or 0) and still count as normalized. */
export const SUM_TOLERANCE = 1e-6;

/**
 * @example
 * classifyArray({ shape: [2], data: Float64Array.of(0.5, 0.5) }).kind // 'distribution'
 * classifyArray({ shape: [2], data: Float64Array.of(3, 1) }).kind     // 'counts'
 * classifyArray({ shape: [2], data: Float64Array.of(-0.2, 1.3) }).kind // 'logits'
 */
export function classifyArray(t: Tensor): ArrayClass {
  const { data } = t;
  const total = new CompensatedSum();
  let nonNegative = true;
  let nonPositive = true;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (Number.isNaN(x)) return { kind: 'invalid', sum: NaN, problem: `NaN at index ${i}` };
    if (x === Infinity) return { kind: 'invalid', sum: Infinity, problem: `+∞ at index ${i}` };
    total.add(x);
    if (x < 0) nonNegative = false;
    if (x > 0) nonPositive = false;
  }
  const sum = total.value();
  const n = lastDim(t);
  const rows = n === 0 ? 0 : data.length / n;
  if (nonNegative) {
    for (let r = 0; r < rows; r++) {
      const s = new CompensatedSum();
      for (let i = r * n; i < (r + 1) * n; i++) s.add(data[i]!);
      if (Math.abs(s.value() - 1) > SUM_TOLERANCE) return { kind: 'counts', sum };
    }
    return { kind: rows > 0 ? 'distribution' : 'counts', sum };
  }
  if (nonPositive) {
    let normalized = true;
    for (let r = 0; r < rows && normalized; r++) normalized = Math.abs(logSumExp(data, r * n, (r + 1) * n)) <= SUM_TOLERANCE;
    if (normalized) return { kind: 'log-probs', sum };
  }
  return { kind: 'logits', sum };
}

/** The KL expression that turns the array named `name` into probabilities: `p`, `exp(p)`, `softmax(p)`. */
export function asProbabilities(kind: ArrayKind, name: string): string {
  if (kind === 'log-probs') return `exp(${name})`;
  if (kind === 'logits') return `softmax(${name})`;
  return name;
}
