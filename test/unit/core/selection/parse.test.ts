import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProgram, type Value } from '../../../../src/core/index';
import { MAX_SELECTION_CHARS, parseSelection, selectionProgram, type SelectedArray, type SelectionContent } from '../../../../src/core/selection/parse';
import { toNested, type Nested } from '../../../../src/core/tensor';

function arrays(text: string): SelectedArray[] {
  const c = parseSelection(text);
  assert.equal(c.kind, 'arrays', `${JSON.stringify(text)} gave ${JSON.stringify(c)}`);
  return [...(c as Extract<SelectionContent, { kind: 'arrays' }>).arrays];
}

/** The one array in `text`, as nested numbers. */
function one(text: string): Nested {
  const list = arrays(text);
  assert.equal(list.length, 1, `one array in ${JSON.stringify(text)}`);
  return toNested(list[0]!.tensor);
}

function reason(text: string): string {
  const c = parseSelection(text);
  assert.equal(c.kind, 'none', `${JSON.stringify(text)} gave ${c.kind}`);
  return (c as Extract<SelectionContent, { kind: 'none' }>).reason;
}

describe('parseSelection: array syntaxes', () => {
  it('reads Python / JSON / JS lists, nested lists and tuples', () => {
    assert.deepEqual(one('[0.5, 0.3]'), [0.5, 0.3]);
    assert.deepEqual(one('[[1, 2], [3, 4]]'), [[1, 2], [3, 4]]);
    assert.deepEqual(one('(0.1, 0.9)'), [0.1, 0.9]);
    assert.deepEqual(one('[(0.1, 0.9), [0.5, 0.5]]'), [[0.1, 0.9], [0.5, 0.5]]);
    assert.deepEqual(one('((1, 2), (3, 4),)'), [[1, 2], [3, 4]]);
    assert.deepEqual(one('[[[1], [2]], [[3], [4]]]'), [[[1], [2]], [[3], [4]]]);
    assert.deepEqual(one('[0.5]'), [0.5]);
    assert.deepEqual(one('(0.5,)'), [0.5]);
    assert.deepEqual(one('[(0.5), (0.5)]'), [0.5, 0.5]);
  });

  it('reads NumPy, PyTorch, JAX, TensorFlow and JS array calls, skipping dtype and other keywords', () => {
    assert.deepEqual(one('np.array([0.1, 0.9])'), [0.1, 0.9]);
    assert.deepEqual(one('numpy.array([0.5, 0.5], dtype=np.float32)'), [0.5, 0.5]);
    assert.deepEqual(one('np.asarray([1, 2])'), [1, 2]);
    assert.deepEqual(one('jnp.array([1., 2.])'), [1, 2]);
    assert.deepEqual(one('tf.constant([[0.2, 0.8]])'), [[0.2, 0.8]]);
    assert.deepEqual(one('torch.tensor([[0.2, 0.8], [0.6, 0.4]])'), [[0.2, 0.8], [0.6, 0.4]]);
    assert.deepEqual(one('torch.tensor([0.2, 0.8], dtype=torch.float64, requires_grad=True)'), [0.2, 0.8]);
    assert.deepEqual(one('torch.tensor([0.2, 0.8], device=torch.device("cuda", 0))'), [0.2, 0.8]);
    assert.deepEqual(one('torch.tensor([1., 2.]).float()'), [1, 2]);
    assert.deepEqual(one('np.array([1, 2]).astype(np.float64)'), [1, 2]);
    assert.deepEqual(one('np.array((0.25, 0.75))'), [0.25, 0.75]);
    assert.deepEqual(one('new Float64Array([0.3, 0.7])'), [0.3, 0.7]);
    assert.deepEqual(one('Float32Array.of(0.3, 0.7)'), [0.3, 0.7]);
  });

  it("reads R's c(...) (flattening nested c) and Julia's typed, space and semicolon literals", () => {
    assert.deepEqual(one('c(0.2, 0.8)'), [0.2, 0.8]);
    assert.deepEqual(one('c(c(1, 2), 3)'), [1, 2, 3]);
    assert.deepEqual(one('c(0.5)'), [0.5]);
    assert.deepEqual(one('Float64[0.1, 0.2]'), [0.1, 0.2]);
    assert.deepEqual(one('[0.1 0.2; 0.3 0.4]'), [[0.1, 0.2], [0.3, 0.4]]);
    assert.deepEqual(one('[0.1 0.2\n 0.3 0.4]'), [[0.1, 0.2], [0.3, 0.4]]);
    assert.deepEqual(one('[1 2 3]'), [1, 2, 3]);
    assert.deepEqual(one('[1; 2; 3]'), [1, 2, 3]);
    assert.deepEqual(one('[1 -2]'), [1, -2]);
    assert.deepEqual(one('[1 2; 3 4;]'), [[1, 2], [3, 4]]);
  });

  it('reads every way of writing a number', () => {
    assert.deepEqual(one('[1e-3, .5, -2, 1_000, +3, 2.5E+2, 1., 7L, 1.5f0]'), [1e-3, 0.5, -2, 1000, 3, 250, 1, 7, 1.5]);
    assert.deepEqual(
      one(`[float('inf'), float("-inf"), float('nan'), np.inf, -np.inf, np.nan, math.inf, torch.inf, Infinity, -Infinity, NaN, Inf, nan]`),
      [Infinity, -Infinity, NaN, Infinity, -Infinity, NaN, Infinity, Infinity, Infinity, -Infinity, NaN, Infinity, NaN],
    );
    assert.deepEqual(one('["Infinity", "-Infinity", "NaN", 0.5]'), [Infinity, -Infinity, NaN, 0.5]);
    assert.deepEqual(one('[Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]'), [Infinity, -Infinity]);
    assert.deepEqual(one("[float('0.25'), np.float64(0.75)]"), [0.25, 0.75]);
  });

  it('allows trailing commas, comments and line breaks inside', () => {
    assert.deepEqual(one('[0.5, 0.5,]'), [0.5, 0.5]);
    assert.deepEqual(one('[\n  0.5,  # half\n  0.25, // a quarter\n  0.25, /* the rest */\n]'), [0.5, 0.25, 0.25]);
    assert.deepEqual(one('np.array(\n    [[0.1, 0.9],\n     [0.4, 0.6]],\n    dtype=np.float64,\n)'), [[0.1, 0.9], [0.4, 0.6]]);
  });

  it('reads bare numbers as one array: a list`s inside, a CSV line, a space-separated row', () => {
    assert.deepEqual(one('0.5, 0.3, 0.2'), [0.5, 0.3, 0.2]);
    assert.deepEqual(one('0.5,\n0.3,\n0.2,'), [0.5, 0.3, 0.2]);
    assert.deepEqual(one('0.5 0.3 0.2'), [0.5, 0.3, 0.2]);
    const two = arrays('0.5 0.3 0.2\n0.4 0.4 0.2');
    assert.deepEqual(two.map((a) => toNested(a.tensor)), [[0.5, 0.3, 0.2], [0.4, 0.4, 0.2]]);
  });
});

