/**
 * The 0·log 0 = 0 convention, written once.
 *
 * `relEntr(p, q)` is the KL term p·log(p/q) with the conventions of SciPy's `rel_entr`:
 * 0 when p = 0 (for any q ≥ 0), +∞ when p > 0 and q = 0.
 *
 * ## Method
 * log(p/q) is taken as a single log of the ratio (one rounding, as SciPy does) unless the ratio
 * overflows or underflows — p = 0.5, q = 1e-320 — where log p − log q stays finite and exact.
 */
export function relEntr(p: number, q: number): number {
  if (p === 0) return 0;
  if (q === 0) return Infinity;
  return p * logRatio(p, q);
}

/** log(a/b) for positive a, b without overflow or underflow of the ratio. */
export function logRatio(a: number, b: number): number {
  const r = a / b;
  if (r > 2.2250738585072014e-308 && r < Infinity) return Math.log(r);
  return Math.log(a) - Math.log(b);
}

/** x·log x with 0·log 0 = 0 (the entropy integrand, negated). */
export function xlogx(x: number): number {
  return x === 0 ? 0 : x * Math.log(x);
}

/** x·log y with 0·log y = 0 even for y = 0 (the cross-entropy integrand, negated). */
export function xlogy(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(y);
}
