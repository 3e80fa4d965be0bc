/** Jeffreys divergence J(P, Q) = KL(P‖Q) + KL(Q‖P): the sum and its two directions. */
import type { DiscreteResult, WarningCode } from '../result';
import type { Tensor } from '../tensor';
import { type Ctx, equation, summarize } from './common';
import { isPerRow, sumSteps } from './frame';
import type { Step } from './step';
import { element, infiniteWarning, klName, operandName } from './support';
import type { Both } from './tex';

/** The derivation of a discrete Jeffreys divergence. */
export function deriveJeffreys(r: DiscreteResult, ctx: Ctx, covered: Set<WarningCode>): Step[] {
  const [P, Q] = r.operands;
  const p = (row: boolean) => operandName(P, 'P', row);
  const q = (row: boolean) => operandName(Q, 'Q', row);
  const name = (row: boolean): Both => ({ tex: `J(${p(row).tex}, ${q(row).tex})`, text: `J(${p(row).text}, ${q(row).text})` });
  const steps = sumSteps(r, ctx, {
    name,
    formula: (s) => ({
      tex: `${klName(p(s !== 'i'), q(s !== 'i')).tex} + ${klName(q(s !== 'i'), p(s !== 'i')).tex} = \\sum_{i} (p_{${s}} - q_{${s}}) \\log\\frac{p_{${s}}}{q_{${s}}}`,
      text: `${klName(p(s !== 'i'), q(s !== 'i')).text} + ${klName(q(s !== 'i'), p(s !== 'i')).text} = Σ_i (p_${s} − q_${s}) log(p_${s} / q_${s})`,
    }),
    convention: 'infinite where exactly one of p, q is 0',
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      const b = element(ctx, r, 1, i);
      return { tex: `(${a.tex} - ${b.tex}) \\ln\\frac{${a.tex}}{${b.tex}}`, text: `(${a.text} − ${b.text})·ln(${a.text}/${b.text})` };
    },
  });
  if (r.infinite) {
    covered.add('infinite');
    steps.push(
      infiniteWarning(ctx, r, r.infinite, {
        quantity: name(false).text,
        where: `the supports differ (exactly one of ${P?.role ?? 'P'}, ${Q?.role ?? 'Q'} is 0)`,
        smooth: `both ${P?.role ?? 'P'} and ${Q?.role ?? 'Q'}`,
        js: true,
      }),
    );
  }
  const values = Object.values(r.parts ?? {});
  const forward = r.parts?.[`KL(${P?.role ?? 'P'}‖${Q?.role ?? 'Q'})`] ?? values[0];
  const backward = r.parts?.[`KL(${Q?.role ?? 'Q'}‖${P?.role ?? 'P'})`] ?? values[1];
  if (forward && backward) {
    const perRow = isPerRow(r);
    const at = (t: Tensor): number => (perRow ? summarize(t).mean : t.data[0]!);
    const bar = (b: Both): Both => (perRow ? { tex: `\\overline{${b.tex}}`, text: `mean ${b.text}` } : b);
    const a = ctx.num(at(forward));
    const b = ctx.num(at(backward));
    const v = ctx.val(at(r.rows), r.unit);
    const f = bar(klName(p(perRow), q(perRow)));
    const g = bar(klName(q(perRow), p(perRow)));
    steps.push(
      equation(
        perRow ? 'Both directions (means over rows)' : 'Both directions',
        `${bar(name(perRow)).tex} = ${f.tex} + ${g.tex} = ${a.tex} + ${b.tex} = ${v.tex}`,
        `${bar(name(perRow)).text} = ${f.text} + ${g.text} = ${a.text} + ${b.text} = ${v.text}`,
      ),
    );
  }
  return steps;
}
