/**
 * How the divergences refuse inputs that are not probabilities, and what they say to pass instead
 * when the row holding a negative entry looks like log-probabilities or logits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Value } from '../../../../src/core/index';
import type { Nested } from '../../../../src/core/tensor';
import { errorOf, result, tensorOfNested } from '../../../helpers/values';
import { logSoftmaxRow, roundAll } from '../../../helpers/rounding';

const env = (vars: Record<string, Nested>) => new Map<string, Value>(Object.entries(vars).map(([k, v]) => [k, { type: 'tensor', tensor: tensorOfNested(v) }]));
const message = (program: string, vars: Record<string, Nested> = {}): string => errorOf(() => result(program, { env: env(vars) })).message;

// log_softmax of two rows of logits, written out here (helpers/rounding.ts), not taken from the core.
const Z = [
  [2.0, 0.5, -1.0, 0.1],
  [0.3, 1.8, -0.4, 0.0],
];
const LOGP = Z.map(logSoftmaxRow);
const Q = [
  [0.25, 0.25, 0.25, 0.25],
  [0.1, 0.2, 0.3, 0.4],
];

describe('a negative entry in a distribution', () => {
  it('says when the argument looks like log-probabilities, and what to pass', () => {
    assert.equal(
      message('KL(logp || q)', { logp: LOGP, q: Q }),
      `KL: argument P has a negative entry ${LOGP[0]![0]} at index [0, 0]; probabilities must be ≥ 0 — these look like log-probabilities; pass exp(logp) or softmax(logp)`,
    );
  });

  it('says so for every measure over distributions, naming the argument', () => {
    const vars = { logp: LOGP, q: Q };
    for (const [program, role] of [
      ['KL(q || logp)', 'Q'],
      ['JS(logp, q)', 'P'],
      ['H(logp)', 'P'],
      ['CE(q, logp)', 'Q'],
      ['H(q, logp)', 'Q'],
      ['Jeffreys(logp, q)', 'P'],
      ['TV(q, logp)', 'Q'],
      ['Hellinger(logp, q)', 'P'],
      ['normalize(logp)', 'X'],
    ] as const) {
      const m = message(program, vars);
      assert.match(m, new RegExp(`argument ${role} has a negative entry`), program);
      assert.ok(m.endsWith('— these look like log-probabilities; pass exp(logp) or softmax(logp)'), `${program}: ${m}`);
    }
  });

  it('says when it looks like logits (both signs), and for all-≤ 0 rows that are not normalized', () => {
    assert.match(message('KL(z || q)', { z: Z, q: Q }), /; probabilities must be ≥ 0 — these look like logits; pass softmax\(z\)$/);
    assert.match(
      message('KL([-1.2, -0.7, -2.3] || [0.2, 0.3, 0.5])'),
      /— these look like logits or unnormalized log-probabilities; pass softmax\(\[-1\.2, -0\.7, -2\.3\]\)$/,
    );
  });

  it('decides from the row that holds the first negative entry', () => {
    // Row 0 is a distribution; row 1, which holds the entry, is log-probabilities.
    const mixed = [[0.5, 0.5, 0, 0], LOGP[1]!];
    assert.match(message('KL(m || q)', { m: mixed, q: Q }), /at index \[1, 0\]; .* these look like log-probabilities; pass exp\(m\)/);
  });

  it('reads float16 log-probabilities, whose log-sum-exp is off by rounding, as log-probabilities', () => {
    const half = roundAll(LOGP[0]!, 'float16');
    assert.ok(Math.abs(Math.log(half.reduce((a, x) => a + Math.exp(x), 0))) > 1e-5, 'rounding moves the log-sum-exp past float64 tolerance');
    assert.match(message('KL(h || q)', { h: Array.from(half), q: Q[0]! }), /these look like log-probabilities; pass exp\(h\)/);
  });

  it('writes x for an argument whose source text is too long to repeat', () => {
    const program = `KL(log_softmax([[2.0, 0.5, -1.0, 0.1], [0.3, 1.8, -0.4, 0.0]]) || q)`;
    assert.match(message(program, { q: Q }), /— these look like log-probabilities; pass exp\(x\) or softmax\(x\)$/);
  });

  it('adds nothing for a distribution or counts with a stray negative entry', () => {
    // Sums to 1: a distribution with a bad value, not logits.
    assert.equal(message('KL([0.5, -0.1, 0.6] || [0.3, 0.3, 0.4])'), 'KL: argument P has a negative entry -0.1 at index 1; probabilities must be ≥ 0');
    // One negative entry among many counts: a sentinel or a slip.
    assert.equal(message('H([5, 3, 2, -1, 4, 6, 1, 2])'), 'H: argument P has a negative entry -1 at index 3; probabilities must be ≥ 0');
  });

  it('adds nothing for MI, whose joint table is not read row by row', () => {
    assert.equal(message('MI(j)', { j: LOGP }), `MI: argument J has a negative entry ${LOGP[0]![0]} at index [0, 0]; probabilities must be ≥ 0`);
  });

  it('leaves counts alone: they are normalized, with a warning, not refused', () => {
    const r = result('KL([5, 3, 2] || [4, 4, 2])');
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['normalized', 'normalized'],
    );
  });
});
