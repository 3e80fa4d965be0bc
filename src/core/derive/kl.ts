/**
 * Discrete KL(P‖Q): the sum written out with the user's numbers, the reverse direction beside it,
 * and what the asymmetry means here (mode-covering versus mode-seeking).
 */
import type { DiscreteResult, WarningCode } from '../result';
import type { Tensor } from '../tensor';
import { type Ctx, describeIndices, elementLabel, equation, expandSum, inMemory, note, rowsStep, selectTerms, summarize, toNats } from './common';
import { inUnit, isPerRow, sumSteps } from './frame';
import type { Step } from './step';
import { element, infiniteWarning, klName, operandName } from './support';
import { joinSum, texText } from './tex';

/** The derivation of a discrete KL divergence. */
export function deriveKl(r: DiscreteResult, ctx: Ctx, covered: Set<WarningCode>): Step[] {
  const [P, Q] = r.operands;
  const p = (row: boolean) => operandName(P, 'P', row);
  const q = (row: boolean) => operandName(Q, 'Q', row);
  const steps = sumSteps(r, ctx, {
    name: (row) => klName(p(row), q(row)),
    formula: (s) => ({
      tex: `\\sum_{i} p_{${s}} \\log\\frac{p_{${s}}}{q_{${s}}}`,
      text: `Σ_i p_${s} log(p_${s} / q_${s})`,
    }),
    convention: '0·log(0/q) = 0; p > 0 = q gives +∞',
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      const b = element(ctx, r, 1, i);
      return { tex: `${a.tex} \\ln\\frac{${a.tex}}{${b.tex}}`, text: `${a.text}·ln(${a.text}/${b.text})` };
    },
  });
  if (r.infinite) {
    covered.add('infinite');
    steps.push(
      infiniteWarning(ctx, r, r.infinite, {
        quantity: klName(p(false), q(false)).text,
        where: `${Q?.role ?? 'Q'} = 0 < ${P?.role ?? 'P'}`,
        smooth: Q?.role ?? 'Q',
        js: true,
      }),
    );
  }
  steps.push(...reverseSteps(r, ctx));
  const asymmetry = asymmetryNote(r, ctx);
  if (asymmetry) steps.push(asymmetry);
  return steps;
}

/** KL(Q‖P) with its value (its terms too when the support is small). */
function reverseSteps(r: DiscreteResult, ctx: Ctx): Step[] {
  const reverse = r.reverse;
  if (!reverse) return [];
  const [P, Q] = r.operands;
  const unit = r.unit;
  if (isPerRow(r)) {
    const name = klName(operandName(Q, 'Q', true), operandName(P, 'P', true));
    const steps = [rowsStep(ctx, 'Reverse direction', name, reverse.rows, unit)];
    if (reverse.value.data.length === 1 && r.reduction !== 'none') {
      const v = ctx.val(reverse.value.data[0]!, unit);
      steps.push(equation(`Reverse direction (${r.reduction})`, `${r.reduction === 'sum' ? '\\sum_r' : '\\operatorname{' + r.reduction + '}_r'} ${name.tex} = ${v.tex}`, `${r.reduction} over rows of ${name.text} = ${v.text}`));
    }
    return steps;
  }
  const name = klName(operandName(Q, 'Q', false), operandName(P, 'P', false));
  const formula = { tex: '\\sum_{i} q_i \\log\\frac{q_i}{p_i}', text: 'Σ_i q_i log(q_i / p_i)' };
  const value = reverse.rows.data[0]!;
  const v = ctx.val(value, unit);
  let middle = { tex: '', text: '' };
  const terms = reverse.terms;
  if (terms && terms.data.length <= ctx.maxTerms && r.operands.every(inMemory)) {
    const scale = toNats(unit);
    const all = selectTerms(terms.data, ctx.maxTerms);
    const pieces = expandSum({ tex: '', text: '' }, all, terms.shape, (i) => {
      const a = element(ctx, r, 1, i);
      const b = element(ctx, r, 0, i);
      return { tex: `${a.tex} \\ln\\frac{${a.tex}}{${b.tex}}`, text: `${a.text}·ln(${a.text}/${b.text})` };
    }, () => ctx.num(0));
    const values = joinSum(Array.from(terms.data, (t) => ctx.num(t * scale)));
    const converted = inUnit(ctx, values, unit);
    middle = { tex: ` ${pieces.tex.trim()} = ${converted.tex}`, text: ` ${pieces.text.trim()} = ${converted.text}` };
  }
  const reduced = reverse.value.data.length === 1 && reverse.value.data[0] !== value ? ctx.val(reverse.value.data[0]!, unit) : undefined;
  const where = reverse.infinite ? `${P?.role ?? 'P'} = 0 < ${Q?.role ?? 'Q'} at index ${describeIndices(reverse.infinite.indices, reverse.infinite.count)}` : '';
  return [
    equation(
      'Reverse direction',
      `${name.tex} = ${formula.tex}${middle.tex} = ${v.tex}${reduced ? `\\quad(\\text{${r.reduction}: } ${reduced.tex})` : ''}${where ? `\\quad ${texText(`(${where})`)}` : ''}`,
      `${name.text} = ${formula.text}${middle.text} = ${v.text}${reduced ? ` (${r.reduction}: ${reduced.text})` : ''}${where ? ` (${where})` : ''}`,
    ),
  ];
}

