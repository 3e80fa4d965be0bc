/**
 * Jensen–Shannon divergence JS(P, Q) = ½KL(P‖M) + ½KL(Q‖M), M = (P + Q)/2.
 *
 * ## Method
 * Per element ½p·log(p/m) + ½q·log(q/m); every term is finite because m ≥ p/2 and m ≥ q/2, so JS is
 * bounded by ln 2 even on disjoint supports. This is the divergence: SciPy's `jensenshannon` returns
 * its square root (a distance), so JS = jensenshannon(p, q)².
 *
 * Reference: J. Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37 (1991).
 *
 * @example
 * js(arg('P', [1, 0]), arg('Q', [0, 1])).value // ln 2
 */
import { relEntr } from '../numeric/xlogy';
import type { DiscreteResult, Warning } from '../result';
import type { Tensor } from '../tensor';
import { type Arg, preparePair } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble, type RowKernel, rowwise } from './rowwise';

export const jsKernel: RowKernel = (p, q, sum, terms) => {
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = 0.5 * (a + b);
    const t = 0.5 * relEntr(a, m) + 0.5 * relEntr(b, m);
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

/** ½-weights aside, KL(P‖M) of one row with M = (P+Q)/2 — a part of JS. */
export const klToMixtureP: RowKernel = (p, q, sum) => {
  for (let i = 0; i < p.length; i++) sum.add(relEntr(p[i]!, 0.5 * (p[i]! + q[i]!)));
};

export const klToMixtureQ: RowKernel = (p, q, sum) => klToMixtureP(q, p, sum, undefined);

export function js(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('JS', P, Q, options.normalize ?? true, warnings);
  const m = new Float64Array(p.tensor.data.length);
  for (let i = 0; i < m.length; i++) m[i] = 0.5 * (p.tensor.data[i]! + q.tensor.data[i]!);
  const mixture: Tensor = { shape: p.tensor.shape, data: m };
  return assemble({
    measure: 'JS',
    label: `JS(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: rowwise(p.tensor, q.tensor, jsKernel),
    parts: {
      [`KL(${P.role}‖M)`]: rowwise(p.tensor, q.tensor, klToMixtureP, false).rows,
      [`KL(${Q.role}‖M)`]: rowwise(p.tensor, q.tensor, klToMixtureQ, false).rows,
    },
    mixture,
    unit: resolveUnit(options).unit,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
  });
}
