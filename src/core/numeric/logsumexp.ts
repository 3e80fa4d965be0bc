import { CompensatedSum } from './sum';

/**
 * log Σ exp(x_i / T) over `xs[start..end)`, stable for any magnitude of logits.
 *
 * ## Method
 * Subtracts the maximum before exponentiating (as tfjs `logSumExp` and `torch.logsumexp` do) so the
 * largest term is exp(0) = 1 and nothing overflows; the exponentials are summed with compensation.
 * An all −∞ row gives −∞; a row containing +∞ gives +∞.
 */
export function logSumExp(xs: ArrayLike<number>, start: number, end: number, temperature = 1): number {
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = xs[i]! / temperature;
    if (v > max) max = v;
  }
  if (max === -Infinity || max === Infinity) return max;
  const s = new CompensatedSum();
  for (let i = start; i < end; i++) s.add(Math.exp(xs[i]! / temperature - max));
  return max + Math.log(s.value());
}
