/**
 * What a tensor looks like, for `kl-lens inspect` and the editor's file view: dtype, shape, size,
 * and for tensors small enough to read, min / max / sum and what its last axis appears to hold.
 */
import { logSumExp } from '../core/numeric/logsumexp';
import { CompensatedSum } from '../core/numeric/sum';
import { byteLength, entrySize, readTensor, type TensorEntry } from './entry';

/** Tensors up to this many elements get statistics; larger ones only their header facts. */
export const SUMMARY_LIMIT = 1 << 22;

export type LastAxisKind =
  | 'distribution' // non-negative rows that sum to 1
  | 'non-negative' // counts or unnormalized weights: normalizable
  | 'log-probs' // rows whose logsumexp is 0
  | 'per-token log-probs' // all ≤ 0, but rows are not normalized: log p of sampled tokens
  | 'logits' // real values of both signs
  | 'contains NaN';

export interface TensorSummary {
  readonly key: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly bytes: number;
  readonly stats?: { readonly min: number; readonly max: number; readonly sum: number; readonly looksLike: LastAxisKind };
}

const TOLERANCE = 1e-3; // generous enough for float16 rows

export function classifyRows(data: Float64Array, rowLength: number): LastAxisKind {
  let min = Infinity;
  let max = -Infinity;
  for (const x of data) {
    if (Number.isNaN(x)) return 'contains NaN';
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const rows = rowLength === 0 ? 0 : data.length / rowLength;
  if (min >= 0) {
    for (let r = 0; r < rows; r++) {
      const s = new CompensatedSum();
      for (let i = r * rowLength; i < (r + 1) * rowLength; i++) s.add(data[i]!);
      if (Math.abs(s.value() - 1) > TOLERANCE) return 'non-negative';
    }
    return 'distribution';
  }
  if (max <= 0) {
    for (let r = 0; r < rows; r++) {
      if (Math.abs(logSumExp(data, r * rowLength, (r + 1) * rowLength)) > TOLERANCE) return 'per-token log-probs';
    }
    return 'log-probs';
  }
  return 'logits';
}

export function summarize(entry: TensorEntry, limit = SUMMARY_LIMIT): TensorSummary {
  const elements = entrySize(entry);
  const base = { key: entry.key, dtype: entry.dtype, shape: entry.shape, elements, bytes: byteLength(entry) };
  if (elements === 0 || elements > limit) return base;
  const t = readTensor(entry);
  let min = Infinity;
  let max = -Infinity;
  const sum = new CompensatedSum();
  for (const x of t.data) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum.add(x);
  }
  const rowLength = entry.shape.length === 0 ? 1 : entry.shape[entry.shape.length - 1]!;
  return { ...base, stats: { min, max, sum: sum.value(), looksLike: classifyRows(t.data, rowLength) } };
}
