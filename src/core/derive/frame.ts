/**
 * The frame shared by the discrete measures that are a sum over elements: definition, the sum
 * with the numbers put in, the term values, the total and its unit — or, for per-row input, the
 * formula once, a summary of the rows and the reduction.
 */
import type { DiscreteResult } from '../result';
import { lastDim } from '../tensor';
import { type Ctx, equation, expandSum, inMemory, reductionSteps, rowsStep, selectTerms, toNats, unitConversion } from './common';
import type { Step } from './step';
import { NATS } from '../units';
import { type Both, escapeText, lnBase } from './tex';

/** What a sum measure supplies to the frame: its name, formula and the i-th term with numbers. */
export interface SumSpec {
  /** The quantity, e.g. D_KL(P‖Q); with `row` its operands carry the row subscript. */
  readonly name: (row: boolean) => Both;
  /** The defining formula; `s` is the element subscript, `i` or `r,i`. */
  readonly formula: (s: string) => Both;
  /** Element i of the sum with the numbers put in (needs the operands in memory). */
  readonly piece?: (i: number) => Both;
  /** Which terms are summed when not all of `terms` are (W1 stops at n − 2). */
  readonly termCount?: number;
  /** What the terms add up to when that is not the quantity itself (Hellinger²). */
  readonly sumName?: Both;
  /** The value of that sum, in the result's unit, when it is not the row value. */
  readonly sumValue?: number;
  /** Steps from the sum to the quantity (Hellinger's square root), given the sum; replace the unit conversion. */
  readonly finish?: (sum: number) => Step[];
  /** A remark on conventions shown with the definition, in plain text. */
  readonly convention?: string;
}

/** What the frame reads from a result: discrete measures and the VAE loss alike. */
export type SummedResult = Pick<DiscreteResult, 'operands' | 'terms' | 'rows' | 'unit' | 'reduction' | 'value'>;

/** d_r, the value of row r. */
export const ROW: Both = { tex: 'd', text: 'd' };

/** Whether a result has one value per row (N-D input) rather than a single distribution. */
export function isPerRow(r: { readonly rows: { readonly shape: readonly number[] } }): boolean {
  return r.rows.shape.length > 0;
}

/** Definition, substitution, terms, total, unit conversion and reduction of a sum measure. */
export function sumSteps(r: SummedResult, ctx: Ctx, spec: SumSpec): Step[] {
  const steps: Step[] = [];
  const unit = r.unit;
  const toUnit = unit && unit.base !== Math.E ? lnBase(unit.base, ctx.digits) : undefined;
  const first = r.operands[0];
  const shape = first?.shape ?? [];
  const firstDim = shape.length === 0 ? 1 : shape[0]!;
  const rowLength = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const perRow = isPerRow(r);
  const name = spec.name(perRow);
  const formula = spec.formula(perRow ? 'r,i' : 'i');
  const convention = spec.convention ? ` (${spec.convention})` : '';

  if (perRow) {
    const inUnit = toUnit ? `\\quad \\text{(in ${escapeText(unit!.name)}: divided by } ${toUnit.tex}\\text{)}` : '';
    const textUnit = toUnit ? ` (in ${unit!.name}: divided by ${toUnit.text})` : '';
    steps.push(
      equation(
        'Definition',
        `${ROW.tex}_r = ${name.tex} = ${formula.tex}${inUnit}`,
        `${ROW.text}_r = ${name.text} = ${formula.text} for each row r${convention}${textUnit}`,
      ),
    );
    steps.push(rowsStep(ctx, 'Per-row values', ROW, r.rows, unit));
  } else {
    steps.push(equation('Definition', `${name.tex} = ${formula.tex}`, `${name.text} = ${formula.text}${convention}`));
    const scale = toNats(unit);
    const sumName = spec.sumName ?? name;
    const terms = r.terms;
    const operandsInMemory = r.operands.every(inMemory);
    if (terms && operandsInMemory) {
      const count = spec.termCount ?? terms.data.length;
      const values = count === terms.data.length ? terms.data : terms.data.subarray(0, count);
      const selection = selectTerms(values, ctx.maxTerms);
      if (spec.piece) {
        steps.push(equation('Substitution', ...texAndText(expandSum(sumName, selection, terms.shape, spec.piece, () => ctx.num(selection.rest * scale)))));
      }
      const termStep = expandSum({ tex: '', text: '' }, selection, terms.shape, (i) => ctx.num(values[i]! * scale), () => ctx.num(selection.rest * scale));
      steps.push(equation('Terms', `${sumName.tex} ${termStep.tex.trimStart()}`, `${sumName.text} ${termStep.text.trimStart()}`));
    }
    const nats = (spec.sumValue ?? r.rows.data[0]!) * scale;
    // A finite total is shown in nats and converted next; ∞ is ∞ in every unit, so say it in the result's.
    const v = ctx.val(nats, unit ? (Number.isFinite(nats) ? NATS : unit) : null);
    steps.push(equation('Total', `${sumName.tex} = ${v.tex}`, `${sumName.text} = ${v.text}`));
    if (spec.finish) steps.push(...spec.finish(nats));
    else {
      const conversion = unitConversion(ctx, name, nats, r.rows.data[0]!, unit);
      if (conversion) steps.push(conversion);
    }
  }
  steps.push(
    ...reductionSteps(ctx, {
      symbol: name,
      rowSymbol: ROW,
      rows: r.rows,
      reduction: r.reduction,
      value: r.value.data.length === 1 ? r.value.data[0]! : NaN,
      unit,
      firstDim,
      rowLength,
    }),
  );
  return steps;
}

function texAndText(b: Both): [string, string] {
  return [b.tex, b.text];
}

/** Length of the distributions' last axis. */
export function supportSize(r: DiscreteResult): number {
  const first = r.operands[0];
  if (first?.tensor) return lastDim(first.tensor);
  const shape = first?.shape ?? [];
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/** Wraps a sum in nats for a result in another unit: `\frac{1}{\ln 2}\left(...\right)`. */
export function inUnit(ctx: Ctx, sum: Both, unit: DiscreteResult['unit']): Both {
  if (!unit || unit.base === Math.E) return sum;
  const ln = lnBase(unit.base, ctx.digits);
  return { tex: `\\frac{1}{${ln.tex}}\\left(${sum.tex}\\right)`, text: `(${sum.text}) / ${ln.text}` };
}
