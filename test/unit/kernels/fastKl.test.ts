/**
 * The fast KL paths against the reference path of divergence/stream.ts: the same values, row
 * values, reverse direction, warnings, infinite indices and error messages, on float32 and float64
 * .npy bytes read through the real reader, at chunk and piece sizes that cut rows anywhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { streamMeasure, type Runtime } from '../../../src/core/divergence/stream';
import type { MeasureOptions } from '../../../src/core/divergence/options';
import { lazySoftmax, type LazyTensor } from '../../../src/core/lazy';
import type { DiscreteResult } from '../../../src/core/result';
import { arg, BAD_ENTRIES, close, closeArrays, type Floats, floatsOf, logitSequence, messageOf, npyLazy, randomRows, RUNTIMES, subnormalPair, weights } from './helpers';

function both(p: LazyTensor, q: LazyTensor, options: MeasureOptions, runtime: Runtime): { fast: DiscreteResult; reference: DiscreteResult } {
  return {
    fast: streamMeasure('KL', arg('P', p), arg('Q', q), options, { ...runtime, fastPaths: true }),
    reference: streamMeasure('KL', arg('P', p), arg('Q', q), options, { ...runtime, fastPaths: false }),
  };
}

/**
 * Everything a caller sees agrees: values to `rtol`, everything else exactly. (Whether a softmax
 * row "was rescaled" depends on the last bit of its sum, which the two paths round differently.)
 */
function assertSame(fast: DiscreteResult, reference: DiscreteResult, rtol: number, compareRescaled = true): void {
  closeArrays(fast.value.data, reference.value.data, rtol, 'value');
  closeArrays(fast.rows!.data, reference.rows!.data, rtol, 'rows');
  closeArrays(fast.reverse!.value.data, reference.reverse!.value.data, rtol, 'reverse');
  closeArrays(fast.reverse!.rows!.data, reference.reverse!.rows!.data, rtol, 'reverse rows');
  assert.deepEqual(fast.infinite, reference.infinite);
  assert.deepEqual(fast.reverse!.infinite, reference.reverse!.infinite);
  assert.deepEqual(
    fast.warnings.map((w) => w.code),
    reference.warnings.map((w) => w.code),
  );
  fast.operands.forEach((o, k) => {
    closeArrays(o.sums!.data, reference.operands[k]!.sums!.data, 1e-12, `sums of ${o.role}`);
    if (compareRescaled) assert.equal(o.rescaled, reference.operands[k]!.rescaled);
  });
}

