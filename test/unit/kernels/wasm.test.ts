/**
 * The vector kernels against the platform's own functions: the polynomial log over the whole range
 * of normal doubles, the exponential over the range softmax uses, and where the loops stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Kernels } from '../../../src/core/kernels/wasm';
import { mulberry32 as seeded } from '../../../scripts/mulberry32.mjs';

const kernels = new Kernels([1 << 20, 1 << 20, 1 << 20]);

/** Distance in units in the last place of `want`. */
function ulps(got: number, want: number): number {
  if (got === want) return 0;
  const ulp = want === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(Math.abs(want))) - 52);
  return Math.abs(got - want) / ulp;
}

/** A double from random bits in [2^lo, 2^hi). */
function randomDouble(rand: () => number, lo: number, hi: number): number {
  const e = lo + Math.floor(rand() * (hi - lo));
  return (1 + rand()) * 2 ** e;
}

describe('polynomial log', () => {
  it('is within 1 ulp of Math.log over every binade of the normal doubles', () => {
    const rand = seeded(1);
    const n = 1 << 16;
    const p = Float64Array.from({ length: n }, (_, i) => randomDouble(rand, -1022 + (i % 2046), -1021 + (i % 2046)));
    const logs = kernels.logRatios(p, new Float64Array(n).fill(1));
    assert.equal(logs.length, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(logs[i]!, Math.log(p[i]!)));
    assert.ok(worst <= 1, `max error ${worst} ulp`);
  });

  it('is within 1 ulp near 1, where log x is small and the reduction matters most', () => {
    const rand = seeded(2);
    const n = 1 << 16;
    const p = Float64Array.from({ length: n }, () => 1 + (rand() - 0.5) * 2 ** -(1 + Math.floor(rand() * 50)));
    const q = Float64Array.from({ length: n }, () => 0.5 + rand());
    const logs = kernels.logRatios(p, q);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(logs[i]!, Math.log(p[i]! / q[i]!)));
    assert.ok(worst <= 1, `max error ${worst} ulp`);
  });

  it('float32 pairs (promoted exactly): within 1 ulp of Math.log(p/q), in all four lanes', () => {
    const rand = seeded(4);
    const n = 1 << 16;
    const p = Float32Array.from({ length: n }, () => randomDouble(rand, -149, 127));
    const q = Float32Array.from({ length: n }, () => randomDouble(rand, -126, 127));
    const logs = kernels.logRatios(p, q);
    assert.equal(logs.length, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(logs[i]!, Math.log(p[i]! / q[i]!)));
    assert.ok(worst <= 1, `max error ${worst} ulp`);
  });

  it('is exact at powers of two and at the edges of the reduction interval', () => {
    const xs = [1, 2, 0.5, 2 ** 1023, 2 ** -1022, Math.SQRT2, Math.SQRT1_2, 1.7976931348623157e308, 2.2250738585072014e-308, Math.E, 10];
    const logs = kernels.logRatios(Float64Array.from(xs), new Float64Array(xs.length).fill(1));
    xs.slice(0, logs.length).forEach((x, i) => assert.ok(ulps(logs[i]!, Math.log(x)) <= 1, `log ${x}: ${logs[i]} vs ${Math.log(x)}`));
    assert.equal(logs.length, xs.length - (xs.length % 4));
  });

  it('any pair of positive doubles with a normal ratio: within 1 ulp of Math.log(p/q)', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -500, max: 2 ** 500, noNaN: true }), fc.double({ min: 2 ** -500, max: 2 ** 500, noNaN: true }), (p, q) => {
        const [got] = kernels.logRatios(Float64Array.of(p, 1, 1, 1), Float64Array.of(q, 1, 1, 1));
        assert.ok(ulps(got!, Math.log(p / q)) <= 1, `log(${p}/${q}) = ${got} vs ${Math.log(p / q)}`);
      }),
    );
  });
});

