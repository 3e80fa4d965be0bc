import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asProbabilities, classifyArray } from '../../../../src/core/selection/classify';
import { tensorOfNested } from '../../../helpers/values';
import type { Nested } from '../../../../src/core/tensor';

const kind = (n: Nested): string => classifyArray(tensorOfNested(n)).kind;

describe('classifyArray', () => {
  it('tells distributions, counts, log-probabilities and logits apart', () => {
    assert.equal(kind([0.5, 0.3, 0.2]), 'distribution');
    assert.equal(kind([0.5, 0.5 + 5e-7]), 'distribution');
    assert.equal(kind([0.5, 0.5 + 2e-6]), 'counts');
    assert.equal(kind([5, 3, 2]), 'counts');
    assert.equal(kind([0, 0]), 'counts');
    assert.equal(kind([Math.log(0.5), Math.log(0.25), Math.log(0.25)]), 'log-probs');
    assert.equal(kind([0, -Infinity]), 'log-probs');
    assert.equal(kind([-1, -2, -3]), 'logits');
    assert.equal(kind([2, -1, 0.5]), 'logits');
  });

  it('reads N-D arrays row by row, along the last axis', () => {
    assert.equal(kind([[0.5, 0.5], [0.9, 0.1]]), 'distribution');
    assert.equal(kind([[0.5, 0.5], [1, 1]]), 'counts');
    assert.equal(kind([[Math.log(0.5), Math.log(0.5)], [0, -Infinity]]), 'log-probs');
  });

  it('sums with compensation and names what makes an array unusable', () => {
    const c = classifyArray(tensorOfNested([1, 1e100, 1, -1e100]));
    assert.equal(c.sum, 2);
    assert.deepEqual(classifyArray(tensorOfNested([0.5, NaN])), { kind: 'invalid', sum: NaN, problem: 'NaN at index 1' });
    assert.deepEqual(classifyArray(tensorOfNested([0.5, Infinity])), { kind: 'invalid', sum: Infinity, problem: '+∞ at index 1' });
  });

  it('turns each kind into probabilities', () => {
    assert.equal(asProbabilities('distribution', 'p'), 'p');
    assert.equal(asProbabilities('counts', 'p'), 'p');
    assert.equal(asProbabilities('log-probs', 'p'), 'exp(p)');
    assert.equal(asProbabilities('logits', 'p'), 'softmax(p)');
  });
});
