/**
 * The fast paths of Jeffreys, cross-entropy, entropy and Jensen–Shannon against the reference path of
 * divergence/stream.ts: the same values, row values, parts, warnings, infinite indices and error
 * messages, on float32 and float64 .npy bytes read through the real reader, at chunk and piece
 * sizes that cut rows anywhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { streamMeasure, type LazyArg, type Runtime, type StreamMeasure } from '../../../src/core/divergence/stream';
import type { MeasureOptions } from '../../../src/core/divergence/options';
import { KlError } from '../../../src/core/errors';
import { lazySoftmax, type LazyTensor } from '../../../src/core/lazy';
import type { DiscreteResult } from '../../../src/core/result';
import { lazyEntry } from '../../../src/host/load';
import { readNpy } from '../../../src/io/npy';
import { memorySource } from '../../../src/io/source';
import { npyBytes } from '../../helpers/io';

type Floats = Float32Array | Float64Array;
type Measure = Extract<StreamMeasure, 'Jeffreys' | 'CE' | 'H' | 'JS'>;
const MEASURES: readonly Measure[] = ['Jeffreys', 'CE', 'H', 'JS'];

/** The array as an .npy file read back by the real reader, as load() sees a large file. */
function npyLazy(data: Floats, shape: readonly number[], label: string): LazyTensor {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const bytes = npyBytes(header.padEnd(118) + '\n', new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const lazy = lazyEntry(readNpy(memorySource(bytes, label)), label);
  assert.ok(lazy.raw, 'little-endian float arrays are open to the kernels');
  return lazy;
}

const arg = (role: string, lazy: LazyTensor): LazyArg => ({ role, text: role.toLowerCase(), span: undefined, lazy });

function measure(m: Measure, p: LazyTensor, q: LazyTensor, options: MeasureOptions, runtime: Runtime): DiscreteResult {
  return streamMeasure(m, arg('P', p), m === 'H' ? undefined : arg('Q', q), options, runtime);
}

function both(m: Measure, p: LazyTensor, q: LazyTensor, options: MeasureOptions, runtime: Runtime): { fast: DiscreteResult; reference: DiscreteResult } {
  return { fast: measure(m, p, q, options, { ...runtime, fastPaths: true }), reference: measure(m, p, q, options, { ...runtime, fastPaths: false }) };
}

/** As in fastKl.test.ts: log Σp and Σp·log p / Σp are each of order 1, so a value near 0 is off by ulps of 1. */
const ATOL = 1e-14;

function close(got: number, want: number, rtol: number, what: string): void {
  if (got === want) return;
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want) + ATOL, `${what}: ${got} vs ${want}`);
}

function closeArrays(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < want.length; i++) close(got[i]!, want[i]!, rtol, `${what}[${i}]`);
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

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KlError, `a KlError, not ${String(e)}`);
    return e.message;
  }
  assert.fail('expected an error');
}

/** Random weights with some exact zeros, tiny and huge values (not so far apart that normalizing underflows). */
const weights = (length: number, kinds: { zeros?: boolean; extreme?: boolean } = {}) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 10, noNaN: true }) },
      { weight: kinds.zeros ? 1 : 0, arbitrary: fc.constant(0) },
      { weight: kinds.extreme ? 1 : 0, arbitrary: fc.constantFrom(1e-40, 1e-200, 1e30) },
    ),
    { minLength: length, maxLength: length },
  );

const RUNTIMES: Runtime[] = [
  {},
  { chunkElements: 6, pieceElements: 10 },
  { chunkElements: 7, pieceElements: 7 },
  { chunkElements: 5, pieceElements: 64 },
];

for (const m of MEASURES) {
  describe(`fast ${m} against the reference path`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const make = (xs: number[]): Floats => (dtype === 'float32' ? Float32Array.from(xs) : Float64Array.from(xs));

      it(`${dtype}: random rows of odd and even lengths, every chunk and piece size`, () => {
        const cases = fc
          .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 23 }))
          .chain(([rows, n]) => fc.record({ rows: fc.constant(rows), n: fc.constant(n), a: weights(rows * n), b: weights(rows * n), r: fc.integer({ min: 0, max: RUNTIMES.length - 1 }), normalize: fc.boolean() }));
        fc.assert(
          fc.property(cases, ({ rows, n, a, b, r, normalize }) => {
            for (let i = 0; i < rows; i++) {
              a[i * n] = 1 + a[i * n]!;
              b[i * n] = 1 + b[i * n]!;
            }
            const shape = rows === 1 ? [n] : [rows, n];
            const { fast, reference } = both(m, npyLazy(make(a), shape, 'p.npy'), npyLazy(make(b), shape, 'q.npy'), { normalize }, RUNTIMES[r]!);
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
        const tiny = dtype === 'float32' ? 1e-45 : 5e-324;
        fc.assert(
          fc.property(fc.array(fc.constantFrom(0, tiny, 2 * tiny, 1e-3, 0.5), { minLength: 9, maxLength: 9 }), fc.array(fc.constantFrom(0, tiny, 3 * tiny, 1e-3, 0.25), { minLength: 9, maxLength: 9 }), (a, b) => {
            const { fast, reference } = both(m, npyLazy(make(a), [9], 'p.npy'), npyLazy(make(b), [9], 'q.npy'), { normalize: false }, { chunkElements: 4, pieceElements: 4 });
            assertSame(fast, reference, 1e-13);
          }),
          { numRuns: 200 },
        );
      });

      for (const [what, value, pattern] of [
        ['NaN', NaN, 'has NaN at index \\[1, 3\\]'],
        ['a negative entry', -0.5, 'has a negative entry -0\\.5 at index \\[1, 3\\]; probabilities must be ≥ 0'],
        ['an infinite entry', Infinity, 'has an infinite entry at index \\[1, 3\\]'],
      ] as const) {
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
    const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${n},), }`.padEnd(118) + '\n';
    const bytes = npyBytes(header, new Uint8Array(data.buffer));
    const p = lazyEntry(readNpy(memorySource(bytes, 'p.npy')), 'p.npy');
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
      let s = 5;
      const logits = (): Float32Array =>
        Float32Array.from({ length: 5 * 37 }, () => {
          s = (s * 1103515245 + 12345) % 2147483648;
          return (s / 2147483648 - 0.5) * scale;
        });
      const a = logits();
      const b = logits();
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
