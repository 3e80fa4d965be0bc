import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asProbabilities, classify } from '../../../../src/core/classify/classify';
import type { Nested, Tensor } from '../../../../src/core/tensor';
import { tensorOfNested } from '../../../helpers/values';
import { logSoftmaxRow, roundAll, roundTo, softmaxRow } from '../../../helpers/rounding';

const kind = (n: Nested): string => classify(tensorOfNested(n)).kind;
const row = (xs: ArrayLike<number>): Tensor => ({ shape: [xs.length], data: Float64Array.from(xs) });

/** A log-sum-exp written out here, to show how far a rounded row is from normalized. */
const lse = (xs: ArrayLike<number>): number => Math.log(Array.from(xs).reduce((a, x) => a + Math.exp(x), 0));
const total = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, x) => a + x, 0);

describe('classify', () => {
  it('tells distributions, counts, log-probabilities and logits apart', () => {
    assert.equal(kind([0.5, 0.3, 0.2]), 'distribution');
    assert.equal(kind([0.5, 0.5 + 5e-7]), 'distribution');
    assert.equal(kind([0.5, 0.5 + 2e-6]), 'counts');
    assert.equal(kind([5, 3, 2]), 'counts');
    assert.equal(kind([0, 0]), 'counts');
    assert.equal(kind([Math.log(0.5), Math.log(0.25), Math.log(0.25)]), 'log-probs');
    assert.equal(kind([-1.2, -0.7, -2.3]), 'per-token log-probs');
    assert.equal(kind([2, -1, 0.5]), 'logits');
  });

  it('reads a number as a row of one', () => {
    assert.equal(classify({ shape: [], data: Float64Array.of(1) }).kind, 'distribution');
    assert.equal(classify({ shape: [], data: Float64Array.of(0.5) }).kind, 'counts');
    assert.equal(classify({ shape: [], data: Float64Array.of(-0.5) }).kind, 'per-token log-probs');
  });

  it('takes −∞ as a log-probability of 0 or a masked logit', () => {
    assert.equal(kind([0, -Infinity]), 'log-probs');
    assert.equal(kind([-Infinity, -Infinity]), 'per-token log-probs');
    assert.equal(kind([1.5, -Infinity, -0.5]), 'logits');
    assert.equal(classify(tensorOfNested([0, -Infinity])).min, -Infinity);
  });

  it('calls NaN and +∞ invalid, naming the first, and keeps min and max of the rest', () => {
    const nan = classify(tensorOfNested([[0.5, 0.5], [NaN, Infinity]]));
    assert.equal(nan.kind, 'invalid');
    assert.equal(nan.problem, 'NaN at index [1, 0]');
    assert.ok(Number.isNaN(nan.sum));
    assert.equal(nan.min, 0.5);
    assert.equal(nan.max, Infinity);
    const inf = classify(tensorOfNested([0.5, Infinity, NaN]));
    assert.equal(inf.problem, '+∞ at index 1');
    const onlyNaN = classify(tensorOfNested([NaN]));
    assert.deepEqual([onlyNaN.kind, onlyNaN.min, onlyNaN.max], ['invalid', Infinity, -Infinity]);
  });

  it('calls an array without entries empty', () => {
    assert.equal(classify({ shape: [0], data: new Float64Array(0) }).kind, 'empty');
    assert.equal(classify({ shape: [3, 0], data: new Float64Array(0) }).kind, 'empty');
  });

  it('reads N-D arrays row by row, and names the first row that is not normalized', () => {
    assert.equal(kind([[0.5, 0.5], [0.9, 0.1]]), 'distribution');
    const counts = classify(tensorOfNested([[0.5, 0.5], [0.9, 0.1], [1, 1], [0.2, 0.2]]));
    assert.deepEqual([counts.kind, counts.row], ['counts', 2]);
    assert.equal(kind([[Math.log(0.5), Math.log(0.5)], [0, -Infinity]]), 'log-probs');
    const tokens = classify(tensorOfNested([[Math.log(0.5), Math.log(0.5)], [-1, -2]]));
    assert.deepEqual([tokens.kind, tokens.row], ['per-token log-probs', 1]);
    // One row of both signs makes the whole array logits.
    assert.equal(kind([[0.5, 0.5], [-1, 2]]), 'logits');
    assert.equal(classify(tensorOfNested([[0.5, 0.5], [0.9, 0.1]])).row, undefined);
  });

  it('sums with compensation', () => {
    assert.equal(classify(tensorOfNested([1, 1e100, 1, -1e100])).sum, 2);
  });

  it('counts float16 and bfloat16 rows as normalized, as they were before rounding', () => {
    const z = [2.1, -0.3, 0.7, 1.9, -1.4, 0.05, 3.3, -2.2, 0.9, 1.1];
    for (const format of ['float16', 'bfloat16'] as const) {
      const p = roundAll(softmaxRow(z), format);
      const logp = roundAll(logSoftmaxRow(z), format);
      // The rounding is far above float64's: without the format's tolerance these would not count.
      assert.ok(Math.abs(total(p) - 1) > 1e-5, `${format} sum ${total(p)}`);
      assert.ok(Math.abs(lse(logp)) > 1e-5, `${format} logsumexp ${lse(logp)}`);
      assert.equal(classify(row(p)).precision, format);
      assert.equal(classify(row(p)).kind, 'distribution', format);
      assert.equal(classify(row(logp)).kind, 'log-probs', format);
      // Told the values are float64, the same rows are not normalized.
      assert.equal(classify(row(p), { precision: 'float64' }).kind, 'counts');
      assert.equal(classify(row(logp), { precision: 'float64' }).kind, 'per-token log-probs');
    }
  });

  it('does not stretch the tolerance to rows that are off by more than rounding', () => {
    const p = roundAll(softmaxRow([2.1, -0.3, 0.7, 1.9]), 'float16');
    p[0] = roundTo(p[0]! + 0.01, 'float16');
    assert.equal(classify(row(p)).precision, 'float16');
    assert.equal(classify(row(p)).kind, 'counts');
  });

  it('turns each kind into probabilities', () => {
    assert.equal(asProbabilities('distribution', 'p'), 'p');
    assert.equal(asProbabilities('counts', 'p'), 'p');
    assert.equal(asProbabilities('log-probs', 'p'), 'exp(p)');
    assert.equal(asProbabilities('per-token log-probs', 'p'), 'softmax(p)');
    assert.equal(asProbabilities('logits', 'p'), 'softmax(p)');
  });
});
