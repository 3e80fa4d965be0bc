import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findArrayAt, findKlCallAt, findNamedArrays, nameBefore } from '../../../../src/core/selection/find';
import { parseSelection, type SelectionContent } from '../../../../src/core/selection/parse';
import { toNested, type Nested } from '../../../../src/core/tensor';

const CAP = 200_000;

/** The array found at the `n`-th occurrence (0-based) of `needle` in `text`, plus `shift` characters. */
function at(text: string, needle: string, shift = 0, maxChars = CAP, n = 0): { text: string; value: Nested; name?: string } | undefined {
  let i = -1;
  for (let k = 0; k <= n; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `${needle} not in ${text}`);
  const found = findArrayAt(text, i + shift, maxChars);
  if (!found) return undefined;
  const out = { text: text.slice(found.span.start, found.span.end), value: toNested(found.tensor) };
  return found.name === undefined ? out : { ...out, name: found.name };
}

describe('findArrayAt', () => {
  const line = 'p = np.array([0.5, 0.3, 0.2], dtype=np.float64)  # target';
  const whole = { text: 'np.array([0.5, 0.3, 0.2], dtype=np.float64)', value: [0.5, 0.3, 0.2], name: 'p' };
  const list = { text: '[0.5, 0.3, 0.2]', value: [0.5, 0.3, 0.2], name: 'p' };

  it('finds the literal from anywhere inside it: the callee, brackets, numbers, separators', () => {
    assert.deepEqual(at(line, 'np.array'), whole);
    assert.deepEqual(at(line, 'array'), whole);
    assert.deepEqual(at(line, '('), whole);
    assert.deepEqual(at(line, 'dtype'), whole);
    assert.deepEqual(at(line, 'float64'), whole);
    assert.deepEqual(at(line, ')'), whole);
    assert.deepEqual(at(line, '['), list);
    assert.deepEqual(at(line, '0.3'), list);
    assert.deepEqual(at(line, '0.3', 2), list);
    assert.deepEqual(at(line, ', 0.2'), list);
    assert.deepEqual(at(line, ' 0.2'), list);
    assert.deepEqual(at(line, ']'), list);
  });

  it('finds nothing outside a literal', () => {
    assert.equal(at(line, 'p ='), undefined);
    assert.equal(at(line, '='), undefined);
    assert.equal(at(line, '  #'), undefined);
    assert.equal(at(line, 'target'), undefined);
    assert.equal(findArrayAt(line, line.length, CAP), undefined);
    assert.equal(findArrayAt(line, -1, CAP), undefined);
  });

  it('returns the innermost literal holding at least two numbers', () => {
    const m = 'm = [[1, 2], [3, 4]]';
    assert.deepEqual(at(m, '2'), { text: '[1, 2]', value: [1, 2] });
    assert.deepEqual(at(m, '[['), { text: '[[1, 2], [3, 4]]', value: [[1, 2], [3, 4]], name: 'm' });
    assert.deepEqual(at(m, '], ', 1), { text: '[[1, 2], [3, 4]]', value: [[1, 2], [3, 4]], name: 'm' });
    assert.deepEqual(at('c = [[1], [2]]', '1'), { text: '[[1], [2]]', value: [[1], [2]], name: 'c' });
    assert.deepEqual(at("x = [float('inf'), 0.5]", 'float'), { text: "[float('inf'), 0.5]", value: [Infinity, 0.5], name: 'x' });
  });

  it('reads every syntax the selection reader does', () => {
    const literals = [
      '[0.5, 0.3]', '[[1, 2], [3, 4]]', 'np.array([0.1, 0.9])', 'numpy.array([0.5, 0.5], dtype=np.float32)', 'torch.tensor([[0.2, 0.8]])',
      'torch.tensor([0.2, 0.8], dtype=torch.float64)', '(0.1, 0.9)', '[(0.1, 0.9), [0.5, 0.5]]', 'np.asarray([1, 2])', 'jnp.array([1., 2.])',
      'tf.constant([1e-3, .5])', 'c(0.2, 0.8)', '[0.1 0.2; 0.3 0.4]', '[1_000, -2, 1e-3, .5]', '[float("inf"), np.inf, Infinity, NaN]',
      '[0.5, 0.5,]', '[0.5, # a\n 0.5 // b\n]', 'new Float64Array([0.3, 0.7])', 'Float64[0.1, 0.2]',
    ];
    for (const literal of literals) {
      const text = `value = ${literal}  # note\nother = 1`;
      const expected = toNested((parseSelection(literal) as Extract<SelectionContent, { kind: 'arrays' }>).arrays[0]!.tensor);
      // On the first character of the literal, which is its callee or outermost bracket.
      const found = findArrayAt(text, text.indexOf(literal), CAP);
      assert.ok(found, literal);
      assert.deepEqual(toNested(found.tensor), expected, literal);
      assert.equal(text.slice(found.span.start, found.span.end), literal);
      assert.equal(found.name, 'value', literal);
    }
  });

  it('does not take calls, indexing or keyword-less parentheses for arrays', () => {
    assert.equal(at('for i in range(0, 10):', '0'), undefined);
    assert.equal(at('y = x[0, 1]', '0'), undefined);
    assert.equal(at('f(1, 2)', '1'), undefined);
    assert.equal(at('np.zeros((3, 4))', 'zeros'), undefined);
    assert.deepEqual(at('print((0.5, 0.5))', '0.5'), { text: '(0.5, 0.5)', value: [0.5, 0.5] });
    assert.deepEqual(at('return (0.5, 0.5)', '0.5'), { text: '(0.5, 0.5)', value: [0.5, 0.5] });
    assert.equal(at('[0.5, x]', '0.5'), undefined);
    assert.equal(at('[[1, 2], [3]]', '[['), undefined);
  });

  it('finds names through assignments in every language', () => {
    const cases: [string, string][] = [
      ['p = [0.5, 0.5]', 'p'],
      ['const q = [0.5, 0.5];', 'q'],
      ['q <- c(0.5, 0.5)', 'q'],
      ['"p": [0.5, 0.5],', 'p'],
      ["{'probs': [0.5, 0.5]}", 'probs'],
      ['p: np.ndarray = np.array([0.5, 0.5])', 'p'],
      ['p: list[float] = [0.5, 0.5]', 'p'],
      ['const p: number[] = [0.5, 0.5]', 'p'],
      ['loss = f(target=[0.5, 0.5])', 'target'],
      ['p = np.array(\n    [0.5, 0.5]\n)', 'p'],
    ];
    for (const [text, name] of cases) assert.equal(at(text, '0.5')?.name, name, text);
    assert.equal(nameBefore('x == [0.5, 0.5]', 5), undefined);
    assert.equal(nameBefore('f([0.5, 0.5])', 2), undefined);
  });

  it('gives up on a literal longer than maxChars, and finds it when it fits', () => {
    const literal = `[${Array.from({ length: 100 }, (_, i) => i / 100).join(', ')}]`;
    const text = `big = ${literal}\n`;
    const mid = text.indexOf('0.5');
    assert.equal(findArrayAt(text, mid, literal.length - 1), undefined);
    assert.equal(findArrayAt(text, text.indexOf('['), literal.length - 1), undefined);
    assert.equal(findArrayAt(text, mid, literal.length)?.tensor.data.length, 100);
  });

  it('returns fast on a 5 MB literal: it never reads more than the cap around the offset', () => {
    const n = 700_000;
    const text = `huge = np.array([${Array.from({ length: n }, (_, i) => (0.1 + (i % 9) / 100).toFixed(4)).join(', ')}])\n`;
    assert.ok(text.length > 5_000_000);
    for (const offset of [text.indexOf('0.1'), text.length >> 1, text.length - 5, text.indexOf('np.array')]) {
      const t0 = performance.now();
      assert.equal(findArrayAt(text, offset, CAP), undefined);
      const ms = performance.now() - t0;
      // Reading the whole literal takes far longer; the cap's 2 × 200,000 characters take a few ms.
      assert.ok(ms < 250, `offset ${offset}: ${ms.toFixed(1)} ms`);
    }
    // The same literal, small enough for the cap, is found.
    assert.equal(findArrayAt(text, text.indexOf('0.1'), text.length)?.tensor.data.length, n);
  });

  it('stays fast on deep nesting and many openers', () => {
    const deep = `${'['.repeat(100_000)}1, 2${']'.repeat(100_000)}`;
    const t0 = performance.now();
    assert.equal(findArrayAt(deep, 100_001, CAP)?.tensor.data.length, 2);
    assert.equal(findArrayAt(deep, 50_000, CAP), undefined);
    const open = '('.repeat(300_000);
    assert.equal(findArrayAt(open, 299_999, CAP), undefined);
    assert.ok(performance.now() - t0 < 1000);
  });
});

