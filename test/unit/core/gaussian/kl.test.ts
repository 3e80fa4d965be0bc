import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GaussianResult } from '../../../../src/core/index';
import { toNested } from '../../../../src/core/tensor';
import { close, errorOf, num, result, value } from '../../../helpers/values';

const gaussian = (src: string): GaussianResult => result(src) as GaussianResult;
/** Univariate closed form written out independently of the implementation. */
const kl1 = (m1: number, v1: number, m2: number, v2: number): number => 0.5 * (v1 / v2 + (m2 - m1) ** 2 / v2 - 1 + Math.log(v2 / v1));

describe('Gaussian KL', () => {
  it('univariate by variance (N) and by scale (Normal)', () => {
    close(num('KL(N(0, 1) || N(1, 2))'), kl1(0, 1, 1, 2), 1e-15);
    close(num('KL(Normal(0, 1) || Normal(1, 2))'), kl1(0, 1, 1, 4), 1e-15);
    assert.equal(num('KL(N(3, 2) || N(3, 2))'), 0);
  });

  it('carries the reverse direction and the three parts', () => {
    const r = gaussian('KL(N(0, 1) || N(1, 2))');
    close(r.reverse!.value.data[0]!, kl1(1, 2, 0, 1), 1e-15);
    assert.deepEqual(r.parts, { dim: 1, trace: 0.5, mahalanobis: 0.5, logDetRatio: Math.log(2) });
  });

  it('diagonal: sums dimensions, "none" gives them one by one, scalars broadcast', () => {
    const expected = [kl1(0, 1, 0, 1), kl1(0, 1, 1, 2), kl1(0, 1, 2, 3)];
    const per = value('KL(N(0, 1) || N([0, 1, 2], [1, 2, 3]), reduction="none")') as number[];
    expected.forEach((x, i) => close(per[i]!, x, 1e-15));
    close(num('KL(N(0, 1) || N([0, 1, 2], [1, 2, 3]))'), expected.reduce((a, b) => a + b), 1e-15);
    close(num('KL(N(0, 1) || N([0, 1, 2], [1, 2, 3]), reduction="mean")'), expected.reduce((a, b) => a + b) / 3, 1e-15);
  });

  it('full covariance equals the diagonal formula on a diagonal matrix', () => {
    const full = num('KL(N([0, 1], [[1, 0], [0, 2]]) || N([1, 0], [[3, 0], [0, 4]]))');
    close(full, kl1(0, 1, 1, 3) + kl1(1, 2, 0, 4), 1e-14);
  });

  it('full covariance: trace, Mahalanobis and log-det of a correlated pair', () => {
    // Σ₁ = I, Σ₂ = [[2, 1], [1, 2]]: Σ₂⁻¹ = [[2, −1], [−1, 2]]/3, det Σ₂ = 3.
    const r = gaussian('KL(N([0, 0], [[1, 0], [0, 1]]) || N([1, 1], [[2, 1], [1, 2]]))');
    close(r.parts!.trace, 4 / 3, 1e-15);
    close(r.parts!.mahalanobis, 2 / 3, 1e-15);
    close(r.parts!.logDetRatio, Math.log(3), 1e-15);
    close(r.value.data[0]!, 0.5 * (4 / 3 + 2 / 3 - 2 + Math.log(3)), 1e-15);
    assert.match(errorOf(() => result('KL(N([0, 0], [[1, 0.5], [0.5, 1]]) || N(0, 1), reduction="none")')).message, /only for diagonal covariances/);
  });

  it('entropy and Jeffreys', () => {
    close(num('H(N(0, 1))'), 0.5 * (1 + Math.log(2 * Math.PI)), 1e-15);
    close(num('H(N([0, 0], [[2, 0], [0, 2]]))'), 1 + Math.log(2 * Math.PI) + 0.5 * Math.log(4), 1e-15);
    close(num('Jeffreys(N(0, 1), N(1, 2))'), kl1(0, 1, 1, 2) + kl1(1, 2, 0, 1), 1e-15);
    assert.equal(gaussian('H(N(0, 1), base=2)').unit!.name, 'bits');
  });

  it('rejects invalid parameters naming them', () => {
    const msg = (src: string): string => errorOf(() => result(src)).message;
    assert.equal(msg('KL(N(0, 0) || N(0, 1))'), 'N: argument var must be positive (a variance), got 0 at index 0');
    assert.equal(msg('KL(Normal(0, -1) || N(0, 1))'), 'Normal: argument scale must be positive, got -1 at index 0');
    assert.equal(msg('KL(N([0, 0], [[1, 2], [2, 1]]) || N(0, 1))'), 'N: argument var is not positive definite (its Cholesky factorisation fails)');
    assert.equal(msg('KL(N([0, 0], [[1, 0.5], [0, 1]]) || N(0, 1))'), 'N: argument var is not symmetric: entry [1, 0] = 0 but [0, 1] = 0.5');
    assert.equal(msg('KL(N([0, 0], [1, 1, 1]) || N(0, 1))'), 'N: argument var has 3 entries but the mean has 2');
    assert.equal(msg('KL(N([0, 0], 1) || N([0, 0, 0], 1))'), 'KL: P is 2-dimensional but Q is 3-dimensional');
    assert.equal(msg('KL(N([[0]], 1) || N(0, 1))'), 'N: argument mu must be a scalar or a vector, got shape [1, 1]');
    assert.equal(msg('KL(N(nan, 1) || N(0, 1))'), 'N: argument mu has NaN at index 0; Gaussian parameters must be finite');
    assert.match(msg('KL(N(0, 1) || N(0, 1), normalize=false)'), /normalize= applies to discrete distributions/);
    assert.match(msg('KL(N(0, 1) || N(0, 1), reduction="batchmean")'), /batchmean" applies to batches/);
  });

  it('keeps the Gaussians as used, broadcast to the common dimension', () => {
    const r = gaussian('KL(N(0, 1) || N([1, 2], [1, 1]))');
    assert.deepEqual(Array.from(r.p.mean), [0, 0]);
    assert.deepEqual(toNested(r.perDim!), [0.5, 2]);
  });
});
