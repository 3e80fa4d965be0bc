/**
 * Cholesky factorisation and the triangular solves the Gaussian closed forms need.
 *
 * ## Method
 * The Cholesky–Banachiewicz algorithm on a row-major symmetric matrix: A = L Lᵀ with L lower
 * triangular. Returns undefined when a pivot is not positive (A is not positive definite), so the
 * caller can name the argument in its error. Reference: Golub & Van Loan, Matrix Computations, §4.2.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** Solves L x = b for lower-triangular L (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** log det A = 2 Σ log L_ii from A's Cholesky factor. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}