describe('findNamedArrays', () => {
  const doc = [
    'import numpy as np',
    'p = np.array([0.5, 0.3, 0.2])  # target',
    'q: np.ndarray = np.array([0.4, 0.4, 0.2])',
    'n = 5',
    'x = foo([1, 2])',
    'if a == [1, 2]:',
    '    loss = kl(logits=[1.0, 2.0, 3.0], t=0.5)',
    'cfg = {"prior": [0.25, 0.75], "name": "x"}',
    'r <- c(0.1, 0.9)',
    'const s = [[1, 2], [3, 4]];',
    'one = [1]',
  ].join('\n');

  it('lists the named literals of a document, with their value spans', () => {
    const found = findNamedArrays(doc, CAP);
    assert.deepEqual(
      found.map((a) => [a.name, toNested(a.tensor)]),
      [
        ['p', [0.5, 0.3, 0.2]],
        ['q', [0.4, 0.4, 0.2]],
        ['logits', [1, 2, 3]],
        ['prior', [0.25, 0.75]],
        ['r', [0.1, 0.9]],
        ['s', [[1, 2], [3, 4]]],
      ],
    );
    assert.equal(doc.slice(found[0]!.span.start, found[0]!.span.end), 'np.array([0.5, 0.3, 0.2])');
  });

  it('skips literals longer than maxChars and keeps scanning after them', () => {
    const big = `a = [${'0.5, '.repeat(1000)}0.5]\nb = [0.1, 0.9]`;
    assert.deepEqual(findNamedArrays(big, 1000).map((a) => a.name), ['b']);
    assert.deepEqual(findNamedArrays(big, 10_000).map((a) => a.name), ['a', 'b']);
  });

  it('is one linear pass over a large document', () => {
    const block = 'p = np.array([0.5, 0.3, 0.2])\nx = f(y, z=3)\n# [1, 2]\n';
    const text = block.repeat(50_000);
    const t0 = performance.now();
    assert.equal(findNamedArrays(text, CAP).length, 50_000);
    assert.ok(performance.now() - t0 < 3000);
  });
});

