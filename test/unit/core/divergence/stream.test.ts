/**
 * The streamed path must give what the in-memory path gives, at any chunk size, while reading
 * only chunk-sized ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DiscreteResult, Value } from '../../../../src/core/index';
import { lazyOf, type LazyTensor } from '../../../../src/core/lazy';
import { streamMeasure, type StreamMeasure } from '../../../../src/core/divergence/stream';
import { toNested, type Tensor } from '../../../../src/core/tensor';
import { allClose, errorOf, result } from '../../../helpers/values';

const MEASURES: StreamMeasure[] = ['KL', 'JS', 'H', 'CE', 'Jeffreys', 'TV', 'Hellinger'];
const CALL: Record<StreamMeasure, string> = { KL: 'KL(p || q', JS: 'JS(p, q', H: 'H(p', CE: 'CE(p, q', Jeffreys: 'Jeffreys(p, q', TV: 'TV(p, q', Hellinger: 'Hellinger(p, q' };
const single = (m: StreamMeasure): boolean => m === 'H';

/** A lazy view that records the largest read, to prove memory stays bounded. */
function counting(t: Tensor, label: string): LazyTensor & { maxRead: number } {
  const inner = lazyOf(t, label);
  const lazy = {
    ...inner,
    maxRead: 0,
    read(start: number, count: number, out: Float64Array) {
      lazy.maxRead = Math.max(lazy.maxRead, count);
      inner.read(start, count, out);
    },
  };
  return lazy;
}

const arg = (role: string, lazy: LazyTensor) => ({ role, text: role.toLowerCase(), span: undefined, lazy });

function inMemory(measure: StreamMeasure, p: Tensor, q: Tensor, extra: string): DiscreteResult {
  const env = new Map<string, Value>([
    ['p', { type: 'tensor', tensor: p }],
    ['q', { type: 'tensor', tensor: q }],
  ]);
  return result(`${CALL[measure]}${extra})`, { env }) as DiscreteResult;
}

const distribution = (rows: number, n: number, zeros: boolean) =>
  fc
    .array(fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), ...(zeros ? [fc.constant(0)] : [])), { minLength: rows * n, maxLength: rows * n })
    .map((xs) => {
      // Every row needs mass somewhere to be normalizable.
      for (let r = 0; r < rows; r++) xs[r * n] = (xs[r * n] ?? 0) + 1;
      return { shape: rows === 1 ? [n] : [rows, n], data: Float64Array.from(xs) } as Tensor;
    });

