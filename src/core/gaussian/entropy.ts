/**
 * Differential entropy of a Gaussian, H(N(μ, Σ)) = ½[k(1 + ln 2π) + ln det Σ].
 *
 * ## Method
 * ln det Σ from the Cholesky factor (full) or the sum of ln σᵢ² (diagonal, also per dimension).
 * Differential entropy can be negative. Reference: Cover & Thomas, 2nd ed., Theorem 8.4.1.
 *
 * @example
 * gaussianEntropy(N(0, 1)).value // ½(1 + ln 2π) ≈ 1.4189 nats
 */
import type { Span } from '../errors';
import { logDetFromCholesky } from '../numeric/cholesky';
import { CompensatedSum } from '../numeric/sum';
import type { GaussianResult, Reduction } from '../result';
import { natsTo, type Unit } from '../units';
import type { Gaussian } from './gaussian';
import { reduceDims } from './kl';

const HALF_LOG_2PI_E = 0.5 * (1 + Math.log(2 * Math.PI));

export function gaussianEntropy(g: Gaussian, options: { unit: Unit; reduction?: Reduction; span?: Span }, label = 'P'): GaussianResult {
  const k = g.mean.length;
  const reduction = options.reduction ?? 'sum';
  let total: number;
  let perDim: Float64Array | undefined;
  let logDet: number;
  if (g.covariance.kind === 'diagonal') {
    perDim = g.covariance.variance.map((v) => HALF_LOG_2PI_E + 0.5 * Math.log(v));
    const s = new CompensatedSum();
    const d = new CompensatedSum();
    for (let i = 0; i < k; i++) {
      s.add(perDim[i]!);
      d.add(Math.log(g.covariance.variance[i]!));
    }
    total = s.value();
    logDet = d.value();
  } else {
    logDet = logDetFromCholesky(g.covariance.cholesky, k);
    total = k * HALF_LOG_2PI_E + 0.5 * logDet;
  }
  const factor = natsTo(options.unit);
  const closed = { total, dim: k, ...(perDim ? { perDim } : {}) };
  const { value, rows } = reduceDims('H', closed, reduction, factor, options.span);
  return {
    kind: 'gaussian',
    measure: 'H',
    label: `H(${label})`,
    value,
    unit: options.unit,
    reduction,
    rows,
    warnings: [],
    span: options.span,
    p: g,
    entropy: { dim: k, logDet, total: total * factor },
    ...(perDim ? { perDim: { shape: [k], data: perDim.map((x) => x * factor) } } : {}),
  };
}
