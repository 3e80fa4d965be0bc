/**
 * Pieces every derivation shares: the options, step constructors, the selection of the largest
 * terms, per-row summaries, reductions, normalization and streamed-input notes, and leftover
 * warnings.
 */
import { NORMALIZED_TOLERANCE } from '../divergence/operands';
import { CompensatedSum } from '../numeric/sum';
import type { Operand, Reduction, Warning, WarningCode } from '../result';
import { unravel, type Tensor } from '../tensor';
import type { Unit } from '../units';
import type { DeriveOptions, Step } from './step';
import { type Both, indexLabel, joinSum, lnBase, shapeLabel, texNumber, texText, textNumber, texVector, withUnit } from './tex';

/** The options with their defaults filled in, and the number helpers bound to them. */
export interface Ctx {
  readonly digits: number;
  readonly maxTerms: number;
  /** A number in TeX and text. */
  num(x: number): Both;
  /** A number with the result's unit. */
  val(x: number, unit: Unit | null): Both;
}

/** Fills in the defaults (5 digits, 8 terms) and clamps nonsense values. */
export function context(options: DeriveOptions = {}): Ctx {
  const whole = (x: number | undefined, fallback: number): number => (x !== undefined && Number.isFinite(x) ? Math.floor(x) : fallback);
  const digits = Math.max(1, Math.min(21, whole(options.digits, 5)));
  const maxTerms = Math.max(1, whole(options.maxTerms, 8));
  return {
    digits,
    maxTerms,
    num: (x) => ({ tex: texNumber(x, digits), text: textNumber(x, digits) }),
    val: (x, unit) => withUnit(x, unit?.name, digits),
  };
}

/** A step that is an equation. */
export function equation(title: string, tex: string, text: string): Step {
  return { title, tex, text, kind: 'equation' };
}

/** A prose step; its TeX is the same sentence as escaped text. */
export function note(title: string, text: string): Step {
  return { title, tex: texText(text), text, kind: 'note' };
}

/** A prose step the reader should not miss (an infinite value, an input problem). */
export function warning(title: string, text: string): Step {
  return { title, tex: texText(text), text, kind: 'warning' };
}

/** Steps for the warnings no step has explained yet, in their original order. */
export function leftoverWarnings(warnings: readonly Warning[], covered: ReadonlySet<WarningCode>): Step[] {
  return warnings.filter((w) => !covered.has(w.code)).map((w) => warning('Warning', w.message));
}

/** The factor that turns the result's unit back into nats (1 for nats and unitless measures). */
export function toNats(unit: Unit | null): number {
  return unit && unit.base !== Math.E ? Math.log(unit.base) : 1;
}

/** `\frac{x}{\ln 2} = y` — the conversion from nats to the result's unit, or nothing for nats. */
export function unitConversion(ctx: Ctx, lhs: Both, nats: number, value: number, unit: Unit | null): Step | undefined {
  // ∞ / ln b is ∞: nothing to convert.
  if (!unit || unit.base === Math.E || !Number.isFinite(nats)) return undefined;
  const ln = lnBase(unit.base, ctx.digits);
  const n = ctx.num(nats);
  const v = ctx.val(value, unit);
  return equation(
    'Unit conversion',
    `${lhs.tex} = \\frac{${n.tex}}{${ln.tex}} = ${v.tex}`,
    `${lhs.text} = ${n.text} / ${ln.text} = ${v.text}`,
  );
}

/** Indices of the `k` largest values of `key` (descending), in O(n·k) without sorting everything. */
export function topIndices(n: number, k: number, key: (i: number) => number): number[] {
  const top: number[] = [];
  const keys: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = key(i);
    if (top.length === k && !(v > keys[k - 1]!)) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && v > keys[at - 1]!) at--;
    top.splice(at, 0, i);
    keys.splice(at, 0, v);
    if (top.length > k) {
      top.pop();
      keys.pop();
    }
  }
  return top;
}

/** Which terms a derivation writes out: all of them, or the largest by |term| and the rest summed. */
export interface TermSelection {
  readonly shown: readonly number[];
  /** Whether some terms are left out (then `rest` and `restCount` describe them). */
  readonly elided: boolean;
  readonly restCount: number;
  /** Σ of the terms left out, in the unit of `values`. */
  readonly rest: number;
}

