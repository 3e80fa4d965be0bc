/**
 * KL divergence between Gaussians in closed form.
 *
 * ## Method
 * KL(N₁‖N₂) = ½[tr(Σ₂⁻¹Σ₁) + (μ₂−μ₁)ᵀΣ₂⁻¹(μ₂−μ₁) − k + ln det Σ₂ − ln det Σ₁].
 * Full covariances go through Cholesky factors L₁, L₂ (as torch.distributions does):
 * tr(Σ₂⁻¹Σ₁) = ‖L₂⁻¹L₁‖²_F, the Mahalanobis term is ‖L₂⁻¹(μ₂−μ₁)‖², ln det Σ = 2Σ ln Lᵢᵢ — no
 * inverse is ever formed. Diagonal covariances are a sum over dimensions of
 * ½[(r − 1 − ln r) + (μ₂−μ₁)²/σ₂²] with r = σ₁²/σ₂², where r − 1 − ln r is computed as
 * x − log1p(x), x = r − 1, so nearly equal variances do not cancel to noise.
 *
 * Reference: J. Duchi, "Derivations for Linear Algebra and Optimization", §9 (KL between normals).
 *
 * @example
 * gaussianKl(N(0, 1), N(1, 2)).value // ½(½ + ½ − 1 + ln 2) ≈ 0.3466 nats
 */
import { KlError, type Span } from '../errors';
import { logDetFromCholesky, solveLower } from '../numeric/cholesky';
import { CompensatedSum } from '../numeric/sum';
import type { GaussianDirection, GaussianParts, GaussianResult, Reduction, Warning } from '../result';
import type { Tensor } from '../tensor';
import { natsTo, type Unit } from '../units';
import { expand, type Gaussian } from './gaussian';

export interface GaussianOptions {
  readonly unit: Unit;
  readonly reduction?: Reduction;
  readonly span?: Span;
}

/** Brings two Gaussians to one dimension (scalar-parameter ones broadcast) or fails naming them. */
export function alignGaussians(fn: string, p: Gaussian, q: Gaussian, span?: Span): [Gaussian, Gaussian] {
  if (p.dim !== undefined && q.dim !== undefined && p.dim !== q.dim) {
    throw new KlError('evaluation', `${fn}: P is ${p.dim}-dimensional but Q is ${q.dim}-dimensional`, span);
  }
  const dim = p.dim ?? q.dim ?? 1;
  return [expand(p, dim), expand(q, dim)];
}

interface Closed {
  readonly total: number;
  readonly parts: GaussianParts;
  readonly perDim?: Float64Array;
}

export function klClosedForm(p: Gaussian, q: Gaussian): Closed {
  const k = p.mean.length;
  if (p.covariance.kind === 'diagonal' && q.covariance.kind === 'diagonal') {
    const vp = p.covariance.variance;
    const vq = q.covariance.variance;
    const perDim = new Float64Array(k);
    const total = new CompensatedSum();
    const trace = new CompensatedSum();
    const mahalanobis = new CompensatedSum();
    const logDet = new CompensatedSum();
    for (let i = 0; i < k; i++) {
      const r = vp[i]! / vq[i]!;
      const x = r - 1;
      const d = q.mean[i]! - p.mean[i]!;
      const m = (d * d) / vq[i]!;
      // Near r = 1, x − log1p(x) avoids cancellation; far from it the ratio may under/overflow, so
      // ln r is taken as ln σ₁² − ln σ₂².
      const gap = r > 0.5 && r < 2 ? x - Math.log1p(x) : x - (Math.log(vp[i]!) - Math.log(vq[i]!));
      const v = 0.5 * (gap + m);
      perDim[i] = v;
      total.add(v);
      trace.add(r);
      mahalanobis.add(m);
      logDet.add(Math.log(vq[i]!) - Math.log(vp[i]!));
    }
    return {
      total: total.value(),
      parts: { dim: k, trace: trace.value(), mahalanobis: mahalanobis.value(), logDetRatio: logDet.value() },
      perDim,
    };
  }
  const lp = choleskyOf(p);
  const lq = choleskyOf(q);
  // tr(Σq⁻¹Σp) = ‖Lq⁻¹ Lp‖²_F, one triangular solve per column of Lp.
  const trace = new CompensatedSum();
  const column = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) column[i] = lp[i * k + j]!;
    for (const x of solveLower(lq, k, column)) trace.add(x * x);
  }
  const diff = new Float64Array(k);
  for (let i = 0; i < k; i++) diff[i] = q.mean[i]! - p.mean[i]!;
  const mahalanobis = new CompensatedSum();
  for (const x of solveLower(lq, k, diff)) mahalanobis.add(x * x);
  const logDetRatio = logDetFromCholesky(lq, k) - logDetFromCholesky(lp, k);
  const sum = new CompensatedSum();
  sum.add(trace.value());
  sum.add(mahalanobis.value());
  sum.add(-k);
  sum.add(logDetRatio);
  return {
    total: 0.5 * sum.value(),
    parts: { dim: k, trace: trace.value(), mahalanobis: mahalanobis.value(), logDetRatio },
  };
}

