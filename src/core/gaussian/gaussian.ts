/**
 * Gaussian distributions as values of the language: `N(mu, var)` by variance (math notation) and
 * `Normal(loc, scale)` by standard deviation (PyTorch's convention). Both become the same model:
 * a mean and a covariance that is diagonal or full.
 */
import { KlError, type Span } from '../errors';
import { cholesky } from '../numeric/cholesky';
import { indexString, shapeString, type Tensor } from '../tensor';

export type Covariance =
  | { readonly kind: 'diagonal'; readonly variance: Float64Array }
  | { readonly kind: 'full'; readonly matrix: Float64Array; readonly cholesky: Float64Array };

export interface Gaussian {
  /** Which constructor made it, so derivations can echo the user's notation. */
  readonly parameterization: 'variance' | 'scale';
  /** undefined while every parameter is a scalar: such a Gaussian broadcasts to any dimension. */
  readonly dim: number | undefined;
  readonly mean: Float64Array;
  readonly covariance: Covariance;
  readonly text: string;
}

interface Param {
  readonly name: string;
  readonly tensor: Tensor;
  readonly span: Span | undefined;
}

function fail(fn: string, arg: Param, message: string): never {
  throw new KlError('evaluation', `${fn}: argument ${arg.name} ${message}`, arg.span);
}

function checkFinite(fn: string, p: Param): void {
  const i = p.tensor.data.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) fail(fn, p, `has ${p.tensor.data[i]} at index ${indexString(i, p.tensor.shape)}; Gaussian parameters must be finite`);
}

/**
 * `N(mu, var)`: scalar or vector mean; scalar, vector (diagonal) or matrix (full) covariance.
 * @example gaussianFromVariance(mu, var) // N([0, 0], [[1, 0.5], [0.5, 1]])
 */
export function gaussianFromVariance(mu: Param, variance: Param, text: string): Gaussian {
  return build('N', mu, variance, 'variance', text);
}

/** `Normal(loc, scale)`: scale is the standard deviation (scalar or per-dimension vector). */
export function gaussianFromScale(loc: Param, scale: Param, text: string): Gaussian {
  if (scale.tensor.shape.length > 1) fail('Normal', scale, `must be a scalar or a vector of standard deviations, got shape ${shapeString(scale.tensor.shape)} (use N(mu, cov) for a full covariance)`);
  checkFinite('Normal', scale);
  const i = scale.tensor.data.findIndex((s) => !(s > 0));
  if (i >= 0) fail('Normal', scale, `must be positive, got ${scale.tensor.data[i]} at index ${indexString(i, scale.tensor.shape)}`);
  const squares = scale.tensor.data.map((s) => s * s);
  const over = squares.findIndex((v) => !Number.isFinite(v) || v === 0);
  if (over >= 0) fail('Normal', scale, `has ${scale.tensor.data[over]} at index ${indexString(over, scale.tensor.shape)}, whose square (the variance) is not a positive double`);
  const variance = { ...scale, tensor: { shape: scale.tensor.shape, data: squares } };
  return build('Normal', loc, variance, 'scale', text);
}

function build(fn: string, mu: Param, variance: Param, parameterization: 'variance' | 'scale', text: string): Gaussian {
  if (mu.tensor.shape.length > 1) fail(fn, mu, `must be a scalar or a vector, got shape ${shapeString(mu.tensor.shape)}`);
  checkFinite(fn, mu);
  checkFinite(fn, variance);
  const vShape = variance.tensor.shape;
  const muDim = mu.tensor.shape.length === 1 ? mu.tensor.shape[0]! : undefined;
  if (muDim === 0) fail(fn, mu, 'is empty');
  if (vShape.length === 2) {
    const [a, b] = vShape as [number, number];
    if (a !== b) fail(fn, variance, `must be a square covariance matrix, got shape ${shapeString(vShape)}`);
    if (muDim !== undefined && muDim !== a) fail(fn, variance, `is ${a}×${a} but the mean has ${muDim} entries`);
    const m = variance.tensor.data;
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < i; j++) {
        const x = m[i * a + j]!;
        const y = m[j * a + i]!;
        if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) {
          fail(fn, variance, `is not symmetric: entry [${i}, ${j}] = ${x} but [${j}, ${i}] = ${y}`);
        }
      }
    }
    const l = cholesky(m, a);
    if (!l) fail(fn, variance, 'is not positive definite (its Cholesky factorisation fails)');
    return {
      parameterization,
      dim: a,
      mean: muDim === undefined ? new Float64Array(a).fill(mu.tensor.data[0]!) : Float64Array.from(mu.tensor.data),
      covariance: { kind: 'full', matrix: Float64Array.from(m), cholesky: l },
      text,
    };
  }
  if (vShape.length > 2) fail(fn, variance, `must be a scalar, a vector or a matrix, got shape ${shapeString(vShape)}`);
  const vDim = vShape.length === 1 ? vShape[0]! : undefined;
  if (vDim === 0) fail(fn, variance, 'is empty');
  if (muDim !== undefined && vDim !== undefined && muDim !== vDim) {
    fail(fn, variance, `has ${vDim} entries but the mean has ${muDim}`);
  }
  const bad = variance.tensor.data.findIndex((v) => !(v > 0));
  if (bad >= 0) {
    const what = parameterization === 'variance' ? 'variance' : 'scale²';
    fail(fn, variance, `must be positive (a ${what}), got ${variance.tensor.data[bad]} at index ${indexString(bad, vShape)}`);
  }
  const dim = muDim ?? vDim;
  const n = dim ?? 1;
  return {
    parameterization,
    dim,
    mean: muDim === undefined ? new Float64Array(n).fill(mu.tensor.data[0]!) : Float64Array.from(mu.tensor.data),
    covariance: {
      kind: 'diagonal',
      variance: vDim === undefined ? new Float64Array(n).fill(variance.tensor.data[0]!) : Float64Array.from(variance.tensor.data),
    },
    text,
  };
}

/** The same Gaussian in `dim` dimensions: only scalar-parameter Gaussians broadcast. */
export function expand(g: Gaussian, dim: number): Gaussian {
  if (g.dim === dim) return g;
  if (g.covariance.kind !== 'diagonal') return g;
  return {
    ...g,
    dim,
    mean: new Float64Array(dim).fill(g.mean[0]!),
    covariance: { kind: 'diagonal', variance: new Float64Array(dim).fill(g.covariance.variance[0]!) },
  };
}

/** The covariance as a dense row-major matrix (diagonal ones expanded). */
export function covarianceMatrix(g: Gaussian): Float64Array {
  if (g.covariance.kind === 'full') return g.covariance.matrix;
  const n = g.mean.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = g.covariance.variance[i]!;
  return m;
}
