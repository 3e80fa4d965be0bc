/** Operands streamed from files have no values in memory: the derivation shows shapes and totals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derive } from '../../../../src/core/derive/index';
import { streamMeasure } from '../../../../src/core/divergence/stream';
import { streamDistill } from '../../../../src/core/ml/distill';
import type { Tensor } from '../../../../src/core/tensor';
import { NATS } from '../../../../src/core/units';
import { lazyArg } from './programs';
import { klDef, step, tex, texHas, textHas, titles } from './util';

const t = (shape: number[], xs: number[]): Tensor => ({ shape, data: Float64Array.from(xs) });

describe('derive: streamed operands', () => {
  it('KL: says where the operands came from, shows shapes and sums, and the totals', () => {
    const r = streamMeasure('KL', lazyArg('P', t([3], [5, 3, 2]), 'p.npy'), lazyArg('Q', t([3], [4, 4, 2]), 'q.npy'), { base: 2 });
    const steps = derive(r);
    const first = steps[0]!;
    assert.equal(first.title, 'Streamed input');
    assert.equal(first.kind, 'note');
    textHas(first, 'P from p.npy (shape [3])', 'Q from q.npy (shape [3])', 'read in chunks');
    texHas(step(steps, 'Normalization of P'), '\\sum_j c_j = 10');
    assert.ok(!step(steps, 'Normalization of P').tex.includes('\\Rightarrow'), 'no values for streamed operands');
    assert.ok(!titles(steps).includes('Substitution') && !titles(steps).includes('Terms'));
    const nats = klDef([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]);
    texHas(step(steps, 'Total'), `${tex(nats)}\\ \\text{nats}`);
    texHas(step(steps, 'Unit conversion'), tex(nats / Math.LN2));
    texHas(step(steps, 'Reverse direction'), tex(klDef([0.4, 0.4, 0.2], [0.5, 0.3, 0.2]) / Math.LN2));
    textHas(step(steps, 'Asymmetry'), 'mode-covering');
  });

  it('KL infinite: the indices are still named', () => {
    const r = streamMeasure('KL', lazyArg('P', t([2, 3], [5, 3, 2, 1, 1, 1]), 'p.npy'), lazyArg('Q', t([2, 3], [4, 4, 2, 1, 0, 1]), 'q.npy'), {});
    textHas(step(derive(r), 'Infinite divergence'), 'at index [1, 1]', 'JS(P, Q)');
  });

  it('escapes file names in TeX and keeps them as they are in text', () => {
    const label = 'runs/a_b%#&{x}~^$ é.npy';
    const r = streamMeasure('H', lazyArg('P', t([2], [1, 1]), label), undefined, {});
    const note = derive(r)[0]!;
    textHas(note, label);
    texHas(note, 'runs/a\\_b\\%\\#\\&\\{x\\}\\textasciitilde{}\\textasciicircum{}\\$ é.npy');
  });

  it('per-row JS from files: the rows and the halves averaged', () => {
    const r = streamMeasure('JS', lazyArg('P', t([2, 2], [1, 0, 1, 1]), 'p.npy'), lazyArg('Q', t([2, 2], [0, 1, 1, 1]), 'q.npy'), { reduction: 'mean' });
    const steps = derive(r);
    texHas(step(steps, 'Per-row values'), `\\left(${tex(Math.LN2)},\\ 0\\right)`);
    texHas(step(steps, 'Halves (means over rows)'), `= ${tex(Math.LN2 / 2)}`);
    texHas(step(steps, 'Reduction (mean)'), `= ${tex(Math.LN2 / 2)}`);
  });

  it('distill from files: shapes instead of probabilities, then the row KL, batch mean and T²', () => {
    const r = streamDistill(lazyArg('student', t([2, 3], [1, 2, 0.5, 0, 0, 0]), 's.npy'), lazyArg('teacher', t([2, 3], [2, 1, 0.1, 1, 2, 3]), 't.npy'), { temperature: 4, unit: NATS }, {});
    const steps = derive(r);
    textHas(steps[0]!, 'student from s.npy (shape [2, 3])', 'teacher from t.npy (shape [2, 3])');
    assert.ok(!step(steps, 'Softened distributions').tex.includes('\\left('), 'no probability values');
    const s = (xs: number[]) => {
      const e = xs.map((x) => Math.exp(x / 4));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    };
    const rows = [klDef(s([2, 1, 0.1]), s([1, 2, 0.5])), klDef(s([1, 2, 3]), s([0, 0, 0]))];
    const mean = (rows[0]! + rows[1]!) / 2;
    texHas(step(steps, 'Per-row values'), `\\left(${tex(rows[0]!)},\\ ${tex(rows[1]!)}\\right)`);
    texHas(step(steps, 'Reduction (batchmean)'), `= ${tex(mean)}`);
    texHas(step(steps, 'Temperature factor'), `= ${tex(16 * mean)}`);
  });
});
