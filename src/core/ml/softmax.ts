/**
 * softmax and log_softmax along the last axis, with temperature.
 *
 * ## Method
 * log_softmax(x/T)ᵢ = xᵢ/T − logsumexp(x/T), with the row maximum subtracted inside logsumexp (as
 * tfjs and PyTorch do), so logits of any magnitude neither overflow nor lose the small entries;
 * softmax is exp of that. Agrees with `scipy.special.softmax(x / T, axis=-1)`.
 *
 * @example
 * softmax({ shape: [3], data: Float64Array.of(1000, 1000, 0) }).data // [0.5, 0.5, 0]
 */
import { logSumExp } from '../numeric/logsumexp';
import { lastDim, rowCount, type Tensor } from '../tensor';

export function logSoftmax(x: Tensor, temperature = 1): Tensor {
  const n = lastDim(x);
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < rowCount(x); r++) {
    const lo = r * n;
    const lse = logSumExp(x.data, lo, lo + n, temperature);
    for (let i = lo; i < lo + n; i++) out[i] = x.data[i]! / temperature - lse;
  }
  return { shape: x.shape, data: out };
}

export function softmax(x: Tensor, temperature = 1): Tensor {
  const logp = logSoftmax(x, temperature);
  return { shape: x.shape, data: logp.data.map(Math.exp) };
}
