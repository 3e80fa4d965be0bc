/**
 * Charts of a result: SVG strings built without a DOM, each with the numbers it shows as a table.
 * Same input, same bytes: no randomness, no global state, ids derived from the content.
 *
 * | result | charts |
 * |---|---|
 * | KL, JS, CE, Jeffreys, TV, Hellinger, W1 | distributions, contributions (+ cumulative beyond top-k elements) |
 * | H | distributions (P alone), contributions (−p log p) (+ cumulative) |
 * | MI | joint and contributions heatmaps; top-k cells and cumulative for large tables |
 * | N-D input (any of the above) | rows first, then the element charts of the largest row |
 * | Gaussian, 1-D | densities |
 * | Gaussian, 2-D | ellipses |
 * | Gaussian, k > 2 | dimensions (diagonal: per-dimension bars), ellipses of the marginal over dims 0 and 1 |
 * | vae_kl | dimensions, rows (batched) |
 * | distill | distributions (teacher vs student, row 0), rows (per-row KL) |
 * | k1, k2, k3, kl_penalty | rows (per-token samples with their mean) |
 */
import { formatTensor } from '../format';
import type { Result } from '../result';
import { contextFor } from './context';
import { discreteCharts } from './discrete';
import { gaussianCharts } from './gaussian';
import { distillCharts, estimatorCharts, vaeCharts } from './ml';
import type { Chart, ChartOptions } from './model';

export type { Chart, ChartOptions, DataTable, ResolvedColors } from './model';

/**
 * The charts that explain `result`, in reading order (possibly none, e.g. a streamed scalar).
 * @example
 * charts(result).map((c) => c.id) // ['distributions', 'contributions'] for KL(p || q)
 */
export function charts(result: Result, options: ChartOptions = {}): Chart[] {
  const ctx = contextFor(options, `${result.kind} ${result.label} ${formatTensor(result.value, { digits: 17, maxItems: 6 })}`);
  switch (result.kind) {
    case 'discrete':
      return discreteCharts(result, ctx);
    case 'gaussian':
      return gaussianCharts(result, ctx);
    case 'vae':
      return vaeCharts(result, ctx);
    case 'distill':
      return distillCharts(result, ctx);
    case 'estimator':
      return estimatorCharts(result, ctx);
  }
}
