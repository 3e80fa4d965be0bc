/**
 * Total variation and Hellinger distances — the bounded metrics the seed recommends when a true
 * distance is needed. Both lie in [0, 1] and are unitless.
 *
 * ## Method
 * TV(P, Q) = ½Σ|p − q|. Hellinger H(P, Q) = √(½Σ(√p − √q)²) (the normalisation with ½, so that
 * disjoint supports give exactly 1). Terms are the per-element contributions to the sum (for
 * Hellinger, to its square). Row sums are compensated.
 *
 * Reference: A. B. Tsybakov, Introduction to Nonparametric Estimation (2009), §2.4.
 *
 * @example
 * totalVariation(arg('P', [1, 0]), arg('Q', [0, 1])).value // 1
 */
import type { DiscreteResult, Warning } from '../result';
import { type Arg, preparePair } from './operands';
import type { MeasureOptions } from './options';
import { assemble, type RowKernel, rowwise } from './rowwise';

export const tvKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const t = 0.5 * Math.abs(p[i]! - q[i]!);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export const hellingerKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const d = Math.sqrt(p[i]!) - Math.sqrt(q[i]!);
    const t = 0.5 * d * d;
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export function totalVariation(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('TV', P, Q, options.normalize ?? true, warnings);
  return assemble({
    measure: 'TV',
    label: `TV(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: rowwise(p.tensor, q.tensor, tvKernel),
    unit: null,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
  });
}

export function hellinger(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('Hellinger', P, Q, options.normalize ?? true, warnings);
  const squared = rowwise(p.tensor, q.tensor, hellingerKernel);
  const rows = squared.rows.data.map(Math.sqrt);
  return assemble({
    measure: 'Hellinger',
    label: `Hellinger(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: { ...squared, rows: { shape: squared.rows.shape, data: rows } },
    parts: { [`Hellinger²`]: squared.rows },
    unit: null,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
  });
}
