/**
 * Property tests: the mathematical identities and bounds of every measure, checked through the
 * language on random distributions (fast-check). Tolerances are stated per property.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DiscreteResult, Value } from '../../../src/core/index';
import type { Nested } from '../../../src/core/tensor';
import { close, num, result, run, tensorOfNested, value } from '../../helpers/values';

const RUNS = { numRuns: 200 };
const LN2 = Math.LN2;

type Vars = Record<string, Nested>;

function bind(vars: Vars): Map<string, Value> {
  return new Map(Object.entries(vars).map(([k, v]) => [k, { type: 'tensor', tensor: tensorOfNested(v) }]));
}

/** The scalar value of `program` with `vars` bound. */
function val(program: string, vars: Vars): number {
  return num(program, { env: bind(vars) });
}

function discrete(program: string, vars: Vars): DiscreteResult {
  const r = result(program, { env: bind(vars) });
  assert.equal(r.kind, 'discrete');
  return r as DiscreteResult;
}

function show(vars: Vars): string {
  return JSON.stringify(vars);
}

/** Neumaier summation, so the reference sums are not less accurate than the code under test. */
function accurateSum(xs: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    if (!Number.isFinite(x)) return xs.reduce((a, b) => a + b, 0);
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** 1e-12 relative, plus absolute slack for terms of either sign cancelling: 1e-14 per unit of scale. */
function near(actual: number, expected: number, scale: number, what: string): void {
  close(actual, expected, 1e-12, 1e-14 * scale, what);
}

// Entries are exact zeros, tiny values, ordinary probabilities and counts. Positive entries stay
// ≥ 1e-300 so dividing by a sum ≤ 64 000 cannot underflow one to 0: "q = 0 < p" can then be read
// off the raw input.
const positiveEntry = fc.oneof(
  { arbitrary: fc.constantFrom(1e-300, 1e-200, 1e-20), weight: 1 },
  { arbitrary: fc.double({ min: 1e-300, max: 1, noNaN: true }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 1000 }), weight: 2 },
);
const entry = fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: positiveEntry, weight: 7 });

const positiveSum = (xs: number[]): boolean => xs.some((x) => x > 0);
const distOf = (n: number, e = entry) => fc.array(e, { minLength: n, maxLength: n }).filter(positiveSum);
const size = fc.integer({ min: 1, max: 64 });
const dist = size.chain((n) => distOf(n));
const positiveDist = size.chain((n) => distOf(n, positiveEntry));

/** Q independent of P, a perturbation of P (near-zero divergences), or P with entries zeroed. */
const pair = size.chain((n) =>
  distOf(n).chain((p) =>
    fc.tuple(
      fc.constant(p),
      fc.oneof(
        { arbitrary: distOf(n), weight: 3 },
        {
          arbitrary: fc
            .tuple(fc.constantFrom(1e-12, 1e-6, 1e-2), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }))
            .map(([eps, u]) => p.map((x, i) => x * (1 + eps * u[i]!))),
          weight: 2,
        },
        {
          arbitrary: fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((keep) => p.map((x, i) => (keep[i] ? x : 0))).filter(positiveSum),
          weight: 1,
        },
      ),
    ),
  ),
);

/** A pair and a permutation of its indices. */
const permutedPair = pair.chain(([p, q]) =>
  fc.tuple(fc.constant(p), fc.constant(q), fc.shuffledSubarray([...p.keys()], { minLength: p.length, maxLength: p.length })),
);

const violates = (p: readonly number[], q: readonly number[]): boolean => p.some((x, i) => x > 0 && q[i] === 0);

