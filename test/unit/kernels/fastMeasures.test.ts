/**
 * The fast paths of Jeffreys, cross-entropy, entropy and Jensen–Shannon against the reference path of
 * divergence/stream.ts: the same values, row values, parts, warnings, infinite indices and error
 * messages, on float32 and float64 .npy bytes read through the real reader, at chunk and piece
 * sizes that cut rows anywhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { streamMeasure, type Runtime, type StreamMeasure } from '../../../src/core/divergence/stream';
import type { MeasureOptions } from '../../../src/core/divergence/options';
import { lazySoftmax, type LazyTensor } from '../../../src/core/lazy';
import type { DiscreteResult } from '../../../src/core/result';
import { arg, BAD_ENTRIES, closeArrays, type Floats, floatsOf, lazyNpy, logitSequence, messageOf, npyFileBytes, npyLazy, randomRows, RUNTIMES, subnormalPair, weights } from './helpers';

type Measure = Extract<StreamMeasure, 'Jeffreys' | 'CE' | 'H' | 'JS'>;
const MEASURES: readonly Measure[] = ['Jeffreys', 'CE', 'H', 'JS'];

function measure(m: Measure, p: LazyTensor, q: LazyTensor, options: MeasureOptions, runtime: Runtime): DiscreteResult {
  return streamMeasure(m, arg('P', p), m === 'H' ? undefined : arg('Q', q), options, runtime);
}

function both(m: Measure, p: LazyTensor, q: LazyTensor, options: MeasureOptions, runtime: Runtime): { fast: DiscreteResult; reference: DiscreteResult } {
  return { fast: measure(m, p, q, options, { ...runtime, fastPaths: true }), reference: measure(m, p, q, options, { ...runtime, fastPaths: false }) };
}

/** Everything a caller sees agrees: values and parts to `rtol`, everything else exactly. */
function assertSame(fast: DiscreteResult, reference: DiscreteResult, rtol: number): void {
  closeArrays(fast.value.data, reference.value.data, rtol, 'value');
  closeArrays(fast.rows!.data, reference.rows!.data, rtol, 'rows');
  assert.deepEqual(Object.keys(fast.parts ?? {}), Object.keys(reference.parts ?? {}));
  for (const [name, part] of Object.entries(reference.parts ?? {})) closeArrays(fast.parts![name]!.data, part.data, rtol, name);
  assert.equal(fast.label, reference.label);
  assert.deepEqual(fast.infinite, reference.infinite);
  assert.equal(fast.reverse, undefined);
  assert.deepEqual(
    fast.warnings.map((w) => w.message),
    reference.warnings.map((w) => w.message),
  );
  assert.equal(fast.operands.length, reference.operands.length);
  fast.operands.forEach((o, k) => {
    closeArrays(o.sums!.data, reference.operands[k]!.sums!.data, 1e-12, `sums of ${o.role}`);
    assert.equal(o.rescaled, reference.operands[k]!.rescaled);
  });
}

