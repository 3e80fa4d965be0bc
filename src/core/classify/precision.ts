/**
 * How far a stored row may be from summing to 1 (or its log-sum-exp from 0) and still count as
 * normalized: the one tolerance policy behind every "is this a distribution?" question, which
 * depends on the precision the numbers were stored in and on the row length.
 *
 * ## Method
 * With u the unit roundoff of the storage format and s half its smallest subnormal step:
 * - storing a normalized row rounds each entry by ≤ u relative (≤ s absolute below the normal
 *   range), so its sum moves by ≤ u + n·s;
 * - producing it in that precision (a division by the sum, a softmax) adds ≈ u, and the sum behind
 *   it, taken pairwise as NumPy does (PyTorch accumulates halves in float32), ≲ u·log₂ n;
 * - log-probabilities rounded by u·|log p| move the log-sum-exp by ≤ u·Σ p|log p| = u·H(p) ≤ u·ln n.
 * So a row is normalized within u·(2 + log₂ n) + n·s, never less than SUM_TOLERANCE_FLOOR.
 * Reference: N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §4.2.
 *
 * @example
 * rowTolerance(10, 'float64') // 1e-6 (the floor)
 * rowTolerance(10, 'float16') // ≈ 2.6e-3
 */

export type Precision = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'float8_e4m3fn' | 'float8_e5m2';

/** Unit roundoff u and half the smallest subnormal s of each format. */
const FORMATS: Readonly<Record<Precision, { readonly u: number; readonly s: number }>> = {
  float64: { u: 2 ** -53, s: 0 },
  float32: { u: 2 ** -24, s: 2 ** -150 },
  float16: { u: 2 ** -11, s: 2 ** -25 },
  bfloat16: { u: 2 ** -8, s: 2 ** -134 },
  float8_e4m3fn: { u: 2 ** -4, s: 2 ** -10 },
  float8_e5m2: { u: 2 ** -3, s: 2 ** -17 },
};

/**
 * The least tolerance, whatever the format: also the divergences' threshold for saying that an
 * input was normalized, so a float64 row the classifier calls a distribution is one they use
 * without a 'normalized' warning.
 */
export const SUM_TOLERANCE_FLOOR = 1e-6;

/** How far from 1 a row of `n` entries stored in `precision` may sum (or from 0 log-sum-exp) and still be normalized. */
export function rowTolerance(n: number, precision: Precision = 'float64'): number {
  const { u, s } = FORMATS[precision];
  return Math.max(SUM_TOLERANCE_FLOOR, u * (2 + Math.log2(Math.max(n, 1))) + n * s);
}

/** The precision of a file's element type: floats their own; integers and booleans are exact. */
export function precisionOfDtype(dtype: string): Precision {
  return dtype in FORMATS ? (dtype as Precision) : 'float64';
}

/**
 * The precision values were most likely stored in, for numbers whose dtype is no longer known
 * (the core holds everything as float64): the coarsest of bfloat16, float16 and float32 that holds
 * every finite value exactly, else float64. A float64 result of arithmetic is almost never exact
 * in float32 (about 1 in 2²⁹ values is), so low precision is inferred only from data that has it;
 * hand-written values exact in bfloat16 (0.5, 0.25, small integers) sum exactly or far from 1.
 */
export function storagePrecision(data: ArrayLike<number>, from = 0, to = data.length): Precision {
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  let bf16 = true;
  let f16 = true;
  for (let i = from; i < to; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) continue; // NaN and ±∞ exist in every format
    f32[0] = x;
    if (f32[0] !== x) return 'float64';
    const b = bits[0]!;
    if (bf16 && (b & 0xffff) !== 0) bf16 = false;
    if (f16 && !isHalf(x, b)) f16 = false;
  }
  return bf16 ? 'bfloat16' : f16 ? 'float16' : 'float32';
}

/** Whether the float32 `x` (bit pattern `b`) is exact in IEEE half precision. */
function isHalf(x: number, b: number): boolean {
  const a = Math.abs(x);
  if (a > 65504) return false;
  // Normal halves keep 10 of float32's 23 fraction bits; subnormals are multiples of 2⁻²⁴.
  return a >= 2 ** -14 ? (b & 0x1fff) === 0 : Number.isInteger(a * 2 ** 24);
}