/** All terms when there are at most `maxTerms`; otherwise the largest by |term|, the rest summed. */
export function selectTerms(values: ArrayLike<number>, maxTerms: number): TermSelection {
  const n = values.length;
  if (n <= maxTerms) return { shown: Array.from({ length: n }, (_, i) => i), elided: false, restCount: 0, rest: 0 };
  // NaN sorts last; |∞| first, so the terms that make a divergence infinite are always shown.
  const shown = topIndices(n, maxTerms, (i) => {
    const v = Math.abs(values[i]!);
    return Number.isNaN(v) ? -1 : v;
  });
  const skip = new Set(shown);
  const rest = new CompensatedSum();
  for (let i = 0; i < n; i++) if (!skip.has(i)) rest.add(values[i]!);
  return { shown, elided: true, restCount: n - shown.length, rest: rest.value() };
}

/** The label of a flat offset into a tensor of `shape`: `3`, or `[1, 2]`. */
export function elementLabel(offset: number, shape: readonly number[]): string {
  return indexLabel(shape.length <= 1 ? [offset] : unravel(offset, shape));
}

/**
 * Writes a sum term by term: `lhs = piece(i) + ... [+ n more terms (Σ = rest)]`. In the elided form
 * each shown piece is labelled with its index.
 */
export function expandSum(lhs: Both, selection: TermSelection, shape: readonly number[], piece: (i: number) => Both, rest: () => Both): Both {
  const pieces = selection.shown.map((i) => {
    const p = piece(i);
    if (!selection.elided) return p;
    const label = elementLabel(i, shape);
    const negative = p.tex.startsWith('-');
    // The sign stays outside the brace so joinSum still writes a subtraction.
    const body = negative ? p.tex.slice(1) : p.tex;
    return { tex: `${negative ? '-' : ''}\\underbrace{${body}}_{${label}}`, text: `${p.text} ${label.startsWith('[') ? label : `[${label}]`}` };
  });
  if (selection.elided) {
    const r = rest();
    pieces.push({
      tex: `\\underbrace{\\ldots}_{${selection.restCount}\\ \\text{more terms},\\ \\Sigma = ${r.tex}}`,
      text: `… ${selection.restCount} more terms (Σ = ${r.text})`,
    });
  }
  const sum = joinSum(pieces);
  return { tex: `${lhs.tex} = ${sum.tex}`, text: `${lhs.text} = ${sum.text}` };
}

/** Number of rows, mean, min, max and the argmax row of per-row values. */
export interface RowSummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly argmax: number;
  readonly total: number;
}

/** One pass over per-row values: count, compensated total and mean, min, max and where it is. */
export function summarize(rows: Tensor): RowSummary {
  const data = rows.data;
  const total = new CompensatedSum();
  let min = Infinity;
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    total.add(x);
    if (x < min) min = x;
    if (x > max || (i === 0 && Number.isNaN(x))) {
      max = x;
      argmax = i;
    }
  }
  const t = total.value();
  return { count: data.length, mean: t / Math.max(1, data.length), min, max, argmax, total: t };
}

/**
 * The per-row values: listed when there are few, always summarized (count, mean, min, max and the
 * row where the maximum is).
 */
export function rowsStep(ctx: Ctx, title: string, symbol: Both, rows: Tensor, unit: Unit | null, noun = 'row'): Step {
  const s = summarize(rows);
  const where = elementLabel(s.argmax, rows.shape);
  const list = rows.data.length <= ctx.maxTerms ? texVector(rows.data, ctx.digits, ctx.maxTerms) : undefined;
  const mean = ctx.val(s.mean, unit);
  const min = ctx.num(s.min);
  const max = ctx.num(s.max);
  const head = list ? `${symbol.tex} = ${list.tex},\\quad ` : '';
  const shapeNote = rows.shape.length > 1 ? ` ${shapeLabel(rows.shape)}` : '';
  const nouns = s.count === 1 ? noun : `${noun}s`;
  const textHead = list ? `${symbol.text} = ${list.text}; ` : '';
  return equation(
    title,
    `${head}R = ${s.count}\\ \\text{${nouns}${shapeNote}}:\\quad \\text{mean} = ${mean.tex},\\ \\min = ${min.tex},\\ \\max = ${max.tex}\\ \\text{at ${noun}}\\ ${where}`,
    `${textHead}${s.count} ${nouns}${shapeNote}: mean ${mean.text}, min ${min.text}, max ${max.text} at ${noun} ${where}`,
  );
}

