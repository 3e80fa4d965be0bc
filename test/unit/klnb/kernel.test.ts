/** The KL notebook kernel without VS Code: variables across cells, load() from the notebook's folder, outputs. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluatePayload } from '../../../src/core/notebook/evaluate';
import { parsePayload } from '../../../src/core/notebook/payload';
import type { Value } from '../../../src/core/result';
import type { KlPayload } from '../../../src/extension/klnb/embed';
import { type CellOutcome, type CellRequest, NotebookKernel } from '../../../src/extension/klnb/kernel';

const fixtures = join(__dirname, 'fixtures');
const folder = join(fixtures, 'notebook');
const reference = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as Record<string, number>;
const cell = (source: string, extra: Partial<CellRequest> = {}): CellRequest => ({ source, baseDir: folder, defaultBase: Math.E, digits: 5, topK: 20, ...extra });

function close(got: number, want: number, rtol = 1e-12): void {
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `got ${got}, expected ${want}`);
}

function payloadOf(outcome: CellOutcome): KlPayload {
  assert.equal(outcome.kind, 'value', JSON.stringify(outcome));
  const e = (outcome as Extract<CellOutcome, { kind: 'value' }>).embedding;
  assert.equal(e?.kind, 'payload', JSON.stringify(e));
  return (e as { payload: KlPayload }).payload;
}

/** What the notebook renderer does with a payload: validate it, then evaluate it with the pure core. */
function evaluateLikeTheRenderer(payload: KlPayload): Value {
  // Through JSON, as the output is stored and read; TeX left as text (typesetting is not under test).
  return evaluatePayload(parsePayload(JSON.parse(JSON.stringify(payload))), (tex) => tex).value;
}

function scalar(v: Value | undefined): number {
  assert.equal(v?.type, 'result');
  return (v as Extract<Value, { type: 'result' }>).result.value.data[0]!;
}