describe('parseSelection: names and several arrays', () => {
  const named = (text: string): [string | undefined, Nested][] => arrays(text).map((a) => [a.name, toNested(a.tensor)]);

  it('takes names from Python, JS, R, Julia assignments, annotations and JSON keys', () => {
    assert.deepEqual(named('p = np.array([0.5, 0.5])'), [['p', [0.5, 0.5]]]);
    assert.deepEqual(named('const q = [0.2, 0.8];'), [['q', [0.2, 0.8]]]);
    assert.deepEqual(named('let q = [0.2, 0.8]'), [['q', [0.2, 0.8]]]);
    assert.deepEqual(named('q <- c(0.2, 0.8)'), [['q', [0.2, 0.8]]]);
    assert.deepEqual(named('p: np.ndarray = np.array([1, 2])'), [['p', [1, 2]]]);
    assert.deepEqual(named('p: list[float] = [1, 2]'), [['p', [1, 2]]]);
    assert.deepEqual(named('const p: number[] = [1, 2];'), [['p', [1, 2]]]);
    assert.deepEqual(named('"p": [0.5, 0.5]'), [['p', [0.5, 0.5]]]);
    assert.deepEqual(named('self.target = torch.tensor([0.1, 0.9])'), [['self.target', [0.1, 0.9]]]);
  });

  it('reads two arrays in any mix of statements, objects and separators', () => {
    const expected: [string | undefined, Nested][] = [['p', [0.5, 0.5]], ['q', [0.9, 0.1]]];
    assert.deepEqual(named('p = np.array([0.5, 0.5])\nq = np.array([0.9, 0.1])'), expected);
    assert.deepEqual(named('p = [0.5, 0.5]; q = [0.9, 0.1];'), expected);
    assert.deepEqual(named('{"p": [0.5, 0.5], "q": [0.9, 0.1]}'), expected);
    assert.deepEqual(named("{'p': [0.5, 0.5], 'q': [0.9, 0.1],}"), expected);
    assert.deepEqual(named('{ p: [0.5, 0.5], q: [0.9, 0.1] }'), expected);
    assert.deepEqual(named('"p": [0.5, 0.5],\n"q": [0.9, 0.1]'), expected);
    assert.deepEqual(named('{"dist": {"p": [0.5, 0.5]}}'), [['dist.p', [0.5, 0.5]]]);
    assert.deepEqual(named('[0.5, 0.5], [0.9, 0.1]'), [[undefined, [0.5, 0.5]], [undefined, [0.9, 0.1]]]);
    assert.deepEqual(named('[0.5, 0.5]\n[0.9, 0.1]'), [[undefined, [0.5, 0.5]], [undefined, [0.9, 0.1]]]);
  });

  it('keeps the spans of the values', () => {
    const text = 'p = np.array([0.5, 0.5])\nq = [0.9, 0.1]';
    const [p, q] = arrays(text);
    assert.equal(text.slice(p!.span.start, p!.span.end), 'np.array([0.5, 0.5])');
    assert.equal(text.slice(q!.span.start, q!.span.end), '[0.9, 0.1]');
  });
});