/**
 * The reduction applied to per-row values, with numbers: Σ, the mean over rows, or PyTorch's
 * batchmean (the total over the first dimension of the operands).
 */
export function reductionSteps(
  ctx: Ctx,
  o: {
    /** The whole quantity (for one distribution) and the letter whose subscript r names a row. */
    readonly symbol: Both;
    readonly rowSymbol: Both;
    readonly rows: Tensor;
    readonly reduction: Reduction;
    /** The reduced value (scalar). */
    readonly value: number;
    readonly unit: Unit | null;
    /** Size of the operands' first axis: batchmean's divisor. */
    readonly firstDim: number;
    /** Length of a row, for PyTorch's "mean" (omitted where that comparison does not apply). */
    readonly rowLength?: number;
    /** What a row is called in the text ("row", "sample"). */
    readonly noun?: string;
  },
): Step[] {
  const { symbol, rowSymbol: d, rows, reduction, unit } = o;
  const noun = o.noun ?? 'row';
  const perRow = rows.shape.length > 0;
  const v = ctx.val(o.value, unit);
  if (reduction === 'none') return [];
  if (!perRow) {
    if (reduction !== 'batchmean') return [];
    // One distribution: PyTorch's batchmean divides by its length.
    const n = o.firstDim;
    return [
      equation(
        'Reduction (batchmean)',
        `\\frac{1}{${n}}\\, ${symbol.tex} = \\frac{${ctx.num(rows.data[0]!).tex}}{${n}} = ${v.tex}`,
        `${symbol.text} / ${n} = ${ctx.num(rows.data[0]!).text} / ${n} = ${v.text}`,
      ),
      note(
        'batchmean on one distribution',
        `reduction="batchmean" divides by the first dimension of the input; for a single 1-D distribution that is its length ${n}, as PyTorch's F.kl_div does. Use reduction="sum" (or none) for the divergence itself.`,
      ),
    ];
  }
  const s = summarize(rows);
  const total = ctx.num(s.total);
  switch (reduction) {
    case 'sum':
      return [equation('Reduction (sum)', `\\sum_{r} ${d.tex}_r = ${v.tex}`, `Σ_r ${d.text}_r over ${s.count} ${noun}s = ${v.text}`)];
    case 'mean': {
      const steps = [
        equation(
          'Reduction (mean)',
          `\\frac{1}{R} \\sum_{r} ${d.tex}_r = \\frac{${total.tex}}{${s.count}} = ${v.tex}`,
          `(1/R) Σ_r ${d.text}_r = ${total.text} / ${s.count} = ${v.text}`,
        ),
      ];
      if (o.rowLength !== undefined) {
        const elements = s.count * o.rowLength;
        const torch = ctx.val(s.total / elements, unit);
        steps.push(
          note(
            'mean is not PyTorch\'s "mean"',
            `reduction="mean" here averages the ${s.count} per-row values. PyTorch's F.kl_div(reduction="mean") divides the total by every element, ${s.count} × ${o.rowLength} = ${elements}, which would give ${torch.text}; reduction="batchmean" divides by the first dimension (${o.firstDim}) instead.`,
          ),
        );
      }
      return steps;
    }
    case 'batchmean':
      return [
        equation(
          'Reduction (batchmean)',
          `\\frac{1}{B} \\sum_{r} ${d.tex}_r = \\frac{${total.tex}}{${o.firstDim}} = ${v.tex}`,
          `(1/B) Σ_r ${d.text}_r = ${total.text} / ${o.firstDim} = ${v.text} (B = ${o.firstDim}, the first dimension; ${s.count} ${noun}s)`,
        ),
      ];
  }
}

/** Whether an operand's values are in memory (they are not when it was streamed from a file). */
export function inMemory(o: Operand | undefined): o is Operand & { readonly tensor: Tensor } {
  return o?.tensor !== undefined;
}

