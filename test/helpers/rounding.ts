/**
 * Numbers as low-precision formats store them, for tests of what a stored row looks like: values
 * rounded to the nearest float32, float16 or bfloat16 (Node 20 has no Math.f16round).
 */

export type Format = 'float32' | 'float16' | 'bfloat16';

/** Fraction bits and least normal exponent of each format. */
const FORMATS: Record<Exclude<Format, 'float32'>, { bits: number; emin: number; max: number }> = {
  float16: { bits: 10, emin: -14, max: 65504 },
  bfloat16: { bits: 7, emin: -126, max: 3.3895313892515355e38 },
};

/** `x` rounded to the nearest value of `format` (halfway cases away from zero; no overflow handling beyond ±max). */
export function roundTo(x: number, format: Format): number {
  if (format === 'float32') return Math.fround(x);
  if (x === 0 || !Number.isFinite(x)) return x;
  const { bits, emin, max } = FORMATS[format];
  const e = Math.max(Math.floor(Math.log2(Math.abs(x))), emin);
  const step = 2 ** (e - bits);
  const r = Math.sign(x) * Math.round(Math.abs(x) / step) * step;
  return Math.abs(r) > max ? Math.sign(x) * Infinity : r;
}

export function roundAll(xs: ArrayLike<number>, format: Format): Float64Array {
  return Float64Array.from(xs, (x) => roundTo(x, format));
}

/** softmax and log_softmax of one row in float64, written out here rather than taken from the core. */
export function softmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function logSoftmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
  return z.map((x) => x - lse);
}