describe('properties of the discrete measures', () => {
  it('KL(P‖Q) ≥ 0 (−1e-15 for rounding), KL(P‖P) = 0 (±1e-15)', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const d = val('KL(p || q)', { p, q });
        assert.ok(d >= -1e-15, `KL = ${d} < 0 for ${show({ p, q })}`);
        const self = val('KL(p || p)', { p });
        assert.ok(Math.abs(self) <= 1e-15, `KL(P‖P) = ${self} for ${show({ p })}`);
      }),
      RUNS,
    );
  });

  it('KL(P‖Q) = +∞ exactly when some q = 0 < p, with the count of such entries', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const r = discrete('KL(p || q)', { p, q });
        const d = r.value.data[0]!;
        const count = p.filter((x, i) => x > 0 && q[i] === 0).length;
        if (count > 0) {
          assert.equal(d, Infinity, `expected +∞ for ${show({ p, q })}`);
          assert.equal(r.infinite?.count, count, `violation count for ${show({ p, q })}`);
        } else {
          assert.ok(Number.isFinite(d), `expected finite, got ${d} for ${show({ p, q })}`);
          assert.equal(r.infinite, undefined);
        }
      }),
      RUNS,
    );
  });

  it('0 ≤ JS ≤ ln 2, JS(P, Q) = JS(Q, P) (1e-15 abs), finite everywhere', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const a = val('JS(p, q)', { p, q });
        const b = val('JS(q, p)', { p, q });
        assert.ok(Number.isFinite(a), `JS = ${a} for ${show({ p, q })}`);
        assert.ok(a >= -1e-15 && a <= LN2 * (1 + 1e-12), `JS = ${a} outside [0, ln 2] for ${show({ p, q })}`);
        assert.ok(Math.abs(a - b) <= 1e-15, `JS(P,Q) = ${a} but JS(Q,P) = ${b} for ${show({ p, q })}`);
      }),
      RUNS,
    );
  });

  it('JS of disjoint supports is finite and equal to ln 2 (rel 1e-12)', () => {
    // n ≥ 2: both sides need an entry.
    const disjoint = fc.integer({ min: 2, max: 64 }).chain((n) =>
      fc
        .tuple(fc.array(positiveEntry, { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
        .map(([xs, side]) => [xs.map((x, i) => (side[i] ? x : 0)), xs.map((x, i) => (side[i] ? 0 : x))] as const)
        .filter(([p, q]) => positiveSum(p) && positiveSum(q)),
    );
    fc.assert(
      fc.property(disjoint, ([p, q]) => {
        close(val('JS(p, q)', { p, q }), LN2, 1e-12, 0, show({ p, q }));
        assert.equal(val('KL(p || q)', { p, q }), Infinity);
      }),
      RUNS,
    );
  });

  it('MI(J) ≥ 0 (−1e-15) on random tables, and ≤ min(H(X), H(Y)) (rel 1e-12 + 1e-14)', () => {
    const table = fc
      .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }))
      .chain(([r, c]) => fc.array(fc.array(entry, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }))
      .filter((t) => t.some(positiveSum));
    fc.assert(
      fc.property(table, (J) => {
        const r = result('MI(J)', { env: bind({ J }) });
        const mi = r.value.data[0]!;
        assert.ok(mi >= -1e-15, `MI = ${mi} for ${show({ J })}`);
        const rows = J.map((row) => accurateSum(row));
        const cols = J[0]!.map((_, j) => accurateSum(J.map((row) => row[j]!)));
        const bound = Math.min(val('H(x)', { x: rows }), val('H(x)', { x: cols }));
        assert.ok(mi <= bound * (1 + 1e-12) + 1e-14, `MI = ${mi} > min(H(X), H(Y)) = ${bound} for ${show({ J })}`);
      }),
      RUNS,
    );
  });

  it('MI of an outer product of two distributions is 0 (1e-14 abs)', () => {
    // Entries ≥ 1e-150 keep every cell a·b a normal number, so J is an exact outer product.
    const moderate = fc.oneof(fc.constant(0), fc.double({ min: 1e-150, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1000 }));
    const marginal = fc.integer({ min: 1, max: 16 }).chain((n) => distOf(n, moderate));
    fc.assert(
      fc.property(marginal, marginal, (a, b) => {
        const J = a.map((x) => b.map((y) => x * y));
        const mi = val('MI(J)', { J });
        assert.ok(Math.abs(mi) <= 1e-14, `MI = ${mi} for the outer product of ${show({ a, b })}`);
      }),
      RUNS,
    );
  });

  it('KL, JS, H, TV and Hellinger are invariant under a common permutation (rel 1e-12 + 1e-14·n)', () => {
    const programs = ['KL(p || q)', 'KL(q || p)', 'JS(p, q)', 'H(p)', 'H(q)', 'TV(p, q)', 'Hellinger(p, q)'];
    fc.assert(
      fc.property(permutedPair, ([p, q, perm]) => {
        const pp = perm.map((i) => p[i]!);
        const qq = perm.map((i) => q[i]!);
        for (const program of programs) {
          near(val(program, { p: pp, q: qq }), val(program, { p, q }), p.length, `${program} for ${show({ p, q, perm })}`);
        }
      }),
      RUNS,
    );
  });

  it('base=2 and base=10 divide KL, JS and H by ln 2 and ln 10 (rel 1e-12)', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        for (const [program, withBase] of [
          ['KL(p || q)', (b: string) => `KL(p || q, base=${b})`],
          ['JS(p, q)', (b: string) => `JS(p, q, base=${b})`],
          ['H(p)', (b: string) => `H(p, base=${b})`],
        ] as const) {
          const nats = val(program, { p, q });
          close(val(withBase('2'), { p, q }), nats / Math.LN2, 1e-12, 0, `${withBase('2')} for ${show({ p, q })}`);
          close(val(withBase('10'), { p, q }), nats / Math.LN10, 1e-12, 0, `${withBase('10')} for ${show({ p, q })}`);
        }
        assert.equal(result('KL(p || q, base=2)', { env: bind({ p, q }) }).unit?.name, 'bits');
      }),
      RUNS,
    );
  });

  it("Gibbs: H(P, Q) = H(P) + KL(P‖Q) when finite (rel 1e-12 + 1e-14·n)", () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const ce = val('H(p, q)', { p, q });
        const kl = val('KL(p || q)', { p, q });
        if (!Number.isFinite(kl)) {
          assert.equal(ce, Infinity, `H(P, Q) = ${ce} with KL = ∞ for ${show({ p, q })}`);
          return;
        }
        near(ce, val('H(p)', { p }) + kl, p.length, `H(P, Q) for ${show({ p, q })}`);
      }),
      RUNS,
    );
  });

  it('every KL result carries KL(Q‖P) as its reverse (rel 1e-15)', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const r = discrete('KL(p || q)', { p, q });
        assert.ok(r.reverse, `no reverse for ${show({ p, q })}`);
        close(r.reverse.value.data[0]!, val('KL(q || p)', { p, q }), 1e-15, 0, `reverse for ${show({ p, q })}`);
      }),
      RUNS,
    );
  });

  it("KL(c·P‖Q) = KL(P‖Q) for c > 0, with a 'normalized' warning when the sum is off 1", () => {
    const scale = fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.integer({ min: 2, max: 1000 }));
    fc.assert(
      fc.property(pair, scale, ([p, q], c) => {
        const r = discrete('KL(c * p || q)', { p, q, c });
        near(r.value.data[0]!, val('KL(p || q)', { p, q }), p.length, `c = ${c}, ${show({ p, q })}`);
        const s = accurateSum(p.map((x) => c * x));
        const warned = r.warnings.some((w) => w.code === 'normalized' && w.message.startsWith('P '));
        // The threshold is 1e-6; sums within a decade of it are not checked.
        if (Math.abs(s - 1) > 1e-5) assert.ok(warned, `no warning for sum ${s}, c = ${c}, ${show({ p, q })}`);
        if (Math.abs(s - 1) < 1e-7) assert.ok(!warned, `warning for sum ${s}, c = ${c}, ${show({ p, q })}`);
      }),
      RUNS,
    );
  });

  it("no 'normalized' warning for inputs that sum to exactly 1", () => {
    // Multiples of 2⁻²⁰ whose numerators add to 2²⁰: every partial sum is exact.
    const exactOf = (n: number) =>
      fc.array(fc.integer({ min: 0, max: 2 ** 14 }), { minLength: n - 1, maxLength: n - 1 }).map((ks) => {
        const last = 2 ** 20 - ks.reduce((a, b) => a + b, 0);
        return [...ks, last].map((k) => k / 2 ** 20);
      });
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(exactOf(n), exactOf(n))),
        ([p, q]) => {
          const r = discrete('KL(p || q)', { p, q });
          assert.deepEqual(r.warnings.filter((w) => w.code === 'normalized'), [], show({ p, q }));
        },
      ),
      RUNS,
    );
  });

  it('normalize=false gives Σ p log(p/q) on the raw values (rel 1e-12 + 1e-14·Σ|terms|)', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const terms = p.map((x, i) => (x === 0 ? 0 : q[i] === 0 ? Infinity : x * Math.log(x / q[i]!)));
        const expected = accurateSum(terms);
        const got = val('KL(p || q, normalize=false)', { p, q });
        if (violates(p, q)) assert.equal(got, Infinity, show({ p, q }));
        else close(got, expected, 1e-12, 1e-14 * accurateSum(terms.map(Math.abs)), `normalize=false for ${show({ p, q })}`);
      }),
      RUNS,
    );
  });

  it('TV and Hellinger lie in [0, 1] and satisfy Hellinger² ≤ TV ≤ √2·Hellinger (rel 1e-12 + 1e-15)', () => {
    // With TV = ½Σ|p−q| and H² = ½Σ(√p−√q)²: H² ≤ ½Σ|√p−√q|(√p+√q) = TV, and by Cauchy–Schwarz
    // TV ≤ ½·√(2H²)·√(Σ(√p+√q)²) ≤ ½·√2·H·2 = √2·H.
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const tv = val('TV(p, q)', { p, q });
        const h = val('Hellinger(p, q)', { p, q });
        const at = show({ p, q });
        assert.ok(tv >= 0 && tv <= 1 + 1e-15, `TV = ${tv} for ${at}`);
        assert.ok(h >= 0 && h <= 1 + 1e-15, `Hellinger = ${h} for ${at}`);
        assert.ok(h * h <= tv * (1 + 1e-12) + 1e-15, `Hellinger² = ${h * h} > TV = ${tv} for ${at}`);
        assert.ok(tv <= Math.SQRT2 * h * (1 + 1e-12) + 1e-15, `TV = ${tv} > √2·Hellinger = ${Math.SQRT2 * h} for ${at}`);
      }),
      RUNS,
    );
  });

  it('strictly positive distributions give finite KL in both directions and finite H(P, Q)', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(distOf(n, positiveEntry), distOf(n, positiveEntry))),
        ([p, q]) => {
          for (const program of ['KL(p || q)', 'KL(q || p)', 'H(p, q)', 'Jeffreys(p, q)']) {
            const x = val(program, { p, q });
            assert.ok(Number.isFinite(x) && x >= -1e-15, `${program} = ${x} for ${show({ p, q })}`);
          }
        },
      ),
      RUNS,
    );
  });

  it('H(P) lies in [0, ln n] (rel 1e-12)', () => {
    fc.assert(
      fc.property(fc.oneof(dist, positiveDist), (p) => {
        const h = val('H(p)', { p });
        assert.ok(h >= 0 && h <= Math.log(p.length) * (1 + 1e-12) + 1e-15, `H = ${h} for ${show({ p })}`);
      }),
      RUNS,
    );
  });
});

