/**
 * Jensen–Shannon divergence: the mixture M = (P+Q)/2, the two halves KL(P‖M) and KL(Q‖M), their
 * average, and the ln 2 bound that keeps JS finite on disjoint supports.
 */
import type { DiscreteResult } from '../result';
import type { Tensor } from '../tensor';
import { type Ctx, equation, inMemory, reductionSteps, rowsStep, summarize } from './common';
import { inUnit, isPerRow, ROW } from './frame';
import type { Step } from './step';
import { element, klName, ln2Bound, operandName } from './support';
import { type Both, joinSum, texVector } from './tex';

/** The derivation of JS(P, Q). */
export function deriveJs(r: DiscreteResult, ctx: Ctx): Step[] {
  const [P, Q] = r.operands;
  const perRow = isPerRow(r);
  const p = operandName(P, 'P', perRow);
  const q = operandName(Q, 'Q', perRow);
  const m: Both = perRow ? { tex: 'M_r', text: 'M_r' } : { tex: 'M', text: 'M' };
  const name: Both = { tex: `\\mathrm{JS}(${p.tex}, ${q.tex})`, text: `JS(${p.text}, ${q.text})` };
  const halves = [klName(p, m), klName(q, m)] as const;
  const unit = r.unit;
  const steps: Step[] = [];
  const lhs = perRow ? { tex: `${ROW.tex}_r = ${name.tex}`, text: `${ROW.text}_r = ${name.text}` } : name;
  steps.push(
    equation(
      'Definition',
      `${lhs.tex} = \\tfrac{1}{2} ${halves[0].tex} + \\tfrac{1}{2} ${halves[1].tex},\\quad ${m.tex} = \\tfrac{1}{2}(${p.tex} + ${q.tex})`,
      `${lhs.text} = ½ ${halves[0].text} + ½ ${halves[1].text}, ${m.text} = (${p.text} + ${q.text})/2${perRow ? ', for each row r' : ''}`,
    ),
  );
  const parts = partsOf(r);
  const first = r.operands[0];
  const n = first?.shape.length ? first.shape[first.shape.length - 1]! : 1;
  if (perRow) {
    steps.push(rowsStep(ctx, 'Per-row values', ROW, r.rows, unit));
    if (parts) {
      const a = ctx.num(summarize(parts[0]).mean);
      const b = ctx.num(summarize(parts[1]).mean);
      const mean = ctx.val(summarize(r.rows).mean, unit);
      steps.push(
        equation(
          'Halves (means over rows)',
          `\\overline{${ROW.tex}} = \\tfrac{1}{2}\\,\\overline{${halves[0].tex}} + \\tfrac{1}{2}\\,\\overline{${halves[1].tex}} = \\tfrac{1}{2}(${a.tex}) + \\tfrac{1}{2}(${b.tex}) = ${mean.tex}`,
          `mean ${ROW.text} = ½·mean ${halves[0].text} + ½·mean ${halves[1].text} = ½(${a.text}) + ½(${b.text}) = ${mean.text}`,
        ),
      );
    }
  } else {
    const inMem = r.operands.every(inMemory);
    if (r.mixture && n <= ctx.maxTerms && inMem) {
      const pv = texVector(P!.tensor!.data, ctx.digits, ctx.maxTerms);
      const qv = texVector(Q!.tensor!.data, ctx.digits, ctx.maxTerms);
      const mv = texVector(r.mixture.data, ctx.digits, ctx.maxTerms);
      steps.push(
        equation(
          'Mixture',
          `M = \\tfrac{1}{2}(${p.tex} + ${q.tex}) = \\tfrac{1}{2}\\left[${pv.tex} + ${qv.tex}\\right] = ${mv.tex}`,
          `M = (${p.text} + ${q.text})/2 = ½[${pv.text} + ${qv.text}] = ${mv.text}`,
        ),
      );
    }
    if (parts) {
      const small = r.mixture !== undefined && n <= ctx.maxTerms && inMem;
      ([0, 1] as const).forEach((k) => {
        const x = k === 0 ? 'p' : 'q';
        const v = ctx.val(parts[k].data[0]!, unit);
        let written = '';
        let writtenText = '';
        if (small) {
          const sum = joinSum(
            Array.from({ length: n }, (_, i) => {
              const a = element(ctx, r, k, i);
              const mi = ctx.num(r.mixture!.data[i]!);
              return { tex: `${a.tex} \\ln\\frac{${a.tex}}{${mi.tex}}`, text: `${a.text}·ln(${a.text}/${mi.text})` };
            }),
          );
          const converted = inUnit(ctx, sum, unit);
          written = ` = ${converted.tex}`;
          writtenText = ` = ${converted.text}`;
        }
        steps.push(
          equation(
            k === 0 ? `First half` : `Second half`,
            `${halves[k].tex} = \\sum_i ${x}_i \\log\\frac{${x}_i}{m_i}${written} = ${v.tex}`,
            `${halves[k].text} = Σ_i ${x}_i log(${x}_i / m_i)${writtenText} = ${v.text}`,
          ),
        );
      });
      const a = ctx.num(parts[0].data[0]!);
      const b = ctx.num(parts[1].data[0]!);
      const v = ctx.val(r.rows.data[0]!, unit);
      steps.push(equation('Total', `${name.tex} = \\tfrac{1}{2}(${a.tex}) + \\tfrac{1}{2}(${b.tex}) = ${v.tex}`, `${name.text} = ½(${a.text}) + ½(${b.text}) = ${v.text}`));
    } else {
      const v = ctx.val(r.rows.data[0]!, unit);
      steps.push(equation('Total', `${name.tex} = ${v.tex}`, `${name.text} = ${v.text}`));
    }
  }
  const shape = first?.shape ?? [];
  steps.push(
    ...reductionSteps(ctx, {
      symbol: name,
      rowSymbol: ROW,
      rows: r.rows,
      reduction: r.reduction,
      value: r.value.data.length === 1 ? r.value.data[0]! : NaN,
      unit,
      firstDim: shape.length === 0 ? 1 : shape[0]!,
      rowLength: n,
    }),
  );
  const bound = ln2Bound(ctx, unit);
  const top = perRow ? summarize(r.rows).max : r.rows.data[0]!;
  const topName = perRow ? { tex: `\\max_r ${ROW.tex}_r`, text: `max_r ${ROW.text}_r` } : name;
  const v = ctx.num(top);
  steps.push(
    equation(
      'Bound',
      `0 \\le ${topName.tex} = ${v.tex} \\le ${bound.tex}`,
      `0 ≤ ${topName.text} = ${v.text} ≤ ${bound.text}${unit && unit.base !== 2 ? ` ${unit.name}` : ''}: M is positive wherever P or Q is, so JS stays finite even on disjoint supports (where it reaches the bound)`,
    ),
  );
  return steps;
}

/** KL(P‖M) and KL(Q‖M), by the names JS stores them under (or in order). */
function partsOf(r: DiscreteResult): readonly [Tensor, Tensor] | undefined {
  const values = Object.values(r.parts ?? {});
  const [P, Q] = r.operands;
  const a = r.parts?.[`KL(${P?.role ?? 'P'}‖M)`] ?? values[0];
  const b = r.parts?.[`KL(${Q?.role ?? 'Q'}‖M)`] ?? values[1];
  return a && b ? [a, b] : undefined;
}
