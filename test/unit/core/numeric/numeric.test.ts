import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cholesky, logDetFromCholesky, solveLower } from '../../../../src/core/numeric/cholesky';
import { logSumExp } from '../../../../src/core/numeric/logsumexp';
import { CompensatedSum, sum } from '../../../../src/core/numeric/sum';
import { logRatio, relEntr, xlogx, xlogy } from '../../../../src/core/numeric/xlogy';

describe('CompensatedSum', () => {
  it('recovers what naive summation loses', () => {
    assert.equal(sum([1, 1e100, 1, -1e100]), 2);
    const xs = new Array<number>(1_000_000).fill(0.1);
    assert.equal(sum(xs), 100000);
    assert.notEqual(xs.reduce((a, b) => a + b), 100000); // the naive sum drifts
  });

  it('keeps +∞ and NaN instead of turning them into NaN', () => {
    assert.equal(sum([1, Infinity, 2]), Infinity);
    assert.ok(Number.isNaN(sum([Infinity, -Infinity])));
    assert.ok(Number.isNaN(sum([1, NaN])));
  });

  it('merges partial sums without losing the compensation', () => {
    const a = new CompensatedSum();
    const b = new CompensatedSum();
    a.add(1e100);
    a.add(1);
    b.add(-1e100);
    b.add(1);
    a.merge(b);
    assert.equal(a.value(), 2);
  });
});

describe('0·log 0 conventions', () => {
  it('relEntr follows SciPy rel_entr', () => {
    assert.equal(relEntr(0, 0), 0);
    assert.equal(relEntr(0, 0.5), 0);
    assert.equal(relEntr(0.5, 0), Infinity);
    assert.equal(relEntr(0.5, 0.25), 0.5 * Math.log(2));
  });

  it('logRatio does not overflow or underflow', () => {
    assert.equal(logRatio(1, 1e-320), -Math.log(1e-320));
    assert.equal(logRatio(1e-320, 1), Math.log(1e-320));
    assert.equal(logRatio(2, 1), Math.log(2));
  });

  it('xlogx and xlogy', () => {
    assert.equal(xlogx(0), 0);
    assert.equal(xlogy(0, 0), 0);
    assert.equal(xlogy(1, 0), -Infinity);
  });
});

describe('logSumExp', () => {
  it('is stable for huge and tiny logits and honours the temperature', () => {
    assert.equal(logSumExp([1000, 1000], 0, 2), 1000 + Math.log(2));
    assert.equal(logSumExp([-1000, -1000], 0, 2), -1000 + Math.log(2));
    assert.equal(logSumExp([-Infinity, -Infinity], 0, 2), -Infinity);
    assert.equal(logSumExp([Infinity, 0], 0, 2), Infinity);
    assert.equal(logSumExp([2, 2], 0, 2, 2), 1 + Math.log(2));
  });
});

describe('cholesky', () => {
  it('factors an SPD matrix and solves with it', () => {
    const a = Float64Array.of(4, 2, 2, 3);
    const l = cholesky(a, 2)!;
    assert.deepEqual(Array.from(l), [2, 0, 1, Math.SQRT2]);
    assert.ok(Math.abs(logDetFromCholesky(l, 2) - Math.log(8)) < 1e-15);
    const x = solveLower(l, 2, Float64Array.of(2, 1 + Math.SQRT2));
    assert.equal(x[0], 1);
    assert.ok(Math.abs(x[1]! - 1) < 1e-15);
  });

  it('returns undefined when the matrix is not positive definite', () => {
    assert.equal(cholesky(Float64Array.of(1, 2, 2, 1), 2), undefined);
    assert.equal(cholesky(Float64Array.of(0), 1), undefined);
  });
});
