/**
 * Entropy H(P) = −Σ p log p and cross-entropy H(P, Q) = −Σ p log q.
 *
 * ## Method
 * Row-wise along the last axis with 0·log 0 = 0, compensated sums. Cross-entropy is +∞ where
 * q = 0 < p. Its parts satisfy Gibbs' identity H(P, Q) = H(P) + KL(P‖Q), kept in the result so the
 * derivation can show it. Agrees with `scipy.stats.entropy(p)` and −Σ p log q on normalized inputs.
 *
 * Reference: Cover & Thomas, Elements of Information Theory, 2nd ed., §2.1 and §2.3.
 *
 * @example
 * entropy(arg('P', [0.5, 0.5])).value // ln 2 ≈ 0.693147 nats
 */
import { xlogx, xlogy } from '../numeric/xlogy';
import type { DiscreteResult, Warning } from '../result';
import { klKernel } from './kl';
import { type Arg, preparePair, prepareSingle } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble, describeViolations, type RowKernel, rowwise, supportViolations } from './rowwise';

export const entropyKernel: RowKernel = (p, _q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const t = -xlogx(p[i]!);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export const crossEntropyKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const t = -xlogy(p[i]!, q[i]!);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export function entropy(P: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const p = prepareSingle('H', P, options.normalize ?? true, warnings);
  return assemble({
    measure: 'H',
    label: `H(${P.role})`,
    operands: [p],
    output: rowwise(p.tensor, undefined, entropyKernel),
    unit: resolveUnit(options).unit,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
  });
}

export function crossEntropy(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('H', P, Q, options.normalize ?? true, warnings);
  const infinite = supportViolations(p.tensor, q.tensor);
  if (infinite) {
    warnings.push({
      code: 'infinite',
      message: `H(${P.role}, ${Q.role}) is infinite: ${Q.role} = 0 where ${P.role} > 0 at index ${describeViolations(infinite)}.`,
      span: Q.span,
    });
  }
  return assemble({
    measure: 'CE',
    label: `H(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: rowwise(p.tensor, q.tensor, crossEntropyKernel),
    parts: {
      [`H(${P.role})`]: rowwise(p.tensor, undefined, entropyKernel, false).rows,
      [`KL(${P.role}‖${Q.role})`]: rowwise(p.tensor, q.tensor, klKernel, false).rows,
    },
    unit: resolveUnit(options).unit,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
    ...(infinite ? { infinite } : {}),
  });
}
