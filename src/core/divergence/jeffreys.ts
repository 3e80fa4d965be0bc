/**
 * Jeffreys divergence J(P, Q) = KL(P‖Q) + KL(Q‖P), the symmetrised KL.
 *
 * ## Method
 * Per element (p − q)·log(p/q), written as relEntr(p, q) + relEntr(q, p) so zeros follow the KL
 * conventions (+∞ when exactly one of p, q is 0). Both directions are kept as parts.
 *
 * Reference: H. Jeffreys, "An invariant form for the prior probability in estimation problems" (1946).
 */
import { relEntr } from '../numeric/xlogy';
import type { DiscreteResult, Warning } from '../result';
import { klKernel } from './kl';
import { type Arg, preparePair } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble, describeViolations, type RowKernel, rowwise, supportMismatches } from './rowwise';

export const jeffreysKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const t = relEntr(p[i]!, q[i]!) + relEntr(q[i]!, p[i]!);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export function jeffreys(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('Jeffreys', P, Q, options.normalize ?? true, warnings);
  const infinite = supportMismatches(p.tensor, q.tensor);
  if (infinite) {
    warnings.push({
      code: 'infinite',
      message: `Jeffreys(${P.role}, ${Q.role}) is infinite: the supports differ (one of them is 0 where the other is not) at index ${describeViolations(infinite)}.`,
      span: options.span,
    });
  }
  return assemble({
    measure: 'Jeffreys',
    label: `J(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: rowwise(p.tensor, q.tensor, jeffreysKernel),
    parts: {
      [`KL(${P.role}‖${Q.role})`]: rowwise(p.tensor, q.tensor, klKernel, false).rows,
      [`KL(${Q.role}‖${P.role})`]: rowwise(q.tensor, p.tensor, klKernel, false).rows,
    },
    unit: resolveUnit(options).unit,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
    ...(infinite ? { infinite } : {}),
  });
}