/** "P was read from p.npy in chunks" for each streamed operand. */
export function streamedSteps(operands: readonly Operand[]): Step[] {
  const streamed = operands.filter((o) => !inMemory(o));
  if (streamed.length === 0) return [];
  const what = streamed.map((o) => `${o.role} from ${o.source ?? 'a file'} (shape ${shapeLabel(o.shape)})`).join(', ');
  return [
    note(
      'Streamed input',
      `${what} ${streamed.length === 1 ? 'was' : 'were'} read in chunks and not kept in memory, so the steps show shapes and per-row values rather than the elements.`,
    ),
  ];
}

/** p_i = c_i / Σc for each operand that was rescaled, with its sum (or the range of row sums). */
export function normalizationSteps(ctx: Ctx, operands: readonly Operand[], symbols: readonly string[]): Step[] {
  const steps: Step[] = [];
  operands.forEach((o, k) => {
    // Rows within rounding of 1 (a softmax output) were rescaled without meaning anything.
    if (!o.rescaled || !o.sums || !o.sums.data.some((x) => !(Math.abs(x - 1) <= NORMALIZED_TOLERANCE))) return;
    const x = symbols[k] ?? o.role.toLowerCase();
    const sums = o.sums;
    if (sums.data.length === 1 && o.shape.length === 2) {
      // MI's joint table is normalized as a whole.
      const total = ctx.num(sums.data[0]!);
      const X = x.toUpperCase();
      steps.push(
        equation(
          `Normalization of ${o.role}`,
          `${X}_{ab} = \\frac{c_{ab}}{\\sum_{a,b} c_{ab}},\\quad \\sum_{a,b} c_{ab} = ${total.tex}`,
          `${o.role} did not sum to 1: each cell was divided by the table's sum ${total.text}`,
        ),
      );
      return;
    }
    if (sums.data.length === 1) {
      const total = ctx.num(sums.data[0]!);
      const values = inMemory(o) && o.tensor.shape.length <= 1 && o.tensor.data.length <= ctx.maxTerms ? texVector(o.tensor.data, ctx.digits, ctx.maxTerms) : undefined;
      const tail = values ? ` \\;\\Rightarrow\\; ${x} = ${values.tex}` : '';
      const textTail = values ? ` ⇒ ${x} = ${values.text}` : '';
      steps.push(
        equation(
          `Normalization of ${o.role}`,
          `${x}_i = \\frac{c_i}{\\sum_j c_j},\\quad \\sum_j c_j = ${total.tex}${tail}`,
          `${o.role} did not sum to 1: ${x}_i = c_i / Σ_j c_j with Σ_j c_j = ${total.text}${textTail}`,
        ),
      );
      return;
    }
    const s = summarize(sums);
    const min = ctx.num(s.min);
    const max = ctx.num(s.max);
    steps.push(
      equation(
        `Normalization of ${o.role}`,
        `${x}_{r,i} = \\frac{c_{r,i}}{\\sum_j c_{r,j}},\\quad \\sum_j c_{r,j} \\in \\left[${min.tex},\\ ${max.tex}\\right]\\ \\text{over ${s.count} rows}`,
        `each of the ${s.count} rows of ${o.role} was divided by its own sum: ${x}_{r,i} = c_{r,i} / Σ_j c_{r,j}, sums from ${min.text} to ${max.text}`,
      ),
    );
  });
  return steps;
}

/** The note for normalize=false on inputs that are not distributions. */
export function notNormalizedSteps(warnings: readonly Warning[]): Step[] {
  const roles = warnings.filter((w) => w.code === 'not-normalized').map((w) => /^(\S+)/.exec(w.message)?.[1] ?? '');
  if (roles.length === 0) return [];
  const who = roles.filter(Boolean).join(' and ') || 'An input';
  return [
    note(
      'normalize=false',
      `${who} ${roles.length > 1 ? 'do' : 'does'} not sum to 1 and normalize=false keeps the values as given: the sum formula below is evaluated on them as they are, so the result is not a divergence between probability distributions.`,
    ),
  ];
}

/** "index 2, [1, 3], … (7 in all)" for the first few listed multi-indices. */
export function describeIndices(indices: readonly (readonly number[])[], count: number, max = 10): string {
  const shown = indices.slice(0, max).map(indexLabel);
  return `${shown.join(', ')}${count > shown.length ? `, … (${count} in all)` : ''}`;
}
