/** softmax / log_softmax, vae_kl, distill, the k1–k3 estimators and kl_penalty. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { DistillResult, EstimatorResult, Value, VaeResult } from '../../../../src/core/index';
import type { LazyTensor } from '../../../../src/core/lazy';
import { toNested, type Nested } from '../../../../src/core/tensor';
import { allClose, close, errorOf, num, result, tensorOfNested, value } from '../../../helpers/values';

interface ReferenceCase {
  id: string;
  program: string;
  vars: Record<string, Nested>;
  expected: number;
  rtol: number;
  atol: number;
}

/** A case of test/fixtures/reference.json (written by PyTorch, see test/fixtures/generate.py). */
function reference(id: string): ReferenceCase {
  const { cases } = JSON.parse(readFileSync(new URL('../../../fixtures/reference.json', import.meta.url), 'utf8')) as { cases: ReferenceCase[] };
  const c = cases.find((x) => x.id === id);
  assert.ok(c, `no reference case ${id}`);
  return c;
}

const envOf = (vars: Record<string, Nested>) => new Map<string, Value>(Object.entries(vars).map(([k, v]) => [k, { type: 'tensor', tensor: tensorOfNested(v) }]));

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

describe('distill given distributions instead of logits', () => {
  const codes = (r: { warnings: readonly { code: string }[] }): string[] => r.warnings.map((w) => w.code);

  it("warns on softmax'd inputs, whose loss PyTorch also finds collapsed, and not on the logits", () => {
    const softmaxed = reference('distill-inputs/softmax-b4-v10-T4-1');
    const logits = reference('distill-inputs/logits-b4-v10-T4-1');
    const onSoftmax = result(softmaxed.program, { env: envOf(softmaxed.vars) }) as DistillResult;
    const onLogits = result(logits.program, { env: envOf(logits.vars) }) as DistillResult;
    close(onSoftmax.value.data[0]!, softmaxed.expected, softmaxed.rtol, softmaxed.atol, softmaxed.id);
    close(onLogits.value.data[0]!, logits.expected, logits.rtol, logits.atol, logits.id);
    // The same logits: the softmax'd call gives a fraction of the intended loss.
    assert.ok(onSoftmax.value.data[0]! < logits.expected / 10);
    assert.deepEqual(codes(onSoftmax), ['distributions-not-logits']);
    assert.equal(
      onSoftmax.warnings[0]!.message,
      'student and teacher rows are already distributions (each sums to 1); distill takes logits and applies softmax(·/T) itself — pass the logits (or log(p)) instead.',
    );
    assert.equal(onSoftmax.warnings[0]!.span, onSoftmax.span);
    assert.deepEqual(codes(onLogits), []);
  });

  it('does not warn on log-probabilities, which give the logits\' loss', () => {
    const c = reference('distill-inputs/log-softmax-b4-v10-T4-1');
    const r = result(c.program, { env: envOf(c.vars) }) as DistillResult;
    close(r.value.data[0]!, c.expected, c.rtol, c.atol, c.id);
    close(r.value.data[0]!, reference('distill-inputs/logits-b4-v10-T4-1').expected, 1e-12);
    assert.deepEqual(codes(r), []);
  });

  it('names the one argument that is a distribution, and points at it', () => {
    const src = 'distill([[2, 0.5, -1]], softmax([[1, 2, 0.5]]), T=2)';
    const r = result(src) as DistillResult;
    assert.deepEqual(codes(r), ['distributions-not-logits']);
    assert.match(r.warnings[0]!.message, /^teacher rows are already distributions \(each sums to 1\); distill takes logits/);
    assert.equal(src.slice(r.warnings[0]!.span!.start, r.warnings[0]!.span!.end), 'softmax([[1, 2, 0.5]])');
    const single = result('distill([0.2, 0.3, 0.5], [2, 1, 0])') as DistillResult;
    assert.match(single.warnings.find((w) => w.code === 'distributions-not-logits')!.message, /^student is already a distribution \(it sums to 1\)/);
  });

  it('does not warn on logits that are not all rows of a distribution, nor on rows of one outcome', () => {
    // One row that does not sum to 1 makes non-negative rows read as logits (or counts), not distributions.
    assert.deepEqual(codes(result('distill([[0.5, 0.5], [2, 1]], [[1, 0.5], [0, 1]], T=2)')), []);
    assert.deepEqual(codes(result('distill([[0.7, 0.2, 0.3]], [[3, 1, -1]])')), []);
    // With one outcome per row every input sums to 1, and the loss is 0 whatever it holds.
    assert.deepEqual(codes(result('distill([[1], [1]], [[1], [1]])')), []);
  });

  it('warns on streamed operands from their first row', () => {
    // 2²⁰ + 1 rows of 4, generated on demand: above the size that distill streams.
    const rows = (1 << 20) + 1;
    const lazy = (label: string, row: readonly number[]): LazyTensor => ({
      shape: [rows, 4],
      label,
      dtype: 'float64',
      read(start, count, out) {
        for (let i = 0; i < count; i++) out[i] = row[(start + i) % 4]!;
      },
    });
    const env = new Map<string, Value>([
      ['s', { type: 'lazy', lazy: lazy('s.npy', [0.7, 0.1, 0.1, 0.1]) }],
      ['t', { type: 'lazy', lazy: lazy('t.npy', [3, 1, -1, 0.5]) }],
    ]);
    const r = result('distill(s, t, T=2)', { env }) as DistillResult;
    assert.equal(r.teacherProbs, undefined, 'streamed');
    assert.deepEqual(codes(r), ['distributions-not-logits']);
    assert.match(r.warnings[0]!.message, /^student rows are already distributions \(its first row sums to 1\)/);
    env.set('s', { type: 'lazy', lazy: lazy('s.npy', [2, -1, 0.5, 0]) });
    assert.deepEqual(codes(result('distill(s, t, T=2)', { env })), []);
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

  it('take log-probabilities without a warning, −∞ and all-zero (certain) ones included', () => {
    for (const f of ['k1', 'k2', 'k3', 'kl_penalty']) assert.deepEqual(result(prog(f)).warnings, [], f);
    assert.deepEqual(result('k3([0, 0, -inf], [-0.1, 0, -inf])').warnings, []);
    assert.deepEqual(result('kl_penalty([0, 0], [0, 0])').warnings, []);
  });

  it('warn when an argument holds probabilities, naming it and what to pass', () => {
    const src = 'kl_penalty([-1.2, -0.7, -2.3], probs, beta=0.1)';
    const r = result(src, { env: envOf({ probs: [0.3, 0.5, 0.1] }) });
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.message]),
      [
        [
          'probabilities-not-log-probs',
          'logref looks like probabilities, not log-probabilities: its entries are in [0, 1] and some are > 0, which no log-probability is; pass log-probabilities (log p), e.g. log(probs) or log_softmax(logits).',
        ],
      ],
    );
    assert.equal(src.slice(r.warnings[0]!.span!.start, r.warnings[0]!.span!.end), 'probs');
    for (const f of ['k1', 'k2', 'k3']) {
      const both = result(`${f}([0.2, 0.5, 1], [0.3, 0, 0.6])`);
      assert.deepEqual(
        both.warnings.map((w) => w.message.split(' ')[0]),
        ['logp', 'logq'],
        f,
      );
    }
  });

  it('do not warn on positive values beyond 1, which may be log-densities', () => {
    assert.deepEqual(result('k1([1.4, 0.2, -0.3], [1.1, 0.5, 0.2])').warnings, []);
    assert.deepEqual(result('k1([1.4, 0.2], [1.1, 0.5])').warnings, []);
  });
});