describe('findKlCallAt', () => {
  const doc = 'p = [0.5, 0.3, 0.2]\nq = np.array([0.4, 0.4, 0.2])\nprint(KL(p || q, base=2))\nd = kl([0.5, 0.5], [0.9, 0.1])\nKL(p || missing)\n';

  it('resolves named arguments from the document and reads base=', () => {
    const call = findKlCallAt(doc, doc.indexOf('|| q') + 3);
    assert.ok(call);
    assert.equal(doc.slice(call.span.start, call.span.end), 'KL(p || q, base=2)');
    assert.equal(call.p.name, 'p');
    assert.equal(call.q.name, 'q');
    assert.deepEqual(Array.from(call.p.tensor.data), [0.5, 0.3, 0.2]);
    assert.deepEqual(Array.from(call.q.tensor.data), [0.4, 0.4, 0.2]);
    assert.equal(call.base, 2);
    assert.deepEqual(findKlCallAt(doc, doc.indexOf('KL(p ||')), call);
    assert.deepEqual(findKlCallAt(doc, doc.indexOf('base')), call);
  });

  it('reads literal arguments and the comma form', () => {
    const call = findKlCallAt(doc, doc.indexOf('0.9'));
    assert.ok(call);
    assert.deepEqual([toNested(call.p.tensor), toNested(call.q.tensor)], [[0.5, 0.5], [0.9, 0.1]]);
    assert.equal(call.p.name, undefined);
    assert.equal(call.base, undefined);
  });

  it('finds nothing for unknown names, other calls or outside a call', () => {
    assert.equal(findKlCallAt(doc, doc.indexOf('missing')), undefined);
    assert.equal(findKlCallAt(doc, doc.indexOf('print')), undefined);
    assert.equal(findKlCallAt(doc, doc.indexOf('0.3')), undefined);
    assert.equal(findKlCallAt('JS(p, q)', 3), undefined);
  });

  it('uses the last assignment before the call, and named arrays passed in', () => {
    const text = 'p = [0.5, 0.5]\nq = [0.9, 0.1]\nKL(p || q)\np = [0.1, 0.9]\n';
    const call = findKlCallAt(text, text.indexOf('KL') + 1);
    assert.deepEqual(Array.from(call!.p.tensor.data), [0.5, 0.5]);
    const named = [{ name: 'p', tensor: { shape: [2], data: Float64Array.of(0.2, 0.8) }, span: { start: 0, end: 0 } }, ...findNamedArrays(text, CAP).slice(1, 2)];
    assert.deepEqual(Array.from(findKlCallAt(text, text.indexOf('KL'), { named })!.p.tensor.data), [0.2, 0.8]);
  });
});