for (const m of MEASURES) {
  describe(`fast ${m} against the reference path`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const make = (xs: number[]): Floats => floatsOf(dtype, xs);

      it(`${dtype}: random rows of odd and even lengths, every chunk and piece size`, () => {
        fc.assert(
          fc.property(randomRows, ({ a, b, shape, runtime, normalize }) => {
            const { fast, reference } = both(m, npyLazy(make(a), shape, 'p.npy'), npyLazy(make(b), shape, 'q.npy'), { normalize }, runtime);
            assertSame(fast, reference, 1e-12);
          }),
          { numRuns: 200 },
        );
      });

      it(`${dtype}: zeros in p, in q and in both; subnormal and huge entries`, () => {
        fc.assert(
          fc.property(weights(41, { zeros: true, extreme: dtype === 'float64' }), weights(41, { zeros: true, extreme: dtype === 'float64' }), fc.integer({ min: 0, max: RUNTIMES.length - 1 }), (a, b, r) => {
            a[0] = 1;
            b[0] = 1;
            const { fast, reference } = both(m, npyLazy(make(a), [41], 'p.npy'), npyLazy(make(b), [41], 'q.npy'), {}, RUNTIMES[r]!);
            assertSame(fast, reference, 1e-11);
          }),
          { numRuns: 150 },
        );
      });

      it(`${dtype}: subnormal entries, used as given (normalize=false)`, () => {
        fc.assert(
          fc.property(...subnormalPair(dtype), (a, b) => {
            const { fast, reference } = both(m, npyLazy(make(a), [9], 'p.npy'), npyLazy(make(b), [9], 'q.npy'), { normalize: false }, { chunkElements: 4, pieceElements: 4 });
            assertSame(fast, reference, 1e-13);
          }),
          { numRuns: 200 },
        );
      });

      for (const [what, value, pattern] of BAD_ENTRIES) {
        it(`${dtype}: refuses ${what} with its argument and index, as the reference path does`, () => {
          // H reads only P; the others are given the bad entry in Q.
          const role = m === 'H' ? 'P' : 'Q';
          const p = make(Array.from({ length: 40 }, (_, i) => 1 + (i % 3)));
          const q = make(Array.from({ length: 40 }, (_, i) => 1 + (i % 5)));
          (m === 'H' ? p : q)[23] = value;
          for (const runtime of RUNTIMES) {
            const run = (fastPaths: boolean) => () => measure(m, npyLazy(p, [2, 20], 'p.npy'), npyLazy(q, [2, 20], 'q.npy'), {}, { ...runtime, fastPaths });
            const fast = messageOf(run(true));
            assert.match(fast, new RegExp(`argument ${role} ${pattern}`));
            assert.equal(fast, messageOf(run(false)));
          }
        });
      }

      it(`${dtype}: reports the first bad element when several pieces have one`, () => {
        const p = make(Array.from({ length: 60 }, () => 1));
        p[51] = -1;
        p[17] = NaN;
        const q = make(Array.from({ length: 60 }, () => 2));
        const message = messageOf(() => measure(m, npyLazy(p, [60], 'p.npy'), npyLazy(q, [60], 'q.npy'), {}, { chunkElements: 4, pieceElements: 8 }));
        assert.match(message, /argument P has NaN at index 17$/);
      });

      it(`${dtype}: a row that sums to 0 is refused with its row index`, () => {
        const p = make([1, 2, 0, 0, 3, 4]);
        const q = make([1, 1, 1, 1, 1, 1]);
        const run = (fastPaths: boolean) => () => measure(m, npyLazy(p, [3, 2], 'p.npy'), npyLazy(q, [3, 2], 'q.npy'), {}, { fastPaths });
        assert.match(messageOf(run(true)), /argument P row 1 sums to 0, so it cannot be normalized/);
        assert.equal(messageOf(run(true)), messageOf(run(false)));
      });
    }

    it('float64: 1e-12 relative on a sum of 10⁶ terms whose row sums are far from 1', () => {
      const n = 1_000_000;
      const p = Float64Array.from({ length: n }, (_, i) => 1 + Math.sin(i) ** 2);
      const q = Float64Array.from({ length: n }, (_, i) => 3 * (1 + Math.cos(i) ** 2));
      const { fast, reference } = both(m, npyLazy(p, [n], 'p.npy'), npyLazy(q, [n], 'q.npy'), {}, { chunkElements: 1 << 16 });
      assertSame(fast, reference, 1e-12);
    });

    it('float32: within 1e-6 relative of the float64 reference over 10⁶ terms', () => {
      const n = 1_000_003;
      const p = Float32Array.from({ length: n }, (_, i) => 1 + Math.sin(i) ** 2);
      const q = Float32Array.from({ length: n }, (_, i) => 3 * (1 + Math.cos(i) ** 2));
      const { fast, reference } = both(m, npyLazy(p, [n], 'p.npy'), npyLazy(q, [n], 'q.npy'), {}, { chunkElements: 1 << 16 });
      assertSame(fast, reference, 1e-6);
    });
  });
}

