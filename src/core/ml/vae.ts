/**
 * The VAE regulariser KL(N(μ, diag(exp(logvar))) ‖ N(0, I)) = Σ ½(μ² + σ² − 1 − ln σ²).
 *
 * ## Method
 * Per dimension ½(μ² + expm1(ℓ) − ℓ) with ℓ = logvar: expm1(ℓ) − ℓ is exp(ℓ) − 1 − ℓ without the
 * cancellation near ℓ = 0 (a posterior close to the prior). Summed over the last axis with
 * compensation; N-D inputs give one value per row. Equals the seed's
 * −½Σ(1 + logvar − μ² − exp(logvar)). Reference: Kingma & Welling, "Auto-Encoding Variational
 * Bayes" (2013), Appendix B.
 *
 * @example
 * vaeKl(mu([0, 0]), logvar([0, 0])).value // 0
 */
import { KlError, type Span } from '../errors';
import { type Arg, checkNotNaN, fail } from '../divergence/operands';
import type { Reduction, VaeResult } from '../result';
import { finishRows, rowwise } from '../divergence/rowwise';
import { broadcastShapes, broadcastTo, shapeString } from '../tensor';
import type { Unit } from '../units';

export function vaeKl(mu: Arg, logvar: Arg, options: { unit: Unit; reduction?: Reduction; span?: Span }): VaeResult {
  checkNotNaN('vae_kl', mu);
  checkNotNaN('vae_kl', logvar);
  for (const a of [mu, logvar]) {
    const bad = a.tensor.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) fail('vae_kl', a, `has ${a.tensor.data[bad]} at index ${bad}; it must be finite`);
  }
  const muShape = mu.tensor.shape.length === 0 ? [1] : mu.tensor.shape;
  const lvShape = logvar.tensor.shape.length === 0 ? [1] : logvar.tensor.shape;
  const shape = broadcastShapes(muShape, lvShape);
  if (!shape) fail('vae_kl', logvar, `has shape ${shapeString(lvShape)} but mu has shape ${shapeString(muShape)}`);
  const m = broadcastTo({ shape: muShape, data: mu.tensor.data }, shape);
  const l = broadcastTo({ shape: lvShape, data: logvar.tensor.data }, shape);
  const output = rowwise(m, l, (mr, lr, sum, terms) => {
    for (let i = 0; i < mr.length; i++) {
      const lv = lr[i]!;
      const t = 0.5 * (mr[i]! * mr[i]! + Math.expm1(lv) - lv);
      sum.add(t);
      if (terms) terms[i] = t;
    }
  });
  const { terms, ...common } = finishRows('vae_kl', output, {
    unit: options.unit,
    reduction: options.reduction ?? 'none',
    warnings: [],
    span: options.span,
    firstDim: shape[0]!,
  });
  if (!terms) throw new KlError('evaluation', 'vae_kl: the input is too large to keep per-dimension terms', options.span);
  return {
    kind: 'vae',
    ...common,
    label: 'KL(q(z|x)‖N(0, I))',
    operands: [
      { ...mu, shape: m.shape, tensor: m, rescaled: false },
      { ...logvar, shape: l.shape, tensor: l, rescaled: false },
    ],
    terms,
  };
}