describe('parseSelection: programs and refusals', () => {
  it('leaves KL programs to the language', () => {
    for (const source of ['KL(p || q)', 'KL([0.5, 0.5] || [0.9, 0.1])', 'p = [0.5, 0.5]\nq = [0.9, 0.1]\nKL(p || q, base=2)', 'H([0.5, 0.5])', '0.5', '[1 - 2]']) {
      assert.deepEqual(parseSelection(source), { kind: 'program', source });
    }
  });

  it('refuses ragged, empty and non-numeric literals with the reason and where', () => {
    assert.match(reason('[[1, 2], [3]]'), /^ragged: entry 1 has 1 entry but entry 0 has 2 entries \(at 1:10\)$/);
    assert.match(reason('np.array([[1, 2], [3, 4, 5]])'), /ragged: entry 1 has 3 entries but entry 0 has 2 entries/);
    assert.match(reason('[1, [2, 3]]'), /ragged: entry 1 has 2 entries but entry 0 is a number/);
    assert.match(reason('[1 2; 3]'), /ragged: row 1 has 1 entry but row 0 has 2/);
    assert.match(reason('[]'), /empty/);
    assert.match(reason('p = np.array([[], []])'), /p is empty/);
    assert.match(reason('["a", 1]'), /the string "a" is not a number \(at 1:2\)/);
    assert.match(reason('[True, False]'), /True is a boolean/);
    assert.match(reason('np.array([0.5, x])'), /'x' is not a number/);
    assert.match(reason('[0.5, 0.5'), /expected ',' or '\]' after an entry, found the end of the text/);
    assert.match(reason('[1, 2) '), /expected ',' or '\]'.*found '\)'/);
    assert.match(reason('[0x1f, 2]'), /'0x1f' is not a number/);
    assert.match(reason('[1, 2]\n[3, 4]\n[5, 6]'), /found 3 arrays .*select one for its entropy or two to compare/);
  });

  it('says why other text is neither', () => {
    assert.match(reason('def f(x): return 1'), /^neither a KL program \(syntax error at 1:9: .*\) nor array literals/);
    assert.equal(reason('   \n '), 'the selection is empty');
  });

  it('refuses selections over the 2 MB cap without reading them', () => {
    const text = `[${'0.5, '.repeat(MAX_SELECTION_CHARS / 5)}0.5]`;
    const t0 = performance.now();
    assert.match(reason(text), /at most 2097152 \(2 MB\)/);
    assert.ok(performance.now() - t0 < 50);
  });

  it('stays linear and safe on hostile input', () => {
    const cases = ['['.repeat(500_000), '('.repeat(500_000), `${'['.repeat(100)}1${']'.repeat(100)}`, '{"a":'.repeat(100_000), '"'.repeat(500_000), `[${'1 '.repeat(300_000)}`];
    for (const text of cases) {
      const t0 = performance.now();
      const c = parseSelection(text);
      assert.ok(performance.now() - t0 < 2000, `${text.slice(0, 10)}… took too long`);
      assert.equal(c.kind, 'none', `${text.slice(0, 10)}…`);
    }
    assert.match(reason(`${'['.repeat(100)}1${']'.repeat(100)}`), /nested more than 64 levels deep/);
  });

  it('reads a large literal in linear time', () => {
    const n = 200_000;
    const text = `p = np.array([${Array.from({ length: n }, (_, i) => (i + 1) / n).join(', ')}])`;
    const t0 = performance.now();
    const [p] = arrays(text);
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(p!.tensor.data.length, n);
    assert.equal(p!.tensor.data[n - 1], 1);
  });
});