describe('properties of the Gaussian measures', () => {
  // Parameters keep variance ratios far from under/overflow.
  const mean = fc.double({ min: -1e3, max: 1e3, noNaN: true });
  const variance = fc.double({ min: 1e-6, max: 1e6, noNaN: true });

  it('KL(N(m1, v1)‖N(m2, v2)) ≥ 0 (−1e-15) and = 0 (±1e-15) for identical parameters', () => {
    fc.assert(
      fc.property(mean, variance, mean, variance, (m1, v1, m2, v2) => {
        const vars = { m1, v1, m2, v2 };
        const d = val('KL(N(m1, v1) || N(m2, v2))', vars);
        assert.ok(d >= -1e-15, `KL = ${d} for ${show(vars)}`);
        const self = val('KL(N(m1, v1) || N(m1, v1))', vars);
        assert.ok(Math.abs(self) <= 1e-15, `KL(N‖N) = ${self} for ${show(vars)}`);
      }),
      RUNS,
    );
  });

  it('Normal(m, s) is N(m, s^2) (rel 1e-12), scalar and diagonal', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    const params = dim.chain((k) =>
      fc.tuple(
        fc.array(mean, { minLength: k, maxLength: k }),
        fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: k, maxLength: k }),
        fc.array(mean, { minLength: k, maxLength: k }),
        fc.array(variance, { minLength: k, maxLength: k }),
      ),
    );
    fc.assert(
      fc.property(params, ([m, s, m2, v2]) => {
        const vars = { m, s, m2, v2, m0: m[0]!, s0: s[0]! };
        const pairs = [
          ['KL(Normal(m, s) || N(m2, v2))', 'KL(N(m, s^2) || N(m2, v2))'],
          ['KL(N(m2, v2) || Normal(m, s))', 'KL(N(m2, v2) || N(m, s^2))'],
          ['H(Normal(m, s))', 'H(N(m, s^2))'],
          ['H(Normal(m0, s0))', 'H(N(m0, s0^2))'],
          ['KL(Normal(m0, s0) || N(0, 1))', 'KL(N(m0, s0^2) || N(0, 1))'],
        ];
        for (const [a, b] of pairs) close(val(a!, vars), val(b!, vars), 1e-12, 1e-15, `${a} vs ${b} for ${show(vars)}`);
        const g = run('Normal(m, s)', { env: bind(vars) });
        const h = run('N(m, s^2)', { env: bind(vars) });
        assert.ok(g.type === 'gaussian' && h.type === 'gaussian');
        assert.deepEqual([...g.gaussian.mean], [...h.gaussian.mean]);
      }),
      RUNS,
    );
  });
});

