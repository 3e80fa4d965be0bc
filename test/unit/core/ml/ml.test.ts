/** softmax / log_softmax, vae_kl, distill, the k1–k3 estimators and kl_penalty. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistillResult, EstimatorResult, VaeResult } from '../../../../src/core/index';
import { toNested } from '../../../../src/core/tensor';
import { allClose, close, errorOf, num, result, value } from '../../../helpers/values';

describe('softmax and log_softmax', () => {
  it('survive huge logits by subtracting the maximum', () => {
    allClose(value('softmax([1000, 1000, 0])'), [0.5, 0.5, 0]);
    allClose(value('log_softmax([1000, 1000])'), [-Math.LN2, -Math.LN2]);
    allClose(value('softmax([-1000, -1000])'), [0.5, 0.5]);
  });

  it('apply the temperature and work per row', () => {
    const z = Math.exp(1 / 2) + Math.exp(2 / 2);
    allClose(value('softmax([[1, 2], [0, 0]], T=2)'), [[Math.exp(0.5) / z, Math.exp(1) / z], [0.5, 0.5]]);
  });

  it('treat −∞ logits as masked', () => {
    allClose(value('softmax([0, -inf])'), [1, 0]);
    assert.match(errorOf(() => result('softmax([0, inf])')).message, /logits must be finite or −∞/);
    assert.match(errorOf(() => result('softmax([nan, 1])')).message, /logits must be finite or −∞/);
  });
});

describe('vae_kl', () => {
  it('is 0 at the prior and matches −½Σ(1 + logvar − μ² − exp(logvar))', () => {
    assert.equal(num('vae_kl([0, 0], [0, 0])'), 0);
    const mu = [0.5, -1];
    const lv = [0.2, -0.7];
    const expected = -0.5 * mu.reduce((s, m, i) => s + 1 + lv[i]! - m * m - Math.exp(lv[i]!), 0);
    const r = result('vae_kl([0.5, -1], [0.2, -0.7])') as VaeResult;
    close(r.value.data[0]!, expected, 1e-14);
    assert.equal(r.terms.data.length, 2);
  });

  it('gives one value per row for a batch', () => {
    assert.deepEqual((value('vae_kl([[0, 0], [0, 0]], [[0, 0], [0, 0]])') as number[]).length, 2);
  });
});

describe('distill', () => {
  it('is T² · batchmean KL(softmax(t/T) ‖ softmax(s/T))', () => {
    const r = result('distill([[1, 2, 3], [0, 0, 1]], [[3, 2, 1], [0, 1, 0]], T=2)') as DistillResult;
    const kl = (s: string, t: string): number => num(`KL(softmax(${t}, T=2) || softmax(${s}, T=2))`);
    const expected = (4 * (kl('[1, 2, 3]', '[3, 2, 1]') + kl('[0, 0, 1]', '[0, 1, 0]'))) / 2;
    close(r.value.data[0]!, expected, 1e-13);
    close(r.batchmean * 4, expected, 1e-13);
    assert.equal(r.temperature, 2);
    assert.equal(r.klRows.data.length, 2);
  });

  it('is 0 when student and teacher agree, and flags 1-D input like PyTorch', () => {
    assert.equal(num('distill([[1, 2]], [[1, 2]], T=4)'), 0);
    const r = result('distill([1, 2, 3], [3, 2, 1])') as DistillResult;
    assert.equal(r.warnings[0]!.code, 'batchmean-1d');
  });

  it('rejects mismatched logits', () => {
    assert.equal(errorOf(() => result('distill([[1, 2]], [[1, 2, 3]])')).message, 'distill: argument teacher has 3 entries along the last axis but student has 2');
  });
});

describe('k1, k2, k3 and kl_penalty', () => {
  const logp = [-1, -2, -0.5];
  const logq = [-1.5, -1, -0.5];
  const prog = (f: string, extra = ''): string => `${f}([${logp}], [${logq}]${extra})`;

  it('are the per-sample estimators', () => {
    allClose(value(prog('k1')), logp.map((a, i) => a - logq[i]!));
    allClose(value(prog('k2')), logp.map((a, i) => 0.5 * (a - logq[i]!) ** 2));
    allClose(value(prog('k3')), logp.map((a, i) => Math.exp(logq[i]! - a) - 1 - (logq[i]! - a)), 1e-15, 1e-16);
    const r = result(prog('k3')) as EstimatorResult;
    close(r.mean, (toNested(r.samples) as number[]).reduce((a, b) => a + b) / 3, 1e-15);
  });

  it('k3 is never negative, even where the policies agree to rounding', () => {
    for (const x of value('k3([-1, -1e-12, -3], [-1 + 1e-12, 0, -3])') as number[]) assert.ok(x >= 0);
  });

  it('kl_penalty is β·k with defaults β = 0.05, k1', () => {
    allClose(value(prog('kl_penalty')), logp.map((a, i) => 0.05 * (a - logq[i]!)));
    allClose(value(prog('kl_penalty', ', beta=0.1, estimator="k2"')), logp.map((a, i) => 0.1 * 0.5 * (a - logq[i]!) ** 2));
    close(num(prog('kl_penalty', ', reduction="mean"')), (0.05 * logp.reduce((s, a, i) => s + a - logq[i]!, 0)) / 3, 1e-15);
    assert.match(errorOf(() => result(prog('kl_penalty', ', estimator="k4"'))).message, /estimator must be one of "k1", "k2", "k3", got "k4"/);
  });
});
