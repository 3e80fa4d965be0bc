/**
 * The results panel's messages, with recorders in place of VS Code: what is copied, what is saved,
 * what a unit switch re-evaluates, and that malformed messages are logged and dropped.
 * Values come from test/fixtures/reference.json (SciPy), ln 2 from Math.log here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import katex from 'katex';
import { derive } from '../../../../src/core/derive/index';
import { parse, runProgram, type Value } from '../../../../src/core/index';
import { evaluateRequest } from '../../../../src/extension/evaluation/evaluate';
import type { EvaluationRequest, PanelModel } from '../../../../src/extension/evaluation/protocol';
import { checkPanelMessage, handlePanelMessage, type FileToSave, type PanelEffects } from '../../../../src/extension/panel/messages';
import { inlinedKatexCss } from '../../../../src/host/katexAssets';

interface ReferenceCase {
  readonly id: string;
  readonly program: string;
  readonly vars: Record<string, number[] | number[][]>;
  readonly expected: number | number[];
  readonly rtol: number;
  readonly atol: number;
}
const reference = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'reference.json'), 'utf8')) as { cases: ReferenceCase[] };
function referenceCase(id: string): ReferenceCase {
  const found = reference.cases.find((c) => c.id === id);
  assert.ok(found, `reference case ${id}`);
  return found;
}

function requestFor(c: ReferenceCase, defaultBase = Math.E): EvaluationRequest {
  const bindings = Object.fromEntries(
    Object.entries(c.vars).map(([name, v]) => {
      const rows = Array.isArray(v[0]) ? (v as number[][]) : [v as number[]];
      const shape = Array.isArray(v[0]) ? [rows.length, rows[0]!.length] : [rows[0]!.length];
      return [name, { shape, data: rows.flat() }];
    }),
  );
  return { source: c.program, baseDir: __dirname, bindings, defaultBase, digits: 5, topK: 20 };
}

function close(got: number, expected: number, rtol: number, atol = 0): void {
  assert.ok(Math.abs(got - expected) <= atol + rtol * Math.abs(expected), `${got} vs ${expected}`);
}

/** Effects that record what the handler asked for. */
function recorder() {
  const calls = { copied: [] as string[], saved: [] as FileToSave[], evaluated: [] as EvaluationRequest[], revealed: [] as string[], resent: 0, logged: [] as string[] };
  const effects: PanelEffects = {
    copy: async (text) => void calls.copied.push(text),
    save: async (file) => void calls.saved.push(file),
    evaluate: async (request) => void calls.evaluated.push(request),
    resend: () => void calls.resent++,
    reveal: async (path) => void calls.revealed.push(path),
    log: (message) => void calls.logged.push(message),
  };
  return { calls, effects };
}

const context = { katexCss: inlinedKatexCss };
const KL_CASE = referenceCase('kl/dirichlet-n3-1');

async function send(raw: unknown, model: PanelModel | undefined, request: EvaluationRequest | undefined) {
  const { calls, effects } = recorder();
  await handlePanelMessage(raw, { model, request }, effects, context);
  return calls;
}

function nothingDone(calls: Awaited<ReturnType<typeof send>>): void {
  assert.deepEqual([calls.copied, calls.saved, calls.evaluated, calls.revealed, calls.resent], [[], [], [], [], 0]);
}

