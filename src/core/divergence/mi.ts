/**
 * Mutual information of a joint probability table, I(X; Y) = KL(J ‖ r ⊗ c), where r and c are
 * the row and column marginals.
 *
 * ## Method
 * The table is normalized as a whole (counts are fine), marginals are compensated sums, and each
 * cell contributes j·log(j/(r·c)) with 0·log 0 = 0. No cell can be infinite: r·c > 0 wherever j > 0.
 *
 * Reference: Cover & Thomas, Elements of Information Theory, 2nd ed., §2.4.
 *
 * @example
 * mutualInformation(arg('J', [[0.5, 0], [0, 0.5]])).value // ln 2
 */
import { CompensatedSum } from '../numeric/sum';
import { relEntr } from '../numeric/xlogy';
import type { DiscreteResult, Warning } from '../result';
import { shapeString } from '../tensor';
import { type Arg, checkProbabilities, fail, normalizeRows } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble } from './rowwise';

export function mutualInformation(J: Arg, options: MeasureOptions = {}): DiscreteResult {
  const { shape } = J.tensor;
  if (shape.length !== 2) {
    fail('MI', J, `must be a 2-D joint table (rows × columns), got shape ${shapeString(shape)}`);
  }
  checkProbabilities('MI', J, { rowHints: false });
  const [rowsN, colsN] = shape as [number, number];
  const warnings: Warning[] = [];
  // Normalize the whole table: view it as one row of rows·cols cells.
  const flat = { ...J, tensor: { shape: [rowsN * colsN], data: J.tensor.data } };
  const normalized = options.normalize ?? true ? normalizeRows('MI', flat, warnings) : { ...flat, shape: flat.tensor.shape, rescaled: false };
  const j = normalized.tensor.data;
  const r = new Float64Array(rowsN);
  const c = new Float64Array(colsN);
  for (let a = 0; a < rowsN; a++) {
    const s = new CompensatedSum();
    for (let b = 0; b < colsN; b++) s.add(j[a * colsN + b]!);
    r[a] = s.value();
  }
  for (let b = 0; b < colsN; b++) {
    const s = new CompensatedSum();
    for (let a = 0; a < rowsN; a++) s.add(j[a * colsN + b]!);
    c[b] = s.value();
  }
  const terms = new Float64Array(j.length);
  const total = new CompensatedSum();
  for (let a = 0; a < rowsN; a++) {
    for (let b = 0; b < colsN; b++) {
      const cell = j[a * colsN + b]!;
      const product = r[a]! * c[b]!;
      // r·c can underflow to 0 for a tiny cell (r·c ≥ j² > 0 in exact arithmetic): use logs then.
      const t = cell === 0 ? 0 : product > 0 ? relEntr(cell, product) : cell * (Math.log(cell) - Math.log(r[a]!) - Math.log(c[b]!));
      terms[a * colsN + b] = t;
      total.add(t);
    }
  }
  const table = { shape: [rowsN, colsN], data: j };
  return assemble({
    measure: 'MI',
    label: `I(${J.role})`,
    operands: [{ ...normalized, shape: table.shape, tensor: table }],
    output: { rows: { shape: [], data: Float64Array.of(total.value()) }, terms: { shape: [rowsN, colsN], data: terms } },
    marginals: { rows: { shape: [rowsN], data: r }, cols: { shape: [colsN], data: c } },
    unit: resolveUnit(options).unit,
    reduction: 'none',
    warnings,
    span: options.span,
  });
}
