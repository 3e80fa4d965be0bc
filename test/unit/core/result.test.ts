/**
 * What results carry beside their value, against PyTorch (the "result-fields" cases of
 * test/fixtures/reference.json, made by test/fixtures/generate.py): the Gaussian entropy's ln det Σ
 * and joint value, both directions of a Gaussian KL and Jeffreys under every reduction, and
 * distill's KL before T² under every reduction.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { charts } from '../../../src/core/chart/index';
import { derive } from '../../../src/core/derive/index';
import type { Result, Value } from '../../../src/core/index';
import { toNested, type Nested, type Tensor } from '../../../src/core/tensor';
import { allClose, result, tensorOfNested } from '../../helpers/values';

interface Field {
  expected: Nested;
  rtol: number;
  atol: number;
}

interface Case {
  id: string;
  program: string;
  vars: Record<string, Nested>;
  fields?: Record<string, Field>;
}

const cases = (JSON.parse(readFileSync(new URL('../../fixtures/reference.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases.filter(
  (c) => c.fields,
);

function evaluate(c: Case): Result {
  const env = new Map<string, Value>(Object.entries(c.vars).map(([k, v]) => [k, { type: 'tensor', tensor: tensorOfNested(v) }]));
  return result(c.program, { env });
}

/** A dotted path into the result; tensors become nested arrays. */
function at(r: Result, path: string): Nested {
  let x: unknown = r;
  for (const key of path.split('.')) {
    assert.ok(x !== null && typeof x === 'object' && key in x, `the result has no ${path}`);
    x = (x as Record<string, unknown>)[key];
  }
  if (typeof x === 'number') return x;
  assert.ok(x && typeof x === 'object' && 'shape' in x && 'data' in x, `${path} is a number or a tensor`);
  return toNested(x as Tensor);
}

describe('result fields (PyTorch)', () => {
  it('the fixture has cases for every gap it covers', () => {
    const ids = cases.map((c) => c.id).join(' ');
    for (const family of ['gauss-entropy-full', 'gauss-entropy-diag-d4-none', 'gauss-jeffreys-full', 'gauss-jeffreys-diag-d4-mean', 'gauss-kl-diag-d4-mean']) {
      assert.match(ids, new RegExp(family));
    }
    for (const reduction of ['none', 'sum', 'mean', 'batchmean']) assert.match(ids, new RegExp(`distill-\\S+-${reduction}-1`));
  });

  for (const c of cases) {
    it(`${c.id}: ${c.program}`, () => {
      const r = evaluate(c);
      for (const [path, f] of Object.entries(c.fields!)) allClose(at(r, path), f.expected, f.rtol, f.atol, `${c.id} ${path}`);
    });
  }
});

describe('derivations and charts read these fields', () => {
  const byId = (id: string) => cases.find((c) => c.id.startsWith(id))!;

  it('distill: the T² step starts from the KL reduced as asked, for every reduction', () => {
    for (const reduction of ['sum', 'mean', 'batchmean']) {
      const c = byId(`result-fields/distill-b4-v10-T3-${reduction}`);
      const kl = c.fields!['kl']!.expected as number;
      const step = derive(evaluate(c), { digits: 5 }).find((s) => s.title === 'Temperature factor');
      assert.ok(step, reduction);
      // T² · <kl> = 9 · <kl> = <value>: the number after "·" is the pre-T² KL to 5 digits.
      const shown = Number(step.text.match(/^T² · ([-\d.e]+) =/)?.[1]);
      assert.ok(Math.abs(shown - kl) <= 5e-5 * Math.abs(kl), `${reduction}: ${step.text} vs PyTorch ${kl}`);
    }
  });

  it('Gaussian Jeffreys: the total is the sum of the two directions PyTorch gives', () => {
    const c = byId('result-fields/gauss-jeffreys-full-d3');
    const step = derive(evaluate(c), { digits: 5 }).find((s) => s.title === 'Total')!;
    const [a, b] = step.text.match(/= ([\d.]+) \+ ([\d.]+) =/)!.slice(1).map(Number) as [number, number];
    const fwd = c.fields!['forward.total']!.expected as number;
    const rev = c.fields!['reverse.total']!.expected as number;
    assert.ok(Math.abs(a - fwd) <= 5e-5 * fwd && Math.abs(b - rev) <= 5e-5 * rev, `${step.text} vs ${fwd} + ${rev}`);
  });

  it('Gaussian KL with reduction="mean": the asymmetry note compares joint with joint', () => {
    const c = byId('result-fields/gauss-kl-diag-d4-mean');
    const note = derive(evaluate(c), { digits: 5 }).find((s) => s.title === 'Asymmetry')!;
    const fwd = c.fields!['forward.total']!.expected as number;
    const rev = c.fields!['reverse.total']!.expected as number;
    const forward = Number(note.text.match(/KL\(P‖Q\) = ([\d.]+)/)![1]);
    const reverse = Number(note.text.match(/KL\(Q‖P\) = ([\d.]+)/)![1]);
    assert.ok(Math.abs(forward - fwd) <= 5e-5 * fwd && Math.abs(reverse - rev) <= 5e-5 * rev, `${note.text} vs ${fwd}, ${rev}`);
  });

  it('Gaussian entropy: the substitution uses the ln det Σ PyTorch gives', () => {
    const c = byId('result-fields/gauss-entropy-full-d3');
    const step = derive(evaluate(c), { digits: 5 }).find((s) => s.title === 'Substitution')!;
    const logDet = c.fields!['entropy.logDet']!.expected as number;
    const shown = Number(step.text.match(/ln det Σ = ([-\d.]+)/)![1]);
    assert.ok(Math.abs(shown - logDet) <= 5e-5 * Math.abs(logDet), `${step.text} vs ${logDet}`);
  });

  it('Gaussian Jeffreys with diagonal covariances: a per-dimension chart of both directions summed', () => {
    const c = byId('result-fields/gauss-jeffreys-diag-d4-sum');
    const chart = charts(evaluate(c), {}).find((ch) => ch.id === 'dimensions');
    assert.ok(chart, 'a dimensions chart');
    const expected = c.fields!['perDim']!.expected as number[];
    const byDim = new Map(chart.table.rows.map((row) => [Number(row[0]), row[1] as number]));
    assert.equal(byDim.size, expected.length);
    expected.forEach((x, i) => assert.ok(Math.abs(byDim.get(i)! - x) <= 1e-12 * x, `dimension ${i}: ${byDim.get(i)} vs ${x}`));
  });
});