describe('streamMeasure', () => {
  for (const measure of MEASURES) {
    it(`${measure} agrees with the in-memory path at every chunk size`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }).chain((rows) =>
            fc.integer({ min: 1, max: 12 }).chain((n) =>
              fc.tuple(distribution(rows, n, true), distribution(rows, n, false), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.constantFrom('none', 'sum', 'mean', 'batchmean')),
            ),
          ),
          ([p, q, chunk, normalize, reduction]) => {
            const extra = `, normalize=${normalize}, reduction="${reduction}"`;
            const expected = inMemory(measure, p, q, extra);
            const P = counting(p, 'p.npy');
            const Q = counting(q, 'q.npy');
            const got = streamMeasure(measure, arg('P', P), single(measure) ? undefined : arg('Q', Q), { normalize, reduction }, { chunkElements: chunk });
            allClose(toNested(got.value), toNested(expected.value), 1e-12, 1e-14, `${measure} chunk ${chunk}`);
            allClose(toNested(got.rows), toNested(expected.rows), 1e-12, 1e-14, 'rows');
            if (expected.reverse) allClose(toNested(got.reverse!.value), toNested(expected.reverse.value), 1e-12, 1e-14, 'reverse');
            for (const [name, part] of Object.entries(expected.parts ?? {})) allClose(toNested(got.parts![name]!), toNested(part), 1e-12, 1e-14, name);
            assert.deepEqual(got.warnings.map((w) => w.code).sort(), expected.warnings.map((w) => w.code).sort());
            assert.deepEqual(got.infinite?.indices, expected.infinite?.indices);
            const n = p.shape[p.shape.length - 1]!;
            assert.ok(P.maxRead <= Math.max(chunk, n) || P.maxRead <= Math.floor(Math.max(chunk, n) / n) * n);
            assert.ok(P.maxRead <= Math.max(chunk, Math.min(n, chunk)) || n > chunk);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('reads a row longer than a chunk in chunk-sized pieces, twice when normalizing', () => {
    const n = 1000;
    const p: Tensor = { shape: [n], data: Float64Array.from({ length: n }, (_, i) => 1 + (i % 7)) };
    const q: Tensor = { shape: [n], data: Float64Array.from({ length: n }, (_, i) => 1 + (i % 5)) };
    const P = counting(p, 'p');
    const reads: number[] = [];
    const got = streamMeasure('KL', arg('P', P), arg('Q', lazyOf(q, 'q')), {}, { chunkElements: 64, progress: (done) => reads.push(done) });
    assert.equal(P.maxRead, 64);
    allClose(toNested(got.value), toNested(inMemory('KL', p, q, '').value), 1e-13);
    assert.deepEqual(reads, [...reads].sort((a, b) => a - b), 'progress never goes back');
    assert.equal(reads.at(-1), n);
  });

  it('reports progress and stops when cancelled', () => {
    const t: Tensor = { shape: [100, 10], data: new Float64Array(1000).fill(1) };
    let calls = 0;
    const e = errorOf(() =>
      streamMeasure('KL', arg('P', lazyOf(t, 'p')), arg('Q', lazyOf(t, 'q')), {}, { chunkElements: 100, isCancelled: () => ++calls >= 3 }),
    );
    assert.equal(e.kind, 'cancelled');
    assert.match(e.message, /cancelled after 300 of 1000 elements/);
  });

  it('names the argument and the element index of bad input', () => {
    const good: Tensor = { shape: [3, 4], data: new Float64Array(12).fill(1) };
    const bad: Tensor = { shape: [3, 4], data: new Float64Array(12).fill(1) };
    bad.data[9] = -2;
    assert.equal(
      errorOf(() => streamMeasure('KL', arg('P', lazyOf(good, 'p')), arg('Q', lazyOf(bad, 'q')), {}, { chunkElements: 4 })).message,
      'KL: argument Q has a negative entry -2 at index [2, 1]; probabilities must be ≥ 0',
    );
    const other: Tensor = { shape: [4, 3], data: new Float64Array(12).fill(1) };
    assert.match(errorOf(() => streamMeasure('KL', arg('P', lazyOf(good, 'p')), arg('Q', lazyOf(other, 'q')), {})).message, /argument Q has 3 entries but P has 4/);
  });

  it('says what a row with a negative entry looks like, as the in-memory path does', () => {
    // log_softmax rows (written out here) and logits of both signs, 3 rows of 5.
    const z = [[2, -0.5, -1, 0.1, 1.2], [0.3, 1.8, -0.4, 0, -2], [1, 1, 0.5, -0.5, 3]];
    const logSoftmax = (r: number[]): number[] => r.map((x) => x - Math.log(r.reduce((a, y) => a + Math.exp(y), 0)));
    const q: Tensor = { shape: [3, 5], data: new Float64Array(15).fill(0.2) };
    for (const [what, rows, hint] of [
      ['log-probabilities', z.map(logSoftmax), '— these look like log-probabilities; pass exp(p) or softmax(p)'],
      ['logits', z, '— these look like logits; pass softmax(p)'],
    ] as const) {
      const p: Tensor = { shape: [3, 5], data: Float64Array.from(rows.flat()) };
      const expected = errorOf(() => inMemory('KL', p, q, '')).message;
      assert.ok(expected.endsWith(hint), expected);
      for (const chunk of [5, 7, 16, 1000]) {
        const P = counting(p, 'p.npy');
        assert.equal(errorOf(() => streamMeasure('KL', arg('P', P), arg('Q', lazyOf(q, 'q.npy')), {}, { chunkElements: chunk })).message, expected, `${what}, chunk ${chunk}`);
        assert.ok(P.maxRead <= Math.max(chunk, 5));
      }
    }
  });

  it('judges a row longer than a chunk from the chunk that holds the entry', () => {
    const n = 40;
    const logp = Array.from({ length: n }, () => -Math.log(n)); // uniform log-probabilities
    const P = counting({ shape: [n], data: Float64Array.from(logp) }, 'p.npy');
    const q: Tensor = { shape: [n], data: new Float64Array(n).fill(1 / n) };
    const m = errorOf(() => streamMeasure('KL', arg('P', P), arg('Q', lazyOf(q, 'q.npy')), {}, { chunkElements: 8 })).message;
    // Part of a row cannot show it is normalized; softmax is right for logits and log-probabilities alike.
    assert.ok(m.endsWith('— these look like logits or unnormalized log-probabilities; pass softmax(p)'), m);
    assert.equal(P.maxRead, 8);
  });

  it('is what the language uses for large file-backed operands', () => {
    // 5·10⁶ elements generated on demand: nothing of that size is ever allocated.
    const n = 999; // a multiple of 3: every row holds the same pattern
    const rows = 5006;
    const make = (shift: number): LazyTensor => ({
      shape: [rows, n],
      label: `gen${shift}.npy`,
      dtype: 'float32',
      read(start, count, out) {
        for (let i = 0; i < count; i++) out[i] = 1 + ((start + i + shift) % 3);
      },
    });
    const env = new Map<string, Value>([
      ['a', { type: 'lazy', lazy: make(0) }],
      ['b', { type: 'lazy', lazy: make(1) }],
    ]);
    const r = result('KL(softmax(a) || softmax(b), reduction="mean")', { env }) as DiscreteResult;
    assert.equal(r.operands[0]!.tensor, undefined);
    assert.equal(r.operands[0]!.source, 'softmax(a)');
    // Every row holds the same pattern, so the mean equals one row's KL computed in memory.
    const rowA = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const rowB = Float64Array.from({ length: n }, (_, i) => 1 + ((i + 1) % 3));
    const single = result('KL(softmax(a) || softmax(b))', {
      env: new Map<string, Value>([
        ['a', { type: 'tensor', tensor: { shape: [n], data: rowA } }],
        ['b', { type: 'tensor', tensor: { shape: [n], data: rowB } }],
      ]),
    });
    assert.ok(Math.abs(r.value.data[0]! - single.value.data[0]!) < 1e-12);
    const huge = new Map<string, Value>([['h', { type: 'lazy', lazy: { ...make(0), shape: [40_000, 1000], label: 'huge.npy' } }]]);
    assert.match(errorOf(() => result('sum(h)', { env: huge })).message, /sum: argument X \(huge\.npy, shape \[40000, 1000\], 40000000 elements\) is too large to load whole/);
  });
});