/** Index of the largest entry (∞ first), or -1 for an empty tensor. */
function argmax(t: Tensor): number {
  let best = -1;
  for (let i = 0; i < t.data.length; i++) if (best < 0 || t.data[i]! > t.data[best]!) best = i;
  return best;
}

/** Which direction is larger and why: forward KL is mode-covering, reverse KL mode-seeking. */
function asymmetryNote(r: DiscreteResult, ctx: Ctx): Step | undefined {
  const reverse = r.reverse;
  if (!reverse) return undefined;
  const [P, Q] = r.operands;
  const pr = P?.role ?? 'P';
  const qr = Q?.role ?? 'Q';
  const unit = r.unit ? ` ${r.unit.name}` : '';
  const perRow = isPerRow(r);
  const scalar = r.value.data.length === 1 && reverse.value.data.length === 1;
  const fwd = scalar ? r.value.data[0]! : summarize(r.rows).mean;
  const rev = scalar ? reverse.value.data[0]! : summarize(reverse.rows).mean;
  const what = scalar ? '' : ' (mean over rows)';
  const f = `KL(${pr}‖${qr})${what} = ${ctx.num(fwd).text}${unit}`;
  const b = `KL(${qr}‖${pr})${what} = ${ctx.num(rev).text}${unit}`;
  const comparison =
    fwd === Infinity && rev === Infinity
      ? `Both directions are infinite: each of ${pr} and ${qr} has mass where the other has none.`
      : fwd === rev
      ? `The two directions agree here: ${f} and ${b}; in general KL is not symmetric.`
      : fwd > rev
        ? `${f} is larger than ${b}.`
        : `${b} is larger than ${f}.`;
  const where = (terms: Tensor | undefined, rows: Tensor, a: number, c: number): string => {
    if (perRow) {
      const i = argmax(rows);
      return i < 0 ? '' : `; its largest row is ${elementLabel(i, rows.shape)} (${ctx.num(rows.data[i]!).text}${unit})`;
    }
    if (!terms || !r.operands.every(inMemory)) return '';
    const i = argmax(terms);
    if (i < 0) return '';
    const x = r.operands[a]!.tensor!.data[i]!;
    const y = r.operands[c]!.tensor!.data[i]!;
    const names = a === 0 ? ['p', 'q'] : ['q', 'p'];
    return `; its largest term is at index ${elementLabel(i, terms.shape)} (${names[0]} = ${ctx.num(x).text}, ${names[1]} = ${ctx.num(y).text})`;
  };
  const forward = `Forward KL(${pr}‖${qr}) is mode-covering: it grows wherever ${pr} has mass that ${qr} lacks, so ${qr} must cover all of ${pr}'s mass${where(r.terms, r.rows, 0, 1)}.`;
  const backward = `Reverse KL(${qr}‖${pr}) is mode-seeking: it grows where ${qr} puts mass that ${pr} lacks, so ${qr} may settle on one mode of ${pr}${where(reverse.terms, reverse.rows, 1, 0)}.`;
  return note('Asymmetry', `${comparison} ${forward} ${backward}`);
}