describe('properties of the sample estimators', () => {
  it('k3(logp, logq) ≥ 0 element-wise, also where q = 0 (logq = −∞)', () => {
    const logp = fc.double({ min: -800, max: 0, noNaN: true });
    const delta = fc.oneof(fc.double({ min: -800, max: 800, noNaN: true }), fc.double({ min: -1e-8, max: 1e-8, noNaN: true }), fc.constant(-Infinity));
    const sample = fc.oneof(
      { arbitrary: fc.tuple(logp, delta).map(([a, d]) => [a, a + d] as const), weight: 5 },
      // log p = −∞ cannot come from samples of p, but the estimate must not be NaN there either.
      { arbitrary: fc.tuple(fc.constant(-Infinity), fc.oneof(logp, fc.constant(-Infinity))), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 64 }), (samples) => {
        const vars = { logp: samples.map((s) => s[0]), logq: samples.map((s) => s[1]) };
        const k3 = value('k3(logp, logq)', { env: bind(vars) }) as number[];
        k3.forEach((x, i) => assert.ok(x >= 0, `k3[${i}] = ${x} for logp = ${vars.logp[i]}, logq = ${vars.logq[i]}`));
      }),
      RUNS,
    );
  });
});

// Inputs at the limits of float64, outside the generators' ranges.
describe('edge cases at the limits of float64', () => {
  it('MI stays finite when a product of marginals underflows', () => {
    close(num('MI([[1e-163, 0], [0, 1]])'), num('H([1e-163, 1])'), 1e-12);
  });

  it('a sum that overflows is +∞, not NaN', () => {
    assert.equal(num('sum([1e308, 1e308])'), Infinity);
  });

  it('k3 with log p = −∞ is +∞, not NaN', () => {
    assert.deepEqual(value('k3([-inf], [0])'), [Infinity]);
  });

  it('KL of Gaussians with a variance ratio below 1e-308 stays finite', () => {
    // ½(r − 1 − ln r) with r = 1e-400: ½(−1 + 400 ln 10).
    close(num('KL(N(0, 1e-200) || N(0, 1e200))'), 0.5 * (400 * Math.LN10 - 1), 1e-12);
  });

  it('normalizing a row whose sum overflows does not silently zero it', () => {
    // Σ = 2e308 is beyond the largest double; the row is rescaled by its maximum first.
    close(num('H([1e308, 1e308])'), Math.LN2, 1e-12, 0, 'H');
    close(num('TV([1e308, 1e308], [1, 1])'), 0, 0, 1e-15, 'TV');
    close(num('KL([1e308, 1e308] || [1e308, 1])'), Math.log(0.5 / (1e308 / (1e308 + 1))) * 0.5 + 0.5 * Math.log(0.5 / (1 / (1e308 + 1))), 1e-12, 0, 'KL');
  });
});
