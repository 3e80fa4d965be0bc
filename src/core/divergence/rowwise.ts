/**
 * The machinery every per-row measure shares: run a row kernel over the last axis, keep the
 * element terms, apply the reduction, convert the unit.
 */
import type { Span } from '../errors';
import { CompensatedSum } from '../numeric/sum';
import { type DiscreteResult, MAX_LISTED_INDICES, type Reduction, type SupportViolation, type Warning } from '../result';
import { lastDim, rowCount, unravel, type Tensor } from '../tensor';
import { natsTo, type Unit } from '../units';

/** Element terms are kept up to this many elements (charts and derivations read them). */
export const TERMS_LIMIT = 1 << 22;

/**
 * Adds the terms of one row into `sum`, writing each term to `terms` when given. Single-operand
 * measures receive their row as `q` too and ignore it.
 */
export type RowKernel = (
  p: Float64Array,
  q: Float64Array,
  sum: CompensatedSum,
  terms: Float64Array | undefined,
) => void;

export interface RowwiseOutput {
  /** Per-row values in nats, shape = operand shape without the last axis. */
  readonly rows: Tensor;
  readonly terms?: Tensor;
}

export function rowwise(p: Tensor, q: Tensor | undefined, kernel: RowKernel, keepTerms = true): RowwiseOutput {
  const n = lastDim(p);
  const count = rowCount(p);
  const rows = new Float64Array(count);
  const withTerms = keepTerms && p.data.length <= TERMS_LIMIT;
  const terms = withTerms ? new Float64Array(p.data.length) : undefined;
  for (let r = 0; r < count; r++) {
    const lo = r * n;
    const hi = lo + n;
    const s = new CompensatedSum();
    kernel(p.data.subarray(lo, hi), (q ?? p).data.subarray(lo, hi), s, terms?.subarray(lo, hi));
    rows[r] = s.value();
  }
  return {
    rows: { shape: p.shape.slice(0, -1), data: rows },
    ...(terms ? { terms: { shape: p.shape, data: terms } } : {}),
  };
}

/**
 * Applies a reduction to per-row values. `firstDim` is the size of the operands' first axis:
 * "batchmean" divides the total by it, as PyTorch's F.kl_div does — for a single distribution
 * that is its length, which is PyTorch's behaviour too and is flagged.
 */
export function reduce(
  fn: string,
  rows: Tensor,
  reduction: Reduction,
  firstDim: number,
  warnings: Warning[],
  span: Span | undefined,
): Tensor {
  if (reduction === 'none') return rows;
  const s = new CompensatedSum();
  for (const x of rows.data) s.add(x);
  const total = s.value();
  switch (reduction) {
    case 'sum':
      return { shape: [], data: Float64Array.of(total) };
    case 'mean':
      if (rows.shape.length > 0) {
        warnings.push({
          code: 'mean-reduction',
          message: `reduction="mean" averages the ${rows.data.length} per-row values. PyTorch's F.kl_div(reduction="mean") also divides by the row length; reduction="batchmean" is the per-sample mean over the first axis.`,
          span,
        });
      }
      return { shape: [], data: Float64Array.of(total / rows.data.length) };
    case 'batchmean':
      if (rows.shape.length === 0) {
        warnings.push({
          code: 'batchmean-1d',
          message: `${fn}: batchmean on a single distribution divides by its length ${firstDim}, as PyTorch's F.kl_div does for 1-D input. Use reduction="sum" for the divergence itself.`,
          span,
        });
      }
      return { shape: [], data: Float64Array.of(total / firstDim) };
  }
}

export function scaled(t: Tensor, factor: number): Tensor {
  if (factor === 1) return t;
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = t.data[i]! * factor;
  return { shape: t.shape, data };
}

/** Where q = 0 < p (the elements that make KL(P‖Q) infinite). */
export function supportViolations(p: Tensor, q: Tensor): SupportViolation | undefined {
  let count = 0;
  const indices: number[][] = [];
  const shape = p.shape.length === 0 ? [1] : p.shape;
  for (let i = 0; i < p.data.length; i++) {
    if (q.data[i] === 0 && p.data[i]! > 0) {
      if (count < MAX_LISTED_INDICES) indices.push(unravel(i, shape));
      count++;
    }
  }
  return count === 0 ? undefined : { count, indices };
}

/** Where exactly one of p, q is 0 (the elements that make Jeffreys infinite), in index order. */
export function supportMismatches(p: Tensor, q: Tensor): SupportViolation | undefined {
  let count = 0;
  const indices: number[][] = [];
  const shape = p.shape.length === 0 ? [1] : p.shape;
  for (let i = 0; i < p.data.length; i++) {
    if ((p.data[i] === 0) !== (q.data[i] === 0)) {
      if (count < MAX_LISTED_INDICES) indices.push(unravel(i, shape));
      count++;
    }
  }
  return count === 0 ? undefined : { count, indices };
}

export function describeViolations(v: SupportViolation): string {
  const shown = v.indices.slice(0, 10).map((ix) => (ix.length === 1 ? String(ix[0]) : `[${ix.join(', ')}]`));
  const more = v.count > shown.length ? `, … (${v.count} in all)` : '';
  return `${shown.join(', ')}${more}`;
}

export function firstDimOf(t: Tensor): number {
  return firstDimOfShape(t.shape);
}

export function firstDimOfShape(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[0]!;
}


/** The common fields of a per-row result: rows and terms scaled to the unit, the reduction applied. */
export function finishRows(
  fn: string,
  output: RowwiseOutput,
  o: { readonly unit: Unit | null; readonly reduction: Reduction; readonly warnings: Warning[]; readonly span: Span | undefined; readonly firstDim: number },
): { value: Tensor; unit: Unit | null; reduction: Reduction; rows: Tensor; warnings: Warning[]; span: Span | undefined; terms?: Tensor } {
  const factor = o.unit ? natsTo(o.unit) : 1;
  const rows = scaled(output.rows, factor);
  return {
    value: reduce(fn, rows, o.reduction, o.firstDim, o.warnings, o.span),
    unit: o.unit,
    reduction: o.reduction,
    rows,
    warnings: o.warnings,
    span: o.span,
    ...(output.terms ? { terms: scaled(output.terms, factor) } : {}),
  };
}

/** Builds a DiscreteResult from per-row values and terms in nats (or unitless when `unit` is null). */
export function assemble(
  fields: Pick<DiscreteResult, 'measure' | 'label' | 'operands'> &
    Partial<Pick<DiscreteResult, 'mixture' | 'marginals' | 'infinite'>> & {
      readonly output: RowwiseOutput;
      readonly parts?: Readonly<Record<string, Tensor>>;
      readonly unit: Unit | null;
      readonly reduction: Reduction;
      readonly warnings: Warning[];
      readonly span: Span | undefined;
    },
): DiscreteResult {
  const factor = fields.unit ? natsTo(fields.unit) : 1;
  const parts = fields.parts
    ? Object.fromEntries(Object.entries(fields.parts).map(([k, v]) => [k, scaled(v, factor)]))
    : undefined;
  return {
    kind: 'discrete',
    measure: fields.measure,
    label: fields.label,
    ...finishRows(fields.measure, fields.output, { ...fields, firstDim: firstDimOfShape(fields.operands[0]!.shape) }),
    operands: fields.operands,
    ...(parts ? { parts } : {}),
    ...(fields.mixture ? { mixture: fields.mixture } : {}),
    ...(fields.marginals ? { marginals: fields.marginals } : {}),
    ...(fields.infinite ? { infinite: fields.infinite } : {}),
  };
}
