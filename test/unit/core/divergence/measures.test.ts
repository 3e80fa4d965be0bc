/** JS, entropy / cross-entropy, Jeffreys, TV, Hellinger, W1 and MI: named edge cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiscreteResult } from '../../../../src/core/index';
import { toNested } from '../../../../src/core/tensor';
import { allClose, close, errorOf, num, result, value } from '../../../helpers/values';

const discrete = (src: string): DiscreteResult => result(src) as DiscreteResult;
const LN2 = Math.LN2;

describe('JS', () => {
  it('is ln 2 on disjoint supports and 0 on equal inputs', () => {
    close(num('JS([1, 0] || [0, 1])'), LN2);
    close(num('JS([1, 0], [0, 1], base=2)'), 1);
    assert.equal(num('JS([0.2, 0.8], [0.2, 0.8])'), 0);
  });

  it('keeps the mixture and both halves', () => {
    const r = discrete('JS([1, 0], [0.5, 0.5])');
    assert.deepEqual(toNested(r.mixture!), [0.75, 0.25]);
    const klPM = Math.log(1 / 0.75);
    const klQM = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    close(toNested(r.parts!['KL(P‖M)']!) as number, klPM);
    close(toNested(r.parts!['KL(Q‖M)']!) as number, klQM);
    close(r.value.data[0]!, 0.5 * klPM + 0.5 * klQM);
  });

  it('refuses Gaussians', () => {
    assert.match(errorOf(() => result('JS(N(0, 1), N(1, 1))')).message, /no closed form for Gaussians/);
  });
});

describe('H and CE', () => {
  it('entropy of uniform and point masses', () => {
    close(num('H([0.25, 0.25, 0.25, 0.25])'), Math.log(4));
    close(num('H([1, 1, 1, 1], base=2)'), 2);
    assert.equal(num('H([1, 0, 0])'), 0);
    close(num('H([1])'), 0);
  });

  it('cross-entropy satisfies H(P,Q) = H(P) + KL(P‖Q) and keeps both parts', () => {
    const r = discrete('H([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])');
    const h = num('H([0.5, 0.3, 0.2])');
    const kl = num('KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])');
    close(r.value.data[0]!, h + kl, 1e-15);
    close(toNested(r.parts!['H(P)']!) as number, h);
    close(toNested(r.parts!['KL(P‖Q)']!) as number, kl);
    assert.equal(num('CE([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])'), r.value.data[0]);
  });

  it('cross-entropy is +∞ where q = 0 < p', () => {
    const r = discrete('CE([0.5, 0.5], [1, 0])');
    assert.equal(r.value.data[0], Infinity);
    assert.equal(r.warnings[0]!.code, 'infinite');
  });

  it('per row', () => {
    const v = value('H([[1, 1], [1, 0]])') as number[];
    close(v[0]!, LN2);
    assert.equal(v[1], 0);
  });
});

describe('Jeffreys', () => {
  it('is KL(P‖Q) + KL(Q‖P)', () => {
    const r = discrete('Jeffreys([0.5, 0.5], [0.9, 0.1])');
    close(r.value.data[0]!, num('KL([0.5, 0.5] || [0.9, 0.1])') + num('KL([0.9, 0.1] || [0.5, 0.5])'), 1e-15);
    assert.equal(Object.keys(r.parts!).length, 2);
  });

  it('is +∞ when either support misses the other', () => {
    assert.equal(num('Jeffreys([1, 0], [0.5, 0.5])'), Infinity);
  });
});

describe('TV, Hellinger, W1', () => {
  it('have no unit and take their extreme values at the edges', () => {
    const tv = discrete('TV([1, 0], [0, 1])');
    assert.equal(tv.unit, null);
    assert.equal(tv.value.data[0], 1);
    assert.equal(num('Hellinger([1, 0], [0, 1])'), 1);
    assert.equal(num('Hellinger([0.3, 0.7], [0.3, 0.7])'), 0);
    close(num('TV([0.5, 0.5], [0.9, 0.1])'), 0.4);
    close(num('Hellinger([0.5, 0.5], [0.9, 0.1])'), Math.sqrt(0.5 * ((Math.sqrt(0.5) - Math.sqrt(0.9)) ** 2 + (Math.sqrt(0.5) - Math.sqrt(0.1)) ** 2)));
  });

  it('W1 moves mass along positions 0..n−1', () => {
    assert.equal(num('W1([1, 0, 0], [0, 0, 1])'), 2);
    assert.equal(num('W1([1, 0, 0], [0, 1, 0])'), 1);
    close(num('W1([0.5, 0, 0.5], [0, 1, 0])'), 1);
    assert.equal(num('W1([1], [1])'), 0);
    assert.deepEqual(value('W1([[1, 0], [0, 1]], [[0, 1], [0, 1]])'), [1, 0]);
  });

  it('reject base=, which has no meaning for distances', () => {
    assert.match(errorOf(() => result('TV([1], [1], base=2)')).message, /TV: unknown option 'base'/);
  });
});

describe('MI', () => {
  it('is ln 2 for a perfectly dependent fair pair and 0 for an independent table', () => {
    close(num('MI([[0.5, 0], [0, 0.5]])'), LN2);
    close(num('MI([[1, 2], [2, 4]])'), 0, 0, 1e-16);
    close(num('MI([[1, 0], [0, 1]], base=2)'), 1);
  });

  it('keeps the marginals and normalizes counts', () => {
    const r = discrete('MI([[10, 30], [20, 40]])');
    allClose(toNested(r.marginals!.rows), [0.4, 0.6], 1e-15);
    allClose(toNested(r.marginals!.cols), [0.3, 0.7], 1e-15);
    assert.equal(r.warnings[0]!.code, 'normalized');
  });

  it('needs a 2-D table', () => {
    assert.equal(errorOf(() => result('MI([0.5, 0.5])')).message, 'MI: argument J must be a 2-D joint table (rows × columns), got shape [2]');
    assert.match(errorOf(() => result('MI([[0.5, -0.5], [0.5, 0.5]])')).message, /MI: argument J has a negative entry -0.5 at index \[0, 1\]/);
  });
});
