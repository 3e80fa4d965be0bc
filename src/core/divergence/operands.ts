/**
 * Validation, broadcasting and normalization of the distributions a divergence takes — written
 * once so every measure reports bad input the same way: `KL: argument Q has 3 entries but P has 4`.
 */
import { classify } from '../classify/classify';
import { SUM_TOLERANCE_FLOOR } from '../classify/precision';
import { KlError, type Span } from '../errors';
import { CompensatedSum } from '../numeric/sum';
import type { Operand, Warning } from '../result';
import {
  broadcastShapes,
  broadcastTo,
  indexString,
  lastDim,
  rowCount,
  sameShape,
  shapeString,
  type Tensor,
} from '../tensor';

/** An argument as the caller has it: a tensor with the name and source text to report it by. */
export interface Arg {
  readonly role: string;
  readonly text: string;
  readonly span: Span | undefined;
  readonly tensor: Tensor;
}

/** An operand whose values are in memory (every operand except streamed ones). */
export type InMemoryOperand = Operand & { readonly tensor: Tensor };

/** Sums farther than this from 1 are reported as normalized; closer ones are rounding noise. */
export const NORMALIZED_TOLERANCE = SUM_TOLERANCE_FLOOR;

export function fail(fn: string, arg: Arg | undefined, message: string): never {
  throw new KlError('evaluation', `${fn}: ${arg ? `argument ${arg.role} ` : ''}${message}`, arg?.span);
}

/**
 * Rejects what no probability vector can hold: empty input, NaN, ±∞ and negative entries. A
 * negative entry's message says what to pass instead when its row looks like log-probabilities
 * or logits, unless `rowHints` is false (MI's joint table is not read row by row).
 */
export function checkProbabilities(fn: string, arg: Arg, { rowHints = true }: { rowHints?: boolean } = {}): void {
  const { tensor } = arg;
  if (tensor.data.length === 0 || lastDim(tensor) === 0) fail(fn, arg, `is empty (shape ${shapeString(tensor.shape)})`);
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    // One comparison on the hot path; the message is worked out only for the bad element.
    if (!(x >= 0 && x < Infinity)) {
      const where = `at index ${indexString(i, tensor.shape)}`;
      if (Number.isNaN(x)) fail(fn, arg, `has NaN ${where}`);
      if (x === Infinity) fail(fn, arg, `has an infinite entry ${where}`);
      const n = lastDim(tensor);
      const row = data.subarray(i - (i % n), i - (i % n) + n);
      fail(fn, arg, `has a negative entry ${x} ${where}; probabilities must be ≥ 0${rowHints ? negativeEntryHint(arg.text, row) : ''}`);
    }
  }
}

/**
 * What to pass instead of an argument with a negative entry, from the row that holds it:
 * ` — these look like log-probabilities; pass exp(logp) or softmax(logp)`, or '' when the row
 * looks like neither log-probabilities nor logits. One row is what a streamed pass holds when it
 * meets the entry, so deciding from it makes the in-memory and streamed messages the same. A row
 * that sums to 1, or with fewer than a quarter of its entries negative, reads as a distribution or
 * counts with a bad value (a sign slip, a −1 sentinel), not as logits.
 */
export function negativeEntryHint(text: string, row: Float64Array): string {
  const c = classify({ shape: [row.length], data: row });
  const x = inlineText(text);
  if (c.kind === 'log-probs') return ` — these look like log-probabilities; pass exp(${x}) or softmax(${x})`;
  if (c.kind !== 'logits' && c.kind !== 'per-token log-probs') return '';
  let negatives = 0;
  for (const v of row) if (v < 0) negatives++;
  if (4 * negatives < row.length || Math.abs(c.sum - 1) <= c.tolerance) return '';
  // Non-positive rows that are not normalized: softmax is right for logits, and for log-probs too.
  const what = c.kind === 'logits' ? 'logits' : 'logits or unnormalized log-probabilities';
  return ` — these look like ${what}; pass softmax(${x})`;
}

/** An argument's source text to write into a suggested call (`exp(logp)`), or `x` when it is too long to read there. */
export function inlineText(text: string): string {
  return text.length <= 40 && !/[\r\n]/.test(text) ? text : 'x';
}

/** Rejects NaN (logits and log-probabilities may be negative or −∞, but never NaN). */
export function checkNotNaN(fn: string, arg: Arg): void {
  const { tensor } = arg;
  if (tensor.data.length === 0) fail(fn, arg, `is empty (shape ${shapeString(tensor.shape)})`);
  const i = tensor.data.findIndex((x) => Number.isNaN(x));
  if (i >= 0) fail(fn, arg, `has NaN at index ${indexString(i, tensor.shape)}`);
}

/**
 * Broadcasts two operands against each other: the last axes must match exactly (they index the same
 * outcomes); leading (batch) axes follow NumPy's rules.
 */
export function alignPair(fn: string, p: Arg, q: Arg): [Arg, Arg] {
  const pShape = p.tensor.shape.length === 0 ? [1] : p.tensor.shape;
  const qShape = q.tensor.shape.length === 0 ? [1] : q.tensor.shape;
  const np = pShape[pShape.length - 1]!;
  const nq = qShape[qShape.length - 1]!;
  if (np !== nq) fail(fn, q, `has ${nq} ${nq === 1 ? 'entry' : 'entries'} but ${p.role} has ${np}`);
  if (sameShape(pShape, qShape)) return [withShape(p, pShape), withShape(q, qShape)];
  const shape = broadcastShapes(pShape, qShape);
  if (!shape) fail(fn, q, `has shape ${shapeString(qShape)} but ${p.role} has shape ${shapeString(pShape)}`);
  return [
    { ...p, tensor: broadcastTo(withShape(p, pShape).tensor, shape) },
    { ...q, tensor: broadcastTo(withShape(q, qShape).tensor, shape) },
  ];
}

