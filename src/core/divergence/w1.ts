/**
 * 1-D Wasserstein-1 (earth mover's) distance between two histograms on the positions 0..n−1.
 *
 * ## Method
 * W1 = ∫|F_P − F_Q| = Σ_{i<n−1} |F_P(i) − F_Q(i)| for unit-spaced positions, where F are the
 * cumulative sums. The running difference F_P − F_Q is accumulated with compensation (one sum of
 * p_i − q_i) rather than as two CDFs subtracted, so mass that cancels does not lose digits.
 * Agrees with `scipy.stats.wasserstein_distance(arange(n), arange(n), p, q)`.
 *
 * Reference: Villani, Optimal Transport: Old and New (2009), §6; Ramdas et al., "On Wasserstein
 * two-sample testing" (2017) for the CDF form.
 *
 * @example
 * wasserstein1(arg('P', [1, 0, 0]), arg('Q', [0, 0, 1])).value // 2
 */
import { CompensatedSum } from '../numeric/sum';
import type { DiscreteResult, Warning } from '../result';
import { type Arg, preparePair } from './operands';
import type { MeasureOptions } from './options';
import { assemble, type RowKernel, rowwise } from './rowwise';

const w1Kernel: RowKernel = (p, q, sum, terms) => {
  const cdfGap = new CompensatedSum();
  for (let i = 0; i < p.length; i++) {
    cdfGap.add(p[i]!);
    cdfGap.add(-q[i]!);
    // The last position's CDFs are both 1: no mass moves past it.
    const t = i === p.length - 1 ? 0 : Math.abs(cdfGap.value());
    sum.add(t);
    if (terms) terms[i] = t;
  }
};

export function wasserstein1(P: Arg, Q: Arg, options: MeasureOptions = {}): DiscreteResult {
  const warnings: Warning[] = [];
  const [p, q] = preparePair('W1', P, Q, options.normalize ?? true, warnings);
  return assemble({
    measure: 'W1',
    label: `W1(${P.role}, ${Q.role})`,
    operands: [p, q],
    output: rowwise(p.tensor, q.tensor, w1Kernel),
    unit: null,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
  });
}
