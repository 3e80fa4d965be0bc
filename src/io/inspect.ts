/**
 * What a tensor looks like, for `kl-lens inspect` and the editor's file view: dtype, shape, size,
 * and for tensors small enough to read, min / max / sum and what its last axis appears to hold.
 */
import { classify, type ValueKind } from '../core/classify/classify';
import { precisionOfDtype } from '../core/classify/precision';
import { byteLength, entrySize, readTensor, type TensorEntry } from './entry';

/** Tensors up to this many elements get statistics; larger ones only their header facts. */
export const SUMMARY_LIMIT = 1 << 22;

export interface TensorStats {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly looksLike: ValueKind;
  /** For 'invalid': the NaN or +∞ that rules every reading out. */
  readonly problem?: string;
}

export interface TensorSummary {
  readonly key: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly bytes: number;
  readonly stats?: TensorStats;
}

export function summarize(entry: TensorEntry, limit = SUMMARY_LIMIT): TensorSummary {
  const elements = entrySize(entry);
  const base = { key: entry.key, dtype: entry.dtype, shape: entry.shape, elements, bytes: byteLength(entry) };
  if (elements === 0 || elements > limit) return base;
  // The file's dtype sets how closely its rows must sum to 1 (a float16 softmax is off by ~1e-3).
  const c = classify(readTensor(entry), { precision: precisionOfDtype(entry.dtype) });
  return { ...base, stats: { min: c.min, max: c.max, sum: c.sum, looksLike: c.kind, ...(c.problem ? { problem: c.problem } : {}) } };
}