function withShape(arg: Arg, shape: readonly number[]): Arg {
  return sameShape(arg.tensor.shape, shape) ? arg : { ...arg, tensor: { shape, data: arg.tensor.data } };
}

/**
 * Divides each row (last axis) by its sum, as SciPy's `entropy` does, unless it already sums to
 * exactly 1. Warns when a sum was meaningfully different from 1.
 */
export function normalizeRows(fn: string, arg: Arg, warnings: Warning[]): InMemoryOperand {
  const { tensor } = arg;
  const n = lastDim(tensor);
  const rows = rowCount(tensor);
  const sums = new Float64Array(rows);
  let rescale = false;
  let off = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    const s = new CompensatedSum();
    for (let i = r * n; i < (r + 1) * n; i++) s.add(tensor.data[i]!);
    const total = s.value();
    sums[r] = total;
    if (total === 0) {
      fail(fn, arg, rows === 1 ? 'sums to 0, so it cannot be normalized' : `row ${indexString(r, tensor.shape.slice(0, -1))} sums to 0, so it cannot be normalized`);
    }
    if (total !== 1) rescale = true;
    if (Math.abs(total - 1) > NORMALIZED_TOLERANCE) off++;
    min = Math.min(min, total);
    max = Math.max(max, total);
  }
  const sumsTensor: Tensor = { shape: tensor.shape.slice(0, -1), data: sums };
  if (!rescale) return { ...arg, shape: tensor.shape, rescaled: false };
  const data = new Float64Array(tensor.data.length);
  for (let r = 0; r < rows; r++) {
    const s = sums[r]!;
    if (s === Infinity) {
      // The row's sum exceeds the largest double: divide by its maximum first, then by that sum.
      const lo = r * n;
      const m = rowMax(tensor.data, lo, lo + n);
      const scaledSum = new CompensatedSum();
      for (let i = lo; i < lo + n; i++) scaledSum.add(tensor.data[i]! / m);
      const t = scaledSum.value();
      for (let i = lo; i < lo + n; i++) data[i] = tensor.data[i]! / m / t;
    } else {
      for (let i = r * n; i < (r + 1) * n; i++) data[i] = tensor.data[i]! / s;
    }
  }
  if (off > 0) warnings.push(normalizationWarning(arg, rows, off, min, max));
  return { ...arg, shape: tensor.shape, tensor: { shape: tensor.shape, data }, rescaled: true, sums: sumsTensor };
}

/** The warning for `off` of `rows` rows whose sums (from min to max) were not 1. */
export function normalizationWarning(arg: Pick<Arg, 'role' | 'span'>, rows: number, off: number, min: number, max: number): Warning {
  const message =
    rows === 1
      ? `${arg.role} sums to ${fmt(min)}, not 1; it was normalized (divided by its sum). Pass normalize=false to use it as given.`
      : `${off} of ${rows} rows of ${arg.role} do not sum to 1 (sums from ${fmt(min)} to ${fmt(max)}); each row was normalized. Pass normalize=false to use them as given.`;
  return { code: 'normalized', message, span: arg.span };
}

/** With normalize=false: keeps the input, but says so when it is not a distribution. */
export function keepRows(arg: Arg, warnings: Warning[]): InMemoryOperand {
  const { tensor } = arg;
  const n = lastDim(tensor);
  for (let r = 0; r < rowCount(tensor); r++) {
    const s = new CompensatedSum();
    for (let i = r * n; i < (r + 1) * n; i++) s.add(tensor.data[i]!);
    if (Math.abs(s.value() - 1) > NORMALIZED_TOLERANCE) {
      warnings.push(notNormalizedWarning(arg));
      break;
    }
  }
  return { ...arg, shape: tensor.shape, rescaled: false };
}

export function notNormalizedWarning(arg: Pick<Arg, 'role' | 'span'>): Warning {
  return {
    code: 'not-normalized',
    message: `${arg.role} does not sum to 1 (normalize=false); the result is the sum formula on the values as given, not a divergence between distributions.`,
    span: arg.span,
  };
}

/** Checks, aligns and (optionally) normalizes the two operands of a divergence. */
export function preparePair(fn: string, P: Arg, Q: Arg, normalize: boolean, warnings: Warning[]): [InMemoryOperand, InMemoryOperand] {
  checkProbabilities(fn, P);
  checkProbabilities(fn, Q);
  const [p, q] = alignPair(fn, P, Q);
  const use = (a: Arg): InMemoryOperand => (normalize ? normalizeRows(fn, a, warnings) : keepRows(a, warnings));
  return [use(p), use(q)];
}

/** Checks and (optionally) normalizes a single distribution. */
export function prepareSingle(fn: string, P: Arg, normalize: boolean, warnings: Warning[]): InMemoryOperand {
  checkProbabilities(fn, P);
  const p = withShape(P, P.tensor.shape.length === 0 ? [1] : P.tensor.shape);
  return normalize ? normalizeRows(fn, p, warnings) : keepRows(p, warnings);
}

function rowMax(data: Float64Array, lo: number, hi: number): number {
  let m = 0;
  for (let i = lo; i < hi; i++) if (data[i]! > m) m = data[i]!;
  return m;
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
