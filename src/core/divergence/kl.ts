/**
 * Kullback–Leibler divergence of discrete distributions, KL(P‖Q) = Σ p log(p/q).
 *
 * ## Method
 * Per row along the last axis, terms p·log(p/q) with 0·log(0/q) = 0 and p > 0 = q giving +∞
 * (`relEntr`, SciPy's `rel_entr` convention), summed with compensation in float64. Never clipped
 * with an epsilon: an infinite divergence is reported with the indices responsible. The reverse
 * direction KL(Q‖P) is computed alongside. Agrees with `scipy.stats.entropy(p, q)`.
 *
 * Reference: Cover & Thomas, Elements of Information Theory, 2nd ed., §2.3.
 *
 * @example
 * kl(arg('P', [0.5, 0.3, 0.2]), arg('Q', [0.4, 0.4, 0.2])).value // 0.0252671... nats
 */
import { relEntr } from '../numeric/xlogy';
import type { DiscreteResult, Warning } from '../result';
import { type Arg, preparePair } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble, describeViolations, firstDimOf, reduce, type RowKernel, rowwise, scaled, supportViolations } from './rowwise';

export const klKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const t = relEntr(p[i]!, q[i]!);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export function kl(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('KL', P, Q, options.normalize ?? true, warnings);
  const { unit, factor } = resolveUnit(options);
  const reduction = options.reduction ?? 'none';
  const forward = rowwise(p.tensor, q.tensor, klKernel);
  const backward = rowwise(q.tensor, p.tensor, klKernel);
  const infinite = supportViolations(p.tensor, q.tensor);
  const reverseInfinite = supportViolations(q.tensor, p.tensor);
  if (infinite) {
    warnings.push({
      code: 'infinite',
      message: `KL(${P.role}‖${Q.role}) is infinite: ${Q.role} = 0 where ${P.role} > 0 at index ${describeViolations(infinite)}. Check the supports, smooth ${Q.role}, or use JS, which stays finite.`,
      span: Q.span,
    });
  }
  const result = assemble({ measure: 'KL', label: `KL(${P.role}‖${Q.role})`, operands: [p, q], output: forward, unit, reduction, warnings, span: options.span, ...(infinite ? { infinite } : {}) });
  const reverseRows = scaled(backward.rows, factor);
  return {
    ...result,
    reverse: {
      value: reduce('KL', reverseRows, reduction, firstDimOf(p.tensor), [], options.span),
      rows: reverseRows,
      ...(backward.terms ? { terms: scaled(backward.terms, factor) } : {}),
      ...(reverseInfinite ? { infinite: reverseInfinite } : {}),
    },
  };
}