function choleskyOf(g: Gaussian): Float64Array {
  if (g.covariance.kind === 'full') return g.covariance.cholesky;
  const k = g.mean.length;
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) l[i * k + i] = Math.sqrt(g.covariance.variance[i]!);
  return l;
}

/** What a reduction over dimensions needs: the joint value, k, and the per-dimension values if any (in nats). */
export interface Reducible {
  readonly total: number;
  readonly dim: number;
  readonly perDim?: Float64Array;
}

const reducible = (c: Closed): Reducible => ({ total: c.total, dim: c.parts.dim, ...(c.perDim ? { perDim: c.perDim } : {}) });

/**
 * Reduction over dimensions: the joint KL by default ("sum"); "none" gives the per-dimension KLs
 * (torch.distributions' Normal batch semantics), "mean" their average.
 */
export function reduceDims(fn: string, closed: Reducible, reduction: Reduction, factor: number, span?: Span): { value: Tensor; rows: Tensor } {
  const perDim = closed.perDim ? closed.perDim.map((x) => x * factor) : undefined;
  const total = Float64Array.of(closed.total * factor);
  const rows: Tensor = perDim ? { shape: [perDim.length], data: perDim } : { shape: [], data: total };
  switch (reduction) {
    case 'sum':
      return { value: { shape: [], data: total }, rows };
    case 'none':
      if (!perDim) throw new KlError('evaluation', `${fn}: reduction="none" gives per-dimension values, which exist only for diagonal covariances`, span);
      return { value: rows, rows };
    case 'mean':
      return { value: { shape: [], data: Float64Array.of((closed.total * factor) / closed.dim) }, rows };
    case 'batchmean':
      throw new KlError('evaluation', `${fn}: reduction="batchmean" applies to batches of distributions, not to one Gaussian; use "sum" or "none"`, span);
  }
}

/** One direction with its reduction applied, in `unit`. */
function direction(fn: string, closed: Closed, reduction: Reduction, factor: number, span?: Span): GaussianDirection {
  return {
    value: reduceDims(fn, reducible(closed), reduction, factor, span).value,
    total: closed.total * factor,
    parts: closed.parts,
    ...(closed.perDim ? { perDim: { shape: [closed.perDim.length], data: closed.perDim.map((x) => x * factor) } } : {}),
  };
}

export function gaussianKl(P: Gaussian, Q: Gaussian, options: GaussianOptions, labels: [string, string] = ['P', 'Q']): GaussianResult {
  const [p, q] = alignGaussians('KL', P, Q, options.span);
  const reduction = options.reduction ?? 'sum';
  const factor = natsTo(options.unit);
  const forward = direction('KL', klClosedForm(p, q), reduction, factor, options.span);
  const reverse = direction('KL', klClosedForm(q, p), reduction, factor, options.span);
  const warnings: Warning[] = [];
  return {
    kind: 'gaussian',
    measure: 'KL',
    label: `KL(${labels[0]}‖${labels[1]})`,
    value: forward.value,
    unit: options.unit,
    reduction,
    rows: forward.perDim ?? { shape: [], data: Float64Array.of(forward.total) },
    warnings,
    span: options.span,
    p,
    q,
    parts: forward.parts,
    ...(forward.perDim ? { perDim: forward.perDim } : {}),
    forward,
    reverse,
  };
}

/** KL(P‖Q) + KL(Q‖P) for Gaussians; both directions are kept, each reduced like the sum. */
export function gaussianJeffreys(P: Gaussian, Q: Gaussian, options: GaussianOptions, labels: [string, string] = ['P', 'Q']): GaussianResult {
  const [p, q] = alignGaussians('Jeffreys', P, Q, options.span);
  const reduction = options.reduction ?? 'sum';
  const factor = natsTo(options.unit);
  const f = klClosedForm(p, q);
  const b = klClosedForm(q, p);
  const both: Closed = {
    total: f.total + b.total,
    parts: f.parts,
    ...(f.perDim && b.perDim ? { perDim: f.perDim.map((x, i) => x + b.perDim![i]!) } : {}),
  };
  const { value, rows } = reduceDims('Jeffreys', reducible(both), reduction, factor, options.span);
  return {
    kind: 'gaussian',
    measure: 'Jeffreys',
    label: `J(${labels[0]}, ${labels[1]})`,
    value,
    unit: options.unit,
    reduction,
    rows,
    warnings: [],
    span: options.span,
    p,
    q,
    parts: f.parts,
    ...(both.perDim ? { perDim: { shape: [both.perDim.length], data: both.perDim.map((x) => x * factor) } } : {}),
    forward: direction('Jeffreys', f, reduction, factor, options.span),
    reverse: direction('Jeffreys', b, reduction, factor, options.span),
  };
}
