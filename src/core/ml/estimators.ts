/**
 * Per-sample KL estimators for samples x ~ p, given log p(x) and log q(x) (Schulman, "Approximating
 * KL Divergence", 2020), and the per-token RLHF penalty β·k built on them.
 *
 * ## Method
 * With d = log q − log p: k1 = −d (unbiased, high variance, can be negative), k2 = ½d² (biased, low
 * variance), k3 = (eᵈ − 1) − d (unbiased, always ≥ 0), computed as expm1(d) − d so tokens where the
 * policies agree (d ≈ 0) do not cancel to noise. Element-wise with NumPy broadcasting; the mean over
 * samples is the Monte-Carlo estimate of KL(p‖q).
 *
 * @example
 * estimate('k3', logp, logq).samples
 */
import { classify } from '../classify/classify';
import { type Arg, checkNotNaN, fail, inlineText } from '../divergence/operands';
import type { Span } from '../errors';
import { CompensatedSum } from '../numeric/sum';
import type { Estimator, EstimatorResult, Reduction, Warning } from '../result';
import { broadcastShapes, broadcastTo, shapeString, type Tensor } from '../tensor';
import { natsTo, type Unit } from '../units';

const ESTIMATORS: Record<Estimator, (d: number) => number> = {
  k1: (d) => -d,
  k2: (d) => 0.5 * d * d,
  // d = +∞ (log p = −∞): r = q/p is infinite and so is r − 1 − log r; expm1(∞) − ∞ would be NaN.
  k3: (d) => (d === Infinity ? Infinity : Math.expm1(d) - d),
};

export const ESTIMATOR_NAMES = Object.keys(ESTIMATORS) as Estimator[];

/**
 * The warning for an argument that holds probabilities where log-probabilities belong: entries in
 * [0, 1], some > 0 — which no log-probability is (log p ≤ 0). All zeros are left alone: they are
 * the log-probabilities of certain tokens. Log-densities of continuous samples can be positive,
 * hence a warning, not an error.
 */
export function probabilitiesWarning(a: Arg): Warning | undefined {
  const c = classify(a.tensor);
  if ((c.kind !== 'distribution' && c.kind !== 'counts') || c.max > 1 || c.max === 0) return undefined;
  return {
    code: 'probabilities-not-log-probs',
    message: `${a.role} looks like probabilities, not log-probabilities: its entries are in [0, 1] and some are > 0, which no log-probability is; pass log-probabilities (log p), e.g. log(${inlineText(a.text)}) or log_softmax(logits).`,
    span: a.span,
  };
}

export function estimate(
  fn: string,
  estimator: Estimator,
  logp: Arg,
  logq: Arg,
  options: { unit: Unit; beta?: number; reduction?: Reduction; span?: Span },
): EstimatorResult {
  checkNotNaN(fn, logp);
  checkNotNaN(fn, logq);
  const pShape = logp.tensor.shape;
  const qShape = logq.tensor.shape;
  const shape = broadcastShapes(pShape, qShape);
  if (!shape) fail(fn, logq, `has shape ${shapeString(qShape)} but ${logp.role} has shape ${shapeString(pShape)}`);
  const lp = broadcastTo(logp.tensor, shape);
  const lq = broadcastTo(logq.tensor, shape);
  const k = ESTIMATORS[estimator];
  const scale = (options.beta ?? 1) * natsTo(options.unit);
  const out = new Float64Array(lp.data.length);
  const total = new CompensatedSum();
  for (let i = 0; i < out.length; i++) {
    const a = lp.data[i]!;
    const b = lq.data[i]!;
    // Equal infinite log-probs (both −∞: a token neither policy can emit) contribute nothing.
    const d = a === b ? 0 : b - a;
    const v = k(d) * scale;
    out[i] = v;
    total.add(v);
  }
  const samples: Tensor = { shape, data: out };
  const count = Math.max(out.length, 1);
  const reduction = options.reduction ?? 'none';
  const warnings = [logp, logq].flatMap((a) => probabilitiesWarning(a) ?? []);
  const value: Tensor =
    reduction === 'none'
      ? samples
      : {
          shape: [],
          data: Float64Array.of(
            reduction === 'sum' ? total.value() : reduction === 'mean' ? total.value() / count : total.value() / (shape[0] ?? 1),
          ),
        };
  const beta = options.beta;
  return {
    kind: 'estimator',
    estimator,
    ...(beta !== undefined ? { beta } : {}),
    label: beta !== undefined ? `β·${estimator}` : estimator,
    value,
    unit: options.unit,
    reduction,
    rows: samples,
    warnings,
    span: options.span,
    operands: [
      { ...logp, shape: lp.shape, tensor: lp, rescaled: false },
      { ...logq, shape: lq.shape, tensor: lq, rescaled: false },
    ],
    samples,
    mean: total.value() / count,
  };
}