describe('NotebookKernel', () => {
  it('keeps variables across cells, like a kernel', () => {
    const k = new NotebookKernel();
    const first = k.run(cell('p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]'));
    assert.deepEqual(first, { kind: 'assigned', text: 'p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]' });
    const second = k.run(cell('KL(p || q)'));
    assert.equal(second.kind, 'value');
    assert.match((second as { text: string }).text, /^KL\(P‖Q\) = 0\.025267 nats/);
    assert.deepEqual(k.names, ['p', 'q']);
    k.dispose();
    assert.deepEqual(k.names, []);
  });

  it('keeps two notebooks apart', () => {
    const a = new NotebookKernel();
    const b = new NotebookKernel();
    a.run(cell('p = [0.5, 0.5]'));
    const out = b.run(cell('H(p)'));
    assert.equal(out.kind, 'error');
    assert.match((out as { message: string }).message, /undefined name 'p'/);
  });

  it('resolves load() against the notebook folder and matches SciPy', () => {
    const k = new NotebookKernel();
    const out = k.run(cell('KL(load("p.npy") || load("q.npy"))'));
    const payload = payloadOf(out);
    close(scalar(evaluateLikeTheRenderer(payload)), reference['KL(p || q) nats']!);
    assert.equal(payload.expression, 'KL(p || q)');
    // p.npy is float32 and travels as float32; q.npy holds float64 values that float32 cannot.
    assert.equal((payload.variables['p'] as { dtype: string }).dtype, 'float32');
    assert.equal((payload.variables['q'] as { dtype: string }).dtype, 'float64');
  });

  it('reports a missing file at the load() call', () => {
    const out = new NotebookKernel().run(cell('H(load("missing.npy"))'));
    assert.equal(out.kind, 'error');
    const { message } = out as { message: string };
    assert.match(message, /^evaluation error at 1:8: load: missing\.npy: no such file/);
    assert.match(message, /\n1 \| H\(load\("missing\.npy"\)\)\n {2}\| {8}\^{13}$/);
  });

  it('makes the payload self-contained: earlier cells and loads become variables, and it gives the cell’s value', () => {
    const k = new NotebookKernel();
    k.run(cell('t = load("teacher.npy")\ntemp = 4'));
    const out = k.run(cell('s = load("student.npy")\ndistill(s, t, T=temp)', { defaultBase: 2 }));
    const payload = payloadOf(out);
    // `s = load(...)` is dropped and s bound: the payload reads as the cell does.
    assert.equal(payload.expression, 'distill(s, t, T=temp)');
    assert.deepEqual(Object.keys(payload.variables).sort(), ['s', 't', 'temp']);
    assert.deepEqual(payload.options, { base: 2, digits: 5, topK: 20 });
    const cellValue = Number(/= ([\d.]+) bits/.exec((out as { text: string }).text)?.[1]);
    const rendered = scalar(evaluateLikeTheRenderer(payload));
    close(rendered, reference['distill(student, teacher, T=4)']! / Math.LN2);
    close(rendered, cellValue, 1e-4); // the cell's line shows 5 digits
  });

  it('gives the renderer exactly the cell’s number, for every kind of earlier value', () => {
    const k = new NotebookKernel();
    k.run(cell('g = N([0, 1], [[1, 0.6], [0.6, 2]])\nh = Normal(0.5, 1.5)\nname = "p.npy"\nr = KL([0.5, 0.5] || [0.9, 0.1])\nw = [0.1, 0.2, 0.7]'));
    const cases: [string, RegExp][] = [
      ['KL(g || N([1, -0.5], [2, 0.5]))', /^KL\(N\(\[0, 1\], \[\[1, 0\.6\], \[0\.6, 2\]\]\) \|\| N\(\[1, -0\.5\], \[2, 0\.5\]\)\)$/],
      ['KL(h || Normal(1, 2))', /^KL\(N\(0\.5, 2\.25\) \|\| Normal\(1, 2\)\)$/],
      ['H(load(name))', /^H\(p\)$/],
      ['H(w * r)', /^H\(w \* r\)$/],
    ];
    for (const [source, expression] of cases) {
      const out = k.run(cell(source, { digits: 17 }));
      const payload = payloadOf(out);
      assert.match(payload.expression, expression);
      const cellValue = Number(/= (-?[\d.e+-]+) nats/.exec((out as { text: string }).text)?.[1]);
      assert.equal(scalar(evaluateLikeTheRenderer(payload)), cellValue, source);
    }
  });

  it('keeps a load() in place, under a fresh name, when the name is read before it in the cell', () => {
    const k = new NotebookKernel();
    const out = k.run(cell('q = [0.5, 0.5]\nw = H(q)\nq = load("q.npy")\nKL(q || softmax(q * w))', { digits: 17 }));
    const payload = payloadOf(out);
    assert.equal(payload.expression, 'q = [0.5, 0.5]\nw = H(q)\nq = q_2\nKL(q || softmax(q * w))');
    assert.deepEqual(Object.keys(payload.variables), ['q_2']);
    const cellValue = Number(/= ([\d.e+-]+) nats/.exec((out as { text: string }).text)?.[1]);
    assert.equal(scalar(evaluateLikeTheRenderer(payload)), cellValue);
  });

  it('explains when the inputs are too large to embed, and still computes the value', () => {
    const k = new NotebookKernel();
    k.run(cell('x = load("q.npy")'));
    const out = k.run(cell('H(x)', { embedLimit: 15 }));
    assert.equal(out.kind, 'value');
    assert.match((out as { text: string }).text, /^H\(P\) = [\d.]+ nats/);
    const e = (out as { embedding?: { kind: string; message: string } }).embedding;
    assert.equal(e?.kind, 'too-big');
    assert.match(e!.message, /too large to embed/);
    assert.match(e!.message, /x \(16 elements\)/);
  });

  it('points syntax errors at the span, with the line and the offending text', () => {
    const out = new NotebookKernel().run(cell('p = [0.5, 0.5]\nKL(p || )'));
    assert.equal(out.kind, 'error');
    assert.equal((out as { name: string }).name, 'Syntax error');
    assert.match((out as { message: string }).message, /^syntax error at 2:9: .*\n2 \| KL\(p \|\| \)\n {2}\| {9}\^$/);
  });

  it('keeps assignments made before an error, as a kernel does', () => {
    const k = new NotebookKernel();
    const out = k.run(cell('a = [0.5, 0.5]\nH(b)'));
    assert.match((out as { message: string }).message, /evaluation error at 2:3: undefined name 'b'/);
    assert.deepEqual(k.names, ['a']);
  });

  it('treats an empty cell as no output', () => {
    assert.deepEqual(new NotebookKernel().run(cell('  # just a comment\n')), { kind: 'empty' });
  });
});
