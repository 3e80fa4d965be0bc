import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiscreteResult } from '../../../../src/core/index';
import { toNested } from '../../../../src/core/tensor';
import { close, errorOf, num, result, value } from '../../../helpers/values';

const discrete = (src: string): DiscreteResult => result(src) as DiscreteResult;
const klDef = (p: number[], q: number[]): number => p.reduce((s, x, i) => (x === 0 ? s : s + x * Math.log(x / q[i]!)), 0);

describe('KL', () => {
  it('is Σ p log(p/q) with the reverse direction alongside', () => {
    const r = discrete('KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])');
    close(r.value.data[0]!, klDef([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]));
    close(r.reverse!.value.data[0]!, klDef([0.4, 0.4, 0.2], [0.5, 0.3, 0.2]));
    assert.equal(r.unit?.name, 'nats');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      toNested(r.terms!),
      [0.5 * Math.log(0.5 / 0.4), 0.3 * Math.log(0.3 / 0.4), 0],
    );
  });

  it('takes 0·log(0/q) = 0', () => {
    close(num('KL([0.5, 0.5, 0] || [0.25, 0.25, 0.5])'), Math.log(2));
    assert.equal(num('KL([0, 1] || [0, 1])'), 0);
  });

  it('is +∞ where q = 0 < p and names the indices, never clipping', () => {
    const r = discrete('KL([0.5, 0.25, 0.25] || [1, 0, 0])');
    assert.equal(r.value.data[0], Infinity);
    assert.deepEqual(r.infinite, { count: 2, indices: [[1], [2]] });
    assert.equal(r.warnings[0]!.code, 'infinite');
    assert.match(r.warnings[0]!.message, /Q = 0 where P > 0 at index 1, 2\. .*use JS/);
    // The reverse direction is finite: P covers Q.
    close(r.reverse!.value.data[0]!, Math.log(2));
    const rows = discrete('KL([[1, 0], [0.5, 0.5]] || [[1, 0], [1, 0]])');
    assert.deepEqual(toNested(rows.value), [0, Infinity]);
    assert.deepEqual(rows.infinite!.indices, [[1, 1]]);
  });

  it('stays finite when the ratio p/q overflows', () => {
    // 0.5 / 1e-320 overflows to ∞ in one division; log p − log q does not.
    const q = 1e-320;
    close(num(`KL([0.5, 0.5] || [${q}, ${1 - q}], normalize=false)`), 0.5 * (Math.log(0.5) - Math.log(q)) + 0.5 * Math.log(0.5 / (1 - q)), 1e-13);
  });

  it('normalizes counts with a warning, or keeps them with normalize=false', () => {
    const r = discrete('KL([5, 3, 2] || [4, 4, 2])');
    close(r.value.data[0]!, klDef([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]));
    assert.deepEqual(r.warnings.map((w) => w.code), ['normalized', 'normalized']);
    assert.match(r.warnings[0]!.message, /P sums to 10, not 1/);
    assert.equal(r.operands[0]!.rescaled, true);
    assert.deepEqual(toNested(r.operands[0]!.sums!), 10);
    const raw = discrete('KL([5, 3, 2] || [4, 4, 2], normalize=false)');
    close(raw.value.data[0]!, klDef([5, 3, 2], [4, 4, 2]));
    assert.equal(raw.warnings[0]!.code, 'not-normalized');
  });

  it('does not warn about rounding noise in the sum', () => {
    assert.deepEqual(discrete('KL([0.1, 0.2, 0.7] || [1/3, 1/3, 1/3])').warnings, []);
  });

  it('converts units with base=', () => {
    const nats = num('KL([0.5, 0.5] || [0.9, 0.1])');
    const bits = discrete('KL([0.5, 0.5] || [0.9, 0.1], base=2)');
    close(bits.value.data[0]!, nats / Math.LN2);
    assert.equal(bits.unit!.name, 'bits');
    assert.equal(discrete('KL([1] || [1], base="bits")').unit!.name, 'bits');
    assert.equal(discrete('KL([1] || [1], base=10)').unit!.name, 'hartleys');
    assert.equal(discrete('KL([1] || [1], base=3)').unit!.name, 'log base 3 units');
    close(num('KL([0.5, 0.5] || [0.9, 0.1], base=e)'), nats);
  });

  it('works per row on N-D input with every reduction', () => {
    const p = '[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]]';
    const q = '[[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]]';
    const rows = [klDef([0.5, 0.5], [0.9, 0.1]), klDef([0.9, 0.1], [0.5, 0.5]), 0];
    const total = rows[0]! + rows[1]!;
    const none = value(`KL(${p} || ${q})`) as number[];
    rows.forEach((x, i) => close(none[i]!, x));
    close(num(`KL(${p} || ${q}, reduction="sum")`), total);
    close(num(`KL(${p} || ${q}, reduction="mean")`), total / 3);
    close(num(`KL(${p} || ${q}, reduction="batchmean")`), total / 3);
    // batchmean divides by the first dimension, not the number of rows, as F.kl_div does.
    const p3 = `[${p}, ${p}]`;
    const q3 = `[${q}, ${q}]`;
    close(num(`KL(${p3} || ${q3}, reduction="batchmean")`), (2 * total) / 2);
    close(num(`KL(${p3} || ${q3}, reduction="mean")`), (2 * total) / 6);
    assert.deepEqual(discrete(`KL(${p3} || ${q3})`).value.shape, [2, 3]);
    assert.equal(discrete(`KL(${p} || ${q}, reduction="mean")`).warnings.at(-1)!.code, 'mean-reduction');
  });

  it('flags batchmean on a single distribution (PyTorch divides by its length)', () => {
    const r = discrete('KL([0.5, 0.5] || [0.9, 0.1], reduction="batchmean")');
    close(r.value.data[0]!, klDef([0.5, 0.5], [0.9, 0.1]) / 2);
    assert.equal(r.warnings.at(-1)!.code, 'batchmean-1d');
  });

  it('broadcasts a single Q against a batch of P', () => {
    const v = value('KL([[0.5, 0.5], [0.9, 0.1]] || [0.9, 0.1])') as number[];
    close(v[0]!, klDef([0.5, 0.5], [0.9, 0.1]));
    assert.equal(v[1], 0);
  });

  it('rejects bad input naming the argument', () => {
    const msg = (src: string): string => errorOf(() => result(src)).message;
    assert.equal(msg('KL([0.5, -0.1, 0.6] || [0.3, 0.3, 0.4])'), 'KL: argument P has a negative entry -0.1 at index 1; probabilities must be ≥ 0');
    assert.equal(msg('KL([0.5, 0.5] || [nan, 1])'), 'KL: argument Q has NaN at index 0');
    assert.equal(msg('KL([[0.5, 0.5], [0.5, inf]] || [0.5, 0.5])'), 'KL: argument P has an infinite entry at index [1, 1]');
    assert.equal(msg('KL([] || [])'), 'KL: argument P is empty (shape [0])');
    assert.equal(msg('KL([0.2, 0.3, 0.5] || [0.5, 0.5])'), 'KL: argument Q has 2 entries but P has 3');
    assert.equal(msg('KL([[1, 1], [1, 1]] || [[1, 1], [1, 1], [1, 1]])'), 'KL: argument Q has shape [3, 2] but P has shape [2, 2]');
    assert.equal(msg('KL([0, 0] || [0.5, 0.5])'), 'KL: argument P sums to 0, so it cannot be normalized');
    assert.equal(msg('KL([[1, 0], [0, 0]] || [0.5, 0.5])'), 'KL: argument P row 1 sums to 0, so it cannot be normalized');
    assert.equal(msg('KL("p" || [1])'), 'KL: argument P must be numbers, got a string');
    assert.equal(msg('KL(N(0, 1) || [0.5, 0.5])'), 'KL: P is a Gaussian but Q is an array of 2; compare a Gaussian with a Gaussian');
  });

  it('points the error at the argument', () => {
    const e = errorOf(() => result('KL([0.5, 0.5] || [0.2, 0.3, 0.5])'));
    assert.deepEqual(e.span, { start: 17, end: 32 });
  });
});
