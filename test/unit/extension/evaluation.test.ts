/** The evaluation service the extension's worker runs: request in, panel model out (no VS Code needed). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateRequest } from '../../../src/extension/evaluation/evaluate';
import type { EvaluationRequest } from '../../../src/extension/evaluation/protocol';
import { errorOf } from '../../helpers/values';

const cliFixtures = join(__dirname, '..', '..', 'fixtures', 'io', 'cli');
const base: EvaluationRequest = { source: '', baseDir: cliFixtures, defaultBase: Math.E, digits: 5, topK: 20 };
const klDef = (p: number[], q: number[]): number => p.reduce((s, x, i) => s + x * Math.log(x / q[i]!), 0);

describe('evaluateRequest', () => {
  it('shows the value, a KaTeX derivation and charts', () => {
    const m = evaluateRequest({ ...base, source: 'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])' });
    assert.equal(m.title, 'KL(P‖Q)');
    assert.match(m.valueText, /^KL\(P‖Q\) = 0\.025267 nats {2}\(reverse KL\(Q‖P\) = 0\.025815 nats\)$/);
    assert.equal(Number(m.valueOnly), klDef([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]));
    assert.equal(m.unit, 'nats');
    assert.match(m.bodyHtml, /class="katex"/);
    assert.doesNotMatch(m.bodyHtml, /katex-error/);
    assert.ok(m.charts.some((c) => c.id === 'contributions' && c.svg.startsWith('<svg')));
    assert.match(m.latex, /D_\{\\mathrm\{KL\}\}/);
  });

  it('binds arrays from a selection and uses the unit setting', () => {
    const m = evaluateRequest({ ...base, source: 'KL(p || q)', defaultBase: 2, bindings: { p: { shape: [2], data: [0.5, 0.5] }, q: { shape: [2], data: [0.9, 0.1] } } });
    assert.equal(m.unit, 'bits');
    assert.ok(Math.abs(Number(m.valueOnly) - klDef([0.5, 0.5], [0.9, 0.1]) / Math.LN2) < 1e-15);
  });

  it('resolves load() against the base folder and reports the files it read', () => {
    const m = evaluateRequest({ ...base, source: 'KL(load("p.npy") || load("q32.npy"))' });
    assert.deepEqual(m.files, [join(cliFixtures, 'p.npy'), join(cliFixtures, 'q32.npy')]);
  });

  it('reads bytes preloaded from a virtual file system', () => {
    const bytes = new Uint8Array(readFileSync(join(cliFixtures, 'p.npy')));
    const m = evaluateRequest({ ...base, baseDir: '/nonexistent', source: 'H(load("remote.npy"))', preloaded: { 'remote.npy': bytes } });
    assert.equal(m.title, 'H(P)');
  });

  it('evaluates up to one statement of a file (CodeLens)', () => {
    const m = evaluateRequest({ ...base, source: 'a = JS([1, 0], [0, 1])\nb = KL([1, 0] || [0.5, 0.5])', uptoStatement: 0 });
    assert.equal(m.title, 'JS(P, Q)');
    assert.equal(m.source, 'a = JS([1, 0], [0, 1])');
  });

  it('fails with the language error, not a crash', () => {
    assert.match(errorOf(() => evaluateRequest({ ...base, source: 'KL([1] || ' })).message, /expected/);
    assert.throws(() => evaluateRequest({ ...base, source: 'H(load("missing.npy"))' }), /load: missing\.npy: no such file/);
  });
});
