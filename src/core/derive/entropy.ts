/**
 * Entropy H(P) = −Σ p log p, and cross-entropy H(P, Q) = −Σ p log q with Gibbs' identity
 * H(P, Q) = H(P) + KL(P‖Q) shown from its parts.
 */
import type { DiscreteResult, WarningCode } from '../result';
import type { Tensor } from '../tensor';
import { type Ctx, equation, summarize } from './common';
import { isPerRow, ROW, supportSize, sumSteps } from './frame';
import type { Step } from './step';
import { element, infiniteWarning, klName, operandName } from './support';
import type { Both } from './tex';

/** The derivation of H(P). */
export function deriveEntropy(r: DiscreteResult, ctx: Ctx): Step[] {
  const [P] = r.operands;
  const steps = sumSteps(r, ctx, {
    name: (row) => entropyName(operandName(P, 'P', row)),
    formula: (s) => ({ tex: `-\\sum_{i} p_{${s}} \\log p_{${s}}`, text: `−Σ_i p_${s} log p_${s}` }),
    convention: '0·log 0 = 0',
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      return { tex: `-${a.tex} \\ln ${a.tex}`, text: `−${a.text}·ln ${a.text}` };
    },
  });
  // The uniform distribution attains the maximum ln n.
  const n = supportSize(r);
  const perRow = isPerRow(r);
  const top = perRow ? summarize(r.rows).max : r.rows.data[0]!;
  const lhs = perRow ? { tex: `\\max_r ${ROW.tex}_r`, text: `max_r ${ROW.text}_r` } : entropyName(operandName(P, 'P', false));
  const scale = r.unit && r.unit.base !== Math.E ? Math.log(r.unit.base) : 1;
  const bound = ctx.val(Math.log(n) / scale, r.unit);
  const log = r.unit && r.unit.base !== Math.E ? `\\log_{${ctx.num(r.unit.base).tex}}` : '\\ln';
  steps.push(
    equation(
      'Bound',
      `0 \\le ${lhs.tex} = ${ctx.num(top).tex} \\le ${log} ${n} = ${bound.tex}`,
      `0 ≤ ${lhs.text} = ${ctx.num(top).text} ≤ log ${n} = ${bound.text}, the entropy of the uniform distribution on ${n} outcomes`,
    ),
  );
  return steps;
}

/** The derivation of the cross-entropy H(P, Q). */
export function deriveCrossEntropy(r: DiscreteResult, ctx: Ctx, covered: Set<WarningCode>): Step[] {
  const [P, Q] = r.operands;
  const p = (row: boolean) => operandName(P, 'P', row);
  const q = (row: boolean) => operandName(Q, 'Q', row);
  const steps = sumSteps(r, ctx, {
    name: (row) => ({ tex: `H(${p(row).tex}, ${q(row).tex})`, text: `H(${p(row).text}, ${q(row).text})` }),
    formula: (s) => ({ tex: `-\\sum_{i} p_{${s}} \\log q_{${s}}`, text: `−Σ_i p_${s} log q_${s}` }),
    convention: '0·log q = 0; p > 0 = q gives +∞',
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      const b = element(ctx, r, 1, i);
      return { tex: `-${a.tex} \\ln ${b.tex}`, text: `−${a.text}·ln ${b.text}` };
    },
  });
  if (r.infinite) {
    covered.add('infinite');
    steps.push(
      infiniteWarning(ctx, r, r.infinite, {
        quantity: `H(${p(false).text}, ${q(false).text})`,
        where: `${Q?.role ?? 'Q'} = 0 < ${P?.role ?? 'P'}`,
        smooth: Q?.role ?? 'Q',
        js: false,
      }),
    );
  }
  const parts = identityParts(r);
  if (parts) {
    const perRow = isPerRow(r);
    const at = (t: Tensor): number => (perRow ? summarize(t).mean : t.data[0]!);
    const h = ctx.num(at(parts[0]));
    const d = ctx.num(at(parts[1]));
    const v = ctx.val(at(r.rows), r.unit);
    const bar = (b: Both): Both => (perRow ? { tex: `\\overline{${b.tex}}`, text: `mean ${b.text}` } : b);
    const ce = bar({ tex: `H(${p(perRow).tex}, ${q(perRow).tex})`, text: `H(${p(perRow).text}, ${q(perRow).text})` });
    const hp = bar(entropyName(p(perRow)));
    const kl = bar(klName(p(perRow), q(perRow)));
    steps.push(
      equation(
        perRow ? 'Identity (means over rows)' : 'Identity',
        `${ce.tex} = ${hp.tex} + ${kl.tex} = ${h.tex} + ${d.tex} = ${v.tex}`,
        `${ce.text} = ${hp.text} + ${kl.text} = ${h.text} + ${d.text} = ${v.text}: the cross-entropy is the entropy of ${p(false).text} plus the extra cost of coding it with ${q(false).text}`,
      ),
    );
  }
  return steps;
}

/** H(P) in TeX and text. */
export function entropyName(p: Both): Both {
  return { tex: `H(${p.tex})`, text: `H(${p.text})` };
}

/** H(P) and KL(P‖Q), by the names cross-entropy stores them under (or in order). */
function identityParts(r: DiscreteResult): readonly [Tensor, Tensor] | undefined {
  const entries = Object.entries(r.parts ?? {});
  const h = entries.find(([k]) => k.startsWith('H('))?.[1];
  const kl = entries.find(([k]) => k.startsWith('KL('))?.[1];
  return h && kl ? [h, kl] : undefined;
}
