import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { precisionOfDtype, rowTolerance, storagePrecision, SUM_TOLERANCE_FLOOR } from '../../../../src/core/classify/precision';
import { type Format, logSoftmaxRow, roundAll, softmaxRow } from '../../../helpers/rounding';

const logits = fc.integer({ min: 2, max: 4096 }).chain((n) => fc.array(fc.double({ min: -12, max: 12, noNaN: true }), { minLength: n, maxLength: n }));
const total = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, x) => a + x, 0);
const lse = (xs: ArrayLike<number>): number => Math.log(Array.from(xs).reduce((a, x) => a + Math.exp(x), 0));

describe('rowTolerance', () => {
  for (const format of ['float32', 'float16', 'bfloat16'] as Format[]) {
    it(`covers the rounding of ${format} softmax and log_softmax rows of any length`, () => {
      fc.assert(
        fc.property(logits, (z) => {
          const tol = rowTolerance(z.length, format);
          const p = roundAll(softmaxRow(z), format);
          const logp = roundAll(logSoftmaxRow(z), format);
          assert.ok(Math.abs(total(p) - 1) <= tol, `n ${z.length}: sum ${total(p)}, tolerance ${tol}`);
          assert.ok(Math.abs(lse(logp)) <= tol, `n ${z.length}: logsumexp ${lse(logp)}, tolerance ${tol}`);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('never goes below the floor, and hides no 1% error in float16 or float32 rows (bfloat16, with 8 bits, a few %)', () => {
    assert.equal(rowTolerance(10), SUM_TOLERANCE_FLOOR);
    assert.equal(rowTolerance(1e6, 'float64'), SUM_TOLERANCE_FLOOR);
    assert.ok(rowTolerance(1000, 'float16') < 0.01);
    assert.ok(rowTolerance(100, 'bfloat16') < 0.05);
    assert.ok(rowTolerance(1e8, 'float32') < 1e-5);
  });

  it('grows with the row length and with coarser formats', () => {
    assert.ok(rowTolerance(1000, 'float16') > rowTolerance(10, 'float16'));
    assert.ok(rowTolerance(100, 'bfloat16') > rowTolerance(100, 'float16'));
    assert.ok(rowTolerance(100, 'float16') > rowTolerance(100, 'float32'));
    assert.ok(rowTolerance(1e6, 'float32') > SUM_TOLERANCE_FLOOR);
  });
});

describe('storagePrecision', () => {
  it('finds the coarsest format that holds every value exactly', () => {
    assert.equal(storagePrecision([0.1, 0.2]), 'float64');
    assert.equal(storagePrecision([Math.fround(0.1), Math.fround(0.7)]), 'float32');
    // 0.333251953125 is float16's 1/3 (0x3555): 11 significant bits, too many for bfloat16.
    assert.equal(storagePrecision([0.333251953125, 0.5]), 'float16');
    // 65520 has 12 significant bits and is beyond float16's largest, 65504.
    assert.equal(storagePrecision([65520]), 'float32');
    assert.equal(storagePrecision([65504]), 'float16');
    assert.equal(storagePrecision([0.5, 0.25, 3, Math.fround(1e-30)]), 'float32');
    assert.equal(storagePrecision([0.5, 0.25, 3]), 'bfloat16');
    // float16 subnormals are multiples of 2⁻²⁴.
    assert.equal(storagePrecision([3 * 2 ** -24, 0.333251953125]), 'float16');
    assert.equal(storagePrecision([3 * 2 ** -25, 0.333251953125]), 'float32');
  });

  it('skips NaN and ±∞, which every format holds, and reads only the range given', () => {
    assert.equal(storagePrecision([NaN, Infinity, -Infinity, 0.333251953125]), 'float16');
    assert.equal(storagePrecision([0.1, 0.333251953125], 1), 'float16');
    assert.equal(storagePrecision([0.1, 0.333251953125], 0, 1), 'float64');
  });
});

describe('precisionOfDtype', () => {
  it("is the float's own, and float64 for exact integers and booleans", () => {
    assert.equal(precisionOfDtype('float16'), 'float16');
    assert.equal(precisionOfDtype('bfloat16'), 'bfloat16');
    assert.equal(precisionOfDtype('float8_e5m2'), 'float8_e5m2');
    assert.equal(precisionOfDtype('int64'), 'float64');
    assert.equal(precisionOfDtype('bool'), 'float64');
  });
});