describe('the log-ratio loop stops where the exact conventions are needed', () => {
  const stopsAt = (p: number[], q: number[]): number => kernels.logRatios(Float64Array.from(p), Float64Array.from(q)).length;
  for (const [name, x] of [
    ['p = 0', [0, 1]],
    ['q = 0', [1, 0]],
    ['NaN', [NaN, 1]],
    ['a negative p', [-1, 1]],
    ['p = +∞', [Infinity, 1]],
    ['q = +∞', [1, Infinity]],
    ['a subnormal ratio', [1e-300, 1e100]],
    ['an overflowing ratio', [1e300, 1e-100]],
  ] as const) {
    it(`stops at the group holding ${name}`, () => {
      // The sixth pair (index 5, in the second group of four) is the odd one.
      assert.equal(stopsAt([1, 2, 3, 4, 5, x[0], 6, 7, 8, 9], [1, 2, 3, 4, 5, x[1], 6, 7, 8, 9]), 4);
    });
  }

  it('takes subnormal p and q whose ratio is normal', () => {
    assert.equal(stopsAt([5e-324, 1e-310, 1, 2], [1e-323, 2e-310, 1, 3]), 4);
  });
});

describe('vector exp', () => {
  it('is within 2 ulp of Math.exp for every t in [-708.39, 0]', () => {
    const rand = seeded(3);
    const n = 1 << 16;
    const t = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -rand() * 708.39 : -rand() * 2 ** -(Math.floor(rand() * 40))));
    const e = kernels.exps(t);
    assert.equal(e.length, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(e[i]!, Math.exp(t[i]!)));
    assert.ok(worst <= 2, `max error ${worst} ulp`);
  });

  it('applies the temperature and the shift as x·inv − m', () => {
    const x = Float64Array.of(3, -1, 0.25, 7);
    const e = kernels.exps(x, 0.5, 3.5);
    x.forEach((v, i) => assert.ok(ulps(e[i]!, Math.exp(v * 0.5 - 3.5)) <= 2));
  });

  it('stops at a pair whose result would leave the normal range (the caller uses Math.exp there)', () => {
    // The loop takes four at a time: it stops at the group of four holding the small one.
    assert.equal(kernels.exps(Float64Array.of(-1, -2, -3, -4, -5, -745, -6, -7)).length, 4);
    assert.equal(kernels.exps(Float64Array.of(-1, -2, -3, -4, -5, -6, -7, -709)).length, 4);
  });
});

describe('the x·log x loop', () => {
  it('its log is within 1 ulp of Math.log over every binade of the normal doubles', () => {
    const rand = seeded(5);
    const n = 1 << 16;
    const x = Float64Array.from({ length: n }, (_, i) => randomDouble(rand, -1022 + (i % 2046), -1021 + (i % 2046)));
    const logs = kernels.logs(x);
    assert.equal(logs.length, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(logs[i]!, Math.log(x[i]!)));
    assert.ok(worst <= 1, `max error ${worst} ulp`);
  });

  it('float32 values (promoted exactly, subnormal ones included): within 1 ulp, in all four lanes', () => {
    const rand = seeded(6);
    const n = 1 << 16;
    const x = Float32Array.from({ length: n }, () => randomDouble(rand, -149, 127));
    const logs = kernels.logs(x);
    assert.equal(logs.length, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(logs[i]!, Math.log(x[i]!)));
    assert.ok(worst <= 1, `max error ${worst} ulp`);
  });

  it('is within 1 ulp near 1 and exact at the edges of the reduction interval', () => {
    const rand = seeded(7);
    const near = Float64Array.from({ length: 1 << 12 }, () => 1 + (rand() - 0.5) * 2 ** -(1 + Math.floor(rand() * 50)));
    const edges = Float64Array.of(1, 2, 0.5, 2 ** 1023, 2 ** -1022, Math.SQRT2, Math.SQRT1_2, 1.7976931348623157e308);
    for (const x of [near, edges]) {
      const logs = kernels.logs(x);
      assert.equal(logs.length, x.length);
      x.forEach((v, i) => assert.ok(ulps(logs[i]!, Math.log(v)) <= 1, `log ${v}: ${logs[i]} vs ${Math.log(v)}`));
    }
  });

  it('sums x and x·log x of the values it takes', () => {
    const x = Float64Array.of(0.5, 2, 3, 0.25, 7, 1e-3, 9, 4, 1);
    const region = kernels.float64(kernels.offsets[0]!, x.length);
    region.set(x);
    assert.equal(kernels.xlogxBlock(kernels.offsets[0]!, x.length, true), 8);
    const [s0, s1, a0, a1] = kernels.sums();
    const want = x.slice(0, 8).reduce((s, v) => s + v * Math.log(v), 0);
    assert.ok(Math.abs(s0! + s1! - 25.751) < 1e-12, `Σx = ${s0! + s1!}`);
    assert.ok(Math.abs(a0! + a1! - want) < 1e-13, `${a0! + a1!} vs ${want}`);
  });

  for (const [name, x] of [
    ['0', 0],
    ['a subnormal double', 5e-324],
    ['NaN', NaN],
    ['a negative value', -1],
    ['+∞', Infinity],
  ] as const) {
    it(`stops at the group holding ${name}`, () => {
      assert.equal(kernels.logs(Float64Array.of(1, 2, 3, 4, 5, x, 6, 7, 8, 9)).length, 4);
    });
  }
});