describe('fast KL against the reference path', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const make = (xs: number[]): Floats => floatsOf(dtype, xs);
    const rtol = 1e-12;

    it(`${dtype}: random rows of odd and even lengths, every chunk and piece size`, () => {
      fc.assert(
        fc.property(randomRows, ({ a, b, shape, runtime, normalize }) => {
          const { fast, reference } = both(npyLazy(make(a), shape, 'p.npy'), npyLazy(make(b), shape, 'q.npy'), { normalize }, runtime);
          assertSame(fast, reference, rtol);
        }),
        { numRuns: 300 },
      );
    });

    it(`${dtype}: zeros in p, in q and in both; subnormal and huge entries`, () => {
      fc.assert(
        fc.property(weights(41, { zeros: true, extreme: dtype === 'float64' }), weights(41, { zeros: true, extreme: dtype === 'float64' }), fc.integer({ min: 0, max: RUNTIMES.length - 1 }), (a, b, r) => {
          a[0] = 1;
          b[0] = 1;
          const { fast, reference } = both(npyLazy(make(a), [41], 'p.npy'), npyLazy(make(b), [41], 'q.npy'), {}, RUNTIMES[r]!);
          assertSame(fast, reference, 1e-11);
        }),
        { numRuns: 200 },
      );
    });

    it(`${dtype}: subnormal entries, used as given (normalize=false)`, () => {
      fc.assert(
        fc.property(...subnormalPair(dtype), (a, b) => {
          const { fast, reference } = both(npyLazy(make(a), [9], 'p.npy'), npyLazy(make(b), [9], 'q.npy'), { normalize: false }, { chunkElements: 4, pieceElements: 4 });
          assertSame(fast, reference, 1e-13);
        }),
        { numRuns: 300 },
      );
    });

    it(`${dtype}: lists the indices that make each direction infinite, in order, across pieces`, () => {
      const p = make([0.1, 0, 0.3, 0.2, 0, 0.1, 0.3, 0, 0.5, 0.4, 0.1, 0]);
      const q = make([0.2, 0.1, 0, 0.2, 0.3, 0, 0.1, 0, 0.1, 0, 0.2, 0.2]);
      for (const runtime of RUNTIMES) {
        const { fast, reference } = both(npyLazy(p, [3, 4], 'p.npy'), npyLazy(q, [3, 4], 'q.npy'), {}, runtime);
        assertSame(fast, reference, 1e-14);
        assert.deepEqual(fast.infinite, { count: 3, indices: [[0, 2], [1, 1], [2, 1]] });
        assert.deepEqual(fast.reverse!.infinite, { count: 3, indices: [[0, 1], [1, 0], [2, 3]] });
        assert.deepEqual(Array.from(fast.rows!.data), [Infinity, Infinity, Infinity]);
      }
    });

    for (const [what, value, pattern] of BAD_ENTRIES) {
      it(`${dtype}: refuses ${what} with its index, as the reference path does`, () => {
        const p = make(Array.from({ length: 40 }, (_, i) => 1 + (i % 3)));
        const q = make(Array.from({ length: 40 }, (_, i) => 1 + (i % 5)));
        q[23] = value;
        for (const runtime of RUNTIMES) {
          const fast = messageOf(() => streamMeasure('KL', arg('P', npyLazy(p, [2, 20], 'p.npy')), arg('Q', npyLazy(q, [2, 20], 'q.npy')), {}, { ...runtime, fastPaths: true }));
          const reference = messageOf(() => streamMeasure('KL', arg('P', npyLazy(p, [2, 20], 'p.npy')), arg('Q', npyLazy(q, [2, 20], 'q.npy')), {}, { ...runtime, fastPaths: false }));
          assert.match(fast, new RegExp(`argument Q ${pattern}`));
          assert.equal(fast, reference);
        }
      });
    }

    it(`${dtype}: says a file of log-probabilities looks like one, as the reference path does`, () => {
      // Two rows of log_softmax, written out here: each row's log-sum-exp is 0.
      const rows = [Array.from({ length: 20 }, (_, i) => Math.sin(i)), Array.from({ length: 20 }, (_, i) => (i % 7) - 3)];
      const logp = make(rows.flatMap((r) => r.map((x) => x - Math.log(r.reduce((a, y) => a + Math.exp(y), 0)))));
      const q = make(Array.from({ length: 40 }, () => 0.05));
      for (const runtime of RUNTIMES) {
        const run = (fastPaths: boolean) => messageOf(() => streamMeasure('KL', arg('Q', npyLazy(q, [2, 20], 'q.npy')), arg('P', npyLazy(logp, [2, 20], 'logp.npy')), {}, { ...runtime, fastPaths }));
        const fast = run(true);
        // A row longer than a chunk is judged from the chunk holding the entry, which cannot show it is normalized.
        const hint = (runtime.chunkElements ?? Infinity) < 20 ? 'logits or unnormalized log-probabilities; pass softmax\\(p\\)' : 'log-probabilities; pass exp\\(p\\) or softmax\\(p\\)';
        assert.match(fast, new RegExp(`argument P has a negative entry .* at index \\[0, 0\\]; probabilities must be ≥ 0 — these look like ${hint}$`));
        assert.equal(fast, run(false));
      }
    });

    it(`${dtype}: reports the first bad element when several pieces have one`, () => {
      const p = make(Array.from({ length: 60 }, () => 1));
      p[51] = -1;
      p[17] = NaN;
      const q = make(Array.from({ length: 60 }, () => 2));
      const message = messageOf(() => streamMeasure('KL', arg('P', npyLazy(p, [60], 'p.npy')), arg('Q', npyLazy(q, [60], 'q.npy')), {}, { chunkElements: 4, pieceElements: 8 }));
      assert.match(message, /argument P has NaN at index 17$/);
    });

    it(`${dtype}: a row that sums to 0 is refused with its row index`, () => {
      const p = make([1, 2, 0, 0, 3, 4]);
      const q = make([1, 1, 1, 1, 1, 1]);
      const run = (fastPaths: boolean) => () => streamMeasure('KL', arg('P', npyLazy(p, [3, 2], 'p.npy')), arg('Q', npyLazy(q, [3, 2], 'q.npy')), {}, { fastPaths });
      assert.match(messageOf(run(true)), /argument P row 1 sums to 0, so it cannot be normalized/);
      assert.equal(messageOf(run(true)), messageOf(run(false)));
    });
  }

  it('keeps 1e-12 relative accuracy on a float64 sum of 10⁶ terms whose rows sum far from 1', () => {
    const n = 1_000_000;
    const p = Float64Array.from({ length: n }, (_, i) => 1 + Math.sin(i) ** 2);
    const q = Float64Array.from({ length: n }, (_, i) => 3 * (1 + Math.cos(i) ** 2));
    const { fast, reference } = both(npyLazy(p, [n], 'p.npy'), npyLazy(q, [n], 'q.npy'), {}, { chunkElements: 1 << 16 });
    close(fast.value.data[0]!, reference.value.data[0]!, 1e-12, 'KL');
    close(fast.reverse!.value.data[0]!, reference.reverse!.value.data[0]!, 1e-12, 'reverse KL');
  });

  it('keeps a subnormal q > 0 positive, where dividing by the row sum first rounds it to 0', () => {
    // The reference path divides first (5e-324 / 2 rounds to 0) and calls KL infinite; the fast
    // path works from the stored values, where q > 0, and gives the finite value.
    const p = Float64Array.of(0.5, 0.5, 1e-300);
    const q = Float64Array.of(1, 1, 5e-324);
    const fast = streamMeasure('KL', arg('P', npyLazy(p, [3], 'p.npy')), arg('Q', npyLazy(q, [3], 'q.npy')), {}, {});
    const sp = 1 + 1e-300;
    const exact = (0.5 / sp) * Math.log(0.5 / sp / 0.5) * 2 + (1e-300 / sp) * (Math.log(1e-300 / sp) - Math.log(5e-324 / 2));
    close(fast.value.data[0]!, exact, 1e-15, 'KL');
    assert.equal(fast.infinite, undefined);
  });

  it('leaves mixed dtypes and big-endian files to the reference path, with the same result', () => {
    const p = Float32Array.of(1, 2, 3, 4);
    const q = Float64Array.of(4, 3, 2, 1);
    const { fast, reference } = both(npyLazy(p, [4], 'p.npy'), npyLazy(q, [4], 'q.npy'), {}, {});
    assertSame(fast, reference, 0);
  });
});