describe('panel messages', () => {
  const request = requestFor(KL_CASE);
  const model = evaluateRequest(request);

  it('copy value: the full-precision value in nats, as SciPy computes it', async () => {
    const calls = await send({ type: 'copyValue' }, model, request);
    assert.equal(calls.copied.length, 1);
    assert.match(calls.copied[0]!, /^-?\d+(\.\d+)?(e[+-]?\d+)?$/, 'a bare number, no label or unit');
    close(Number(calls.copied[0]), KL_CASE.expected as number, KL_CASE.rtol, KL_CASE.atol);
  });

  it('copy value after switching to bits: the SciPy value divided by ln 2', async () => {
    const switched = await send({ type: 'setUnit', unit: 'bits' }, model, request);
    assert.equal(switched.evaluated.length, 1);
    const bitsRequest = switched.evaluated[0]!;
    const bits = evaluateRequest(bitsRequest);
    const calls = await send({ type: 'copyValue' }, bits, bitsRequest);
    close(Number(calls.copied[0]), (KL_CASE.expected as number) / Math.log(2), 1e-12);
  });

  it('switching to bits divides every nats value (value and chart tables) by ln 2', async () => {
    const cases = ['kl/dirichlet-n10-1', 'kl/rows4-n10-batchmean-1'].map(referenceCase);
    for (const c of cases) {
      const natsRequest = requestFor(c);
      const nats = evaluateRequest(natsRequest);
      const calls = await send({ type: 'setUnit', unit: 'bits' }, nats, natsRequest);
      const bits = evaluateRequest(calls.evaluated[0]!);
      assert.equal(bits.unit, 'bits');
      close(Number(bits.valueOnly), Number(nats.valueOnly) / Math.log(2), 1e-13);
      close(Number(bits.valueOnly), (c.expected as number) / Math.log(2), c.rtol * 10, c.atol);
      assert.deepEqual(bits.charts.map((ch) => ch.id), nats.charts.map((ch) => ch.id));
      let converted = 0;
      for (const [k, chart] of nats.charts.entries()) {
        const other = bits.charts[k]!.table;
        assert.deepEqual(other.columns, chart.table.columns.map((col) => col.replace('(nats)', '(bits)')), `${c.id} ${chart.id} columns`);
        chart.table.columns.forEach((col, j) => {
          const inUnit = col.endsWith('(nats)');
          chart.table.rows.forEach((row, i) => {
            const a = row[j]!;
            const b = other.rows[i]![j]!;
            if (typeof a !== 'number' || !inUnit) return assert.equal(b, a, `${c.id} ${chart.id} ${col} row ${i} is not a value in the unit: unchanged`);
            assert.equal(typeof b, 'number');
            close(b as number, a / Math.log(2), 1e-12, 1e-300);
            converted++;
          });
        });
      }
      assert.ok(converted >= 10, `${c.id}: ${converted} table values in nats were checked`);
    }
  });

  it('switching to the unit already shown does nothing; unitless results cannot switch', async () => {
    nothingDone(await send({ type: 'setUnit', unit: 'nats' }, model, request));
    const tvRequest: EvaluationRequest = { ...request, source: 'TV(p, q)' };
    const tv = evaluateRequest(tvRequest);
    assert.equal(tv.unit, null);
    const calls = await send({ type: 'setUnit', unit: 'bits' }, tv, tvRequest);
    nothingDone(calls);
    assert.match(calls.logged[0]!, /setUnit.*unitless/);
  });

  it('copy LaTeX: every step of the derivation, in order, each equation compiling in KaTeX', async () => {
    const calls = await send({ type: 'copyLatex' }, model, request);
    const latex = calls.copied[0]!;
    // The derivation computed here from the core, independently of the panel model.
    const env = new Map<string, Value>(Object.entries(request.bindings!).map(([k, t]) => [k, { type: 'tensor', tensor: { shape: [...t.shape], data: Float64Array.from(t.data) } }]));
    const value = runProgram(parse(KL_CASE.program), KL_CASE.program, { env, functions: {}, runtime: {} }).value!;
    assert.equal(value.type, 'result');
    const steps = derive(value.type === 'result' ? value.result : (undefined as never), { digits: 5 });
    let from = 0;
    for (const step of steps) {
      const needle = (step.kind ?? 'equation') === 'equation' ? step.tex : step.text;
      const at = latex.indexOf(needle, from);
      assert.ok(at >= from, `step "${step.title}" appears after the one before it`);
      from = at + needle.length;
    }
    const equations = [...latex.matchAll(/^\\\[ (.*) \\\]$/gm)].map((m) => m[1]!);
    assert.equal(equations.length, steps.filter((s) => (s.kind ?? 'equation') === 'equation').length);
    for (const tex of equations) assert.doesNotThrow(() => katex.renderToString(tex, { throwOnError: true, displayMode: true }), tex);
    // Outside display math there are only comments: the text pastes into a LaTeX document.
    for (const line of latex.replace(/^\\\[ .* \\\]$/gm, '').split('\n')) assert.ok(line === '' || line.startsWith('% '), line);
  });

  it('save HTML report: one self-contained document with the result and KaTeX CSS, fonts inlined', async () => {
    const calls = await send({ type: 'saveHtml' }, model, request);
    assert.equal(calls.saved.length, 1);
    const { name, filter, content } = calls.saved[0]!;
    assert.equal(name, 'kl-lens-report.html');
    assert.deepEqual(filter.extensions, ['html']);
    assert.match(content, /^<!DOCTYPE html>/);
    assert.ok(content.includes(model.bodyHtml), 'the body the panel shows');
    assert.match(content, /class="katex"/);
    // KaTeX's own stylesheet is in the document, and every font it names is a data: URI.
    assert.match(content, /\.katex\{/);
    const fontSources = [...content.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]!);
    assert.ok(fontSources.length >= 20, `${fontSources.length} font URLs`);
    for (const src of fontSources) assert.match(src, /^data:/, 'no font loaded from elsewhere');
    assert.ok(fontSources.some((s) => s.startsWith('data:font/woff2;base64,')));
    // Nothing is fetched: no external scripts, stylesheets or images.
    assert.doesNotMatch(content, /<script|<link|\ssrc="(?!data:)|href="(?!#)/);
    assert.match(content, /default-src 'none'/);
  });

  it('save SVG: the chosen chart, standalone (namespace, no editor CSS variables)', async () => {
    for (const chart of model.charts) {
      const calls = await send({ type: 'saveSvg', chartId: chart.id }, model, request);
      const { name, filter, content } = calls.saved[0]!;
      assert.equal(name, `kl-lens-${chart.id}.svg`);
      assert.deepEqual(filter.extensions, ['svg']);
      assert.match(content, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.equal(content.match(/xmlns=/g)?.length, 1, 'one namespace declaration');
      assert.equal(content.match(/<svg/g)?.length, 1, 'one chart');
      assert.ok(content.includes(`>${chart.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</title>`), `the title of ${chart.id}`);
      assert.doesNotMatch(content, /var\(--/);
      assert.match(content.split('\n')[1]!, /^<svg [^>]*font-family="[^"]*sans-serif"/, 'a font of its own, not the viewer\'s serif default');
      // The chart's own marks survive: as many rects and paths as the panel shows.
      for (const tag of ['<rect', '<path', '<text']) assert.equal(content.split(tag).length, chart.svg.split(tag).length, `${chart.id} ${tag}`);
    }
    const distinct = new Set<string>();
    for (const chart of model.charts) distinct.add((await send({ type: 'saveSvg', chartId: chart.id }, model, request)).saved[0]!.content);
    assert.equal(distinct.size, model.charts.length, 'each chart id saves its own chart');
  });

  it('an unknown chart id is logged, nothing is saved', async () => {
    const calls = await send({ type: 'saveSvg', chartId: 'no-such-chart' }, model, request);
    nothingDone(calls);
    assert.match(calls.logged[0]!, /no chart "no-such-chart".*contributions/);
  });

  it('reveal opens only files the result read', async () => {
    const fixtures = join(__dirname, '..', '..', '..', 'fixtures', 'io', 'cli');
    const fileRequest: EvaluationRequest = { source: 'KL(load("p.npy") || load("q32.npy"))', baseDir: fixtures, defaultBase: Math.E, digits: 5, topK: 20 };
    const fileModel = evaluateRequest(fileRequest);
    const ok = await send({ type: 'reveal', path: join(fixtures, 'p.npy') }, fileModel, fileRequest);
    assert.deepEqual(ok.revealed, [join(fixtures, 'p.npy')]);
    const refused = await send({ type: 'reveal', path: '/etc/passwd' }, fileModel, fileRequest);
    nothingDone(refused);
    assert.match(refused.logged[0]!, /\/etc\/passwd is not a file this result read/);
  });

  it('ready re-sends the shown result; before any result it does nothing', async () => {
    assert.equal((await send({ type: 'ready' }, model, request)).resent, 1);
    nothingDone(await send({ type: 'ready' }, undefined, undefined));
  });

  it('actions before any result is shown are logged, not thrown', async () => {
    for (const type of ['copyValue', 'copyLatex', 'saveHtml']) {
      const calls = await send({ type }, undefined, undefined);
      nothingDone(calls);
      assert.match(calls.logged[0]!, new RegExp(`"${type}" ignored: no result is shown yet`));
    }
  });

  it('malformed and unknown messages are rejected with a reason and change nothing', async () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /not an object/],
      [null, /not an object/],
      ['copyValue', /not an object/],
      [42, /not an object/],
      [[{ type: 'copyValue' }], /not an object/],
      [{}, /no "type"/],
      [{ type: 'deleteEverything' }, /unknown type "deleteEverything"/],
      [{ type: 7 }, /unknown type 7/],
      [{ type: 'saveSvg' }, /"chartId" must be a non-empty string/],
      [{ type: 'saveSvg', chartId: 3 }, /"chartId" must be a non-empty string/],
      [{ type: 'setUnit' }, /"unit" must be one of nats, bits/],
      [{ type: 'setUnit', unit: 'hartleys' }, /"unit" must be one of nats, bits/],
      [{ type: 'reveal', path: '' }, /"path" must be a non-empty string/],
    ];
    for (const [raw, reason] of bad) {
      assert.equal(checkPanelMessage(raw).ok, false, JSON.stringify(raw));
      const calls = await send(raw, model, request);
      nothingDone(calls);
      assert.equal(calls.logged.length, 1, JSON.stringify(raw));
      assert.match(calls.logged[0]!, reason);
      assert.match(calls.logged[0]!, /^panel message .* ignored: /);
    }
    // A cyclic object cannot be printed as JSON: still a reason, not a throw.
    const cyclic: Record<string, unknown> = { type: 'nope' };
    cyclic['self'] = cyclic;
    const calls = await send(cyclic, model, request);
    assert.match(calls.logged[0]!, /unknown type "nope"/);
  });

  it('extra fields are dropped: the checked message carries only what the protocol defines', () => {
    assert.deepEqual(checkPanelMessage({ type: 'copyValue', extra: 1 }), { ok: true, message: { type: 'copyValue' } });
    assert.deepEqual(checkPanelMessage({ type: 'setUnit', unit: 'bits', x: 2 }), { ok: true, message: { type: 'setUnit', unit: 'bits' } });
  });
});