describe('the Jensen–Shannon loops', () => {
  const put = (k: number, x: Float64Array): number => {
    kernels.float64(kernels.offsets[k]!, x.length).set(x);
    return kernels.offsets[k]!;
  };

  it('jsBlock sums a·log(a/m) and b·log(b/m) as Math.log does, to a few ulp of the sums', () => {
    const rand = seeded(8);
    const n = 4096;
    const p = Float64Array.from({ length: n }, () => randomDouble(rand, -60, 10));
    const q = Float64Array.from({ length: n }, () => randomDouble(rand, -60, 10));
    const [ia, ib] = [1 / 3, 1 / 7];
    assert.equal(kernels.jsBlock(put(0, p), put(1, q), n, true, ia, ib), n);
    const [a0, a1, b0, b1] = kernels.sums();
    let wantA = 0;
    let wantB = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      const a = p[i]! * ia;
      const b = q[i]! * ib;
      const m = 0.5 * (a + b);
      wantA += a * Math.log(a / m);
      wantB += b * Math.log(b / m);
      scale += Math.abs(a * Math.log(a / m)) + Math.abs(b * Math.log(b / m));
    }
    // Each term within 1 ulp; the sums' own rounding is bounded by n·ε·Σ|terms|.
    assert.ok(Math.abs(a0! + a1! - wantA) <= 4 * n * 2 ** -53 * scale, `${a0! + a1!} vs ${wantA}`);
    assert.ok(Math.abs(b0! + b1! - wantB) <= 4 * n * 2 ** -53 * scale, `${b0! + b1!} vs ${wantB}`);
  });

  it('jsBlock stops at the pair holding a zero, and float32 pairs agree with float64 ones', () => {
    const p = Float64Array.of(0.25, 0.5, 0.125, 0, 1, 2);
    const q = Float64Array.of(0.5, 0.25, 1, 1, 2, 1);
    assert.equal(kernels.jsBlock(put(0, p), put(1, q), p.length, true, 1, 1), 2);
    const sums64 = Array.from(kernels.sums().subarray(0, 4));
    kernels.float32(kernels.offsets[0]!, 2).set(p.subarray(0, 2));
    kernels.float32(kernels.offsets[1]!, 2).set(q.subarray(0, 2));
    assert.equal(kernels.jsBlock(kernels.offsets[0]!, kernels.offsets[1]!, 2, false, 1, 1), 2);
    assert.deepEqual(Array.from(kernels.sums().subarray(0, 4)), sums64);
  });

  it('sumBlock adds zeros and stops at the group holding NaN, a negative value or +∞', () => {
    assert.equal(kernels.sumBlock(put(0, Float64Array.of(0, 1, 2, 3, 0.5, 0, 0, 4.5, 7)), 9, true), 8);
    const [s0, s1] = kernels.sums();
    assert.equal(s0! + s1!, 11);
    for (const x of [NaN, -1, Infinity]) assert.equal(kernels.sumBlock(put(0, Float64Array.of(1, 2, 3, 4, 5, x, 6, 7)), 8, true), 4);
  });
});