describe('fused softmax KL against the reference path', () => {
  const logits = (rows: number, n: number, scale: number, seed: number): Float32Array => logitSequence(seed, scale)(rows * n);
  const soft = (data: Floats, shape: number[], label: string, T = 1): LazyTensor => lazySoftmax(npyLazy(data, shape, label), T, `softmax(${label})`);

  for (const [what, scale, T] of [
    ['ordinary logits', 8, 1],
    ['a temperature', 8, 4],
    ['logits so spread that softmax underflows to 0', 3000, 1],
  ] as const) {
    it(`${what}: same values, rows, warnings and infinite indices`, () => {
      const a = logits(5, 37, scale, 1);
      const b = logits(5, 37, scale, 2);
      for (const runtime of [{}, { chunkElements: 40, pieceElements: 80 }]) {
        // normalize=false is how distill() calls it.
        for (const [reduction, normalize] of [['none', true], ['mean', true], ['batchmean', false]] as const) {
          const fast = streamMeasure('KL', arg('P', soft(a, [5, 37], 'a', T)), arg('Q', soft(b, [5, 37], 'b', T)), { reduction, normalize }, { ...runtime, fastPaths: true });
          const reference = streamMeasure('KL', arg('P', soft(a, [5, 37], 'a', T)), arg('Q', soft(b, [5, 37], 'b', T)), { reduction, normalize }, { ...runtime, fastPaths: false });
          assertSame(fast, reference, 1e-10, false);
        }
      }
    });
  }

  it('a NaN logit goes the reference way, which names it', () => {
    const a = logits(3, 16, 4, 3);
    a[20] = NaN;
    const b = logits(3, 16, 4, 4);
    const run = (fastPaths: boolean) => () => streamMeasure('KL', arg('P', soft(a, [3, 16], 'a')), arg('Q', soft(b, [3, 16], 'b')), {}, { fastPaths });
    assert.equal(messageOf(run(true)), messageOf(run(false)));
  });
});