describe('selectionProgram', () => {
  function evaluate(text: string): { source: string; secondary?: string; value: Value | undefined } {
    const c = parseSelection(text);
    assert.equal(c.kind, 'arrays');
    const program = selectionProgram(c as Extract<SelectionContent, { kind: 'arrays' }>);
    return { source: program.source, secondary: program.secondary, value: evaluateProgram(program.source, { env: new Map(program.bindings) }).value };
  }
  const resultOf = (v: Value | undefined) => {
    assert.equal(v?.type, 'result');
    return (v as Extract<Value, { type: 'result' }>).result;
  };

  it('takes the entropy of one array', () => {
    const { source, value } = evaluate('[0.5, 0.25, 0.25]');
    assert.equal(source, 'H(p)');
    assert.equal(resultOf(value).value.data[0], -(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25)));
  });

  it('compares two arrays both ways, by their names, with JS as the secondary', () => {
    const { source, secondary, value } = evaluate('target = [0.5, 0.5]\npred = [0.9, 0.1]');
    assert.equal(source, 'KL(target || pred)');
    assert.equal(secondary, 'JS(target, pred)');
    const r = resultOf(value);
    const kl = 0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1);
    const reverse = 0.9 * Math.log(0.9 / 0.5) + 0.1 * Math.log(0.1 / 0.5);
    assert.ok(Math.abs(r.value.data[0]! - kl) < 1e-15);
    assert.ok(r.kind === 'discrete' && Math.abs(r.reverse!.value.data[0]! - reverse) < 1e-15);
  });

  it('falls back to p and q for unnamed, clashing or unusable names', () => {
    assert.equal(evaluate('[0.5, 0.5], [0.9, 0.1]').source, 'KL(p || q)');
    assert.equal(evaluate('x = [0.5, 0.5]\nx = [0.9, 0.1]').source, 'KL(x || q)');
    assert.equal(evaluate('{"my-p": [0.5, 0.5], "KL": [0.9, 0.1]}').source, 'KL(p || q)');
    assert.equal(evaluate('self.p = [0.5, 0.5]').source, 'H(p)');
    assert.equal(evaluate('[0.5, 0.5]\np = [0.9, 0.1]').source, 'KL(p2 || p)');
  });

  it('reads logits through softmax and log-probabilities through exp', () => {
    assert.equal(evaluate('logits = [2.0, -1.0, 0.5]').source, 'H(softmax(logits))');
    assert.equal(evaluate(`lp = [${Math.log(0.5)}, ${Math.log(0.5)}]`).source, 'H(exp(lp))');
    assert.equal(evaluate('[3, 1]').source, 'H(p)');
  });
});