describe('fast Jeffreys: where it is infinite', () => {
  it('lists the indices of both directions in order, across pieces', () => {
    const p = Float64Array.of(0.1, 0, 0.3, 0.2, 0, 0.1, 0.3, 0, 0.5, 0.4, 0.1, 0);
    const q = Float64Array.of(0.2, 0.1, 0, 0.2, 0.3, 0, 0.1, 0, 0.1, 0, 0.2, 0.2);
    for (const runtime of RUNTIMES) {
      const { fast, reference } = both('Jeffreys', npyLazy(p, [3, 4], 'p.npy'), npyLazy(q, [3, 4], 'q.npy'), {}, runtime);
      assertSame(fast, reference, 1e-14);
      assert.deepEqual(fast.infinite, { count: 6, indices: [[0, 1], [0, 2], [1, 0], [1, 1], [2, 1], [2, 3]] });
    }
  });

  it('lists at most the first 100 of many, merged from both directions', () => {
    const n = 1000;
    const p = Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : 1));
    const q = Float32Array.from({ length: n }, (_, i) => (i % 11 === 5 ? 0 : 1));
    const { fast, reference } = both('Jeffreys', npyLazy(p, [n], 'p.npy'), npyLazy(q, [n], 'q.npy'), {}, { chunkElements: 64, pieceElements: 128 });
    assertSame(fast, reference, 1e-14);
    assert.equal(fast.infinite!.indices.length, 100);
  });
});

describe('fast JS: a file that changes between its two passes', () => {
  it('is reported, not summed into a wrong value', () => {
    const n = 64;
    const data = Float64Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const bytes = npyFileBytes(data, [n]);
    const p = lazyNpy(bytes, 'p.npy');
    const q = npyLazy(Float64Array.from({ length: n }, (_, i) => 1 + (i % 5)), [n], 'q.npy');
    // After the first pass (half the progress), entry 37 of P becomes NaN.
    const progress = (done: number, total: number): void => {
      if (done * 2 >= total) new DataView(bytes.buffer, bytes.byteOffset).setFloat64(bytes.length - 8 * (n - 37), NaN, true);
    };
    const message = messageOf(() => streamMeasure('JS', arg('P', p), arg('Q', q), {}, { chunkElements: 16, pieceElements: 16, progress }));
    assert.equal(message, 'JS: p or q changed while it was read');
  });
});

describe('fast Jeffreys of two softmaxes of logits', () => {
  for (const [what, scale] of [
    ['ordinary logits', 8],
    ['logits so spread that softmax underflows to 0', 3000],
  ] as const) {
    it(`${what}: agrees with the reference path, with and without a temperature`, () => {
      const logits = logitSequence(5, scale);
      const a = logits(5 * 37);
      const b = logits(5 * 37);
      for (const T of [1, 4]) {
        const soft = (x: Float32Array, label: string): LazyTensor => lazySoftmax(npyLazy(x, [5, 37], label), T, `softmax(${label})`);
        const fast = streamMeasure('Jeffreys', arg('P', soft(a, 'a')), arg('Q', soft(b, 'b')), {}, { fastPaths: true });
        const reference = streamMeasure('Jeffreys', arg('P', soft(a, 'a')), arg('Q', soft(b, 'b')), {}, { fastPaths: false });
        closeArrays(fast.rows!.data, reference.rows!.data, 1e-10, `rows, T=${T}`);
        for (const [name, part] of Object.entries(reference.parts!)) closeArrays(fast.parts![name]!.data, part.data, 1e-10, name);
        assert.deepEqual(fast.infinite, reference.infinite);
        if (scale > 100) assert.ok(fast.infinite!.count > 0, 'some softmax entries underflow');
      }
    });
  }
});
