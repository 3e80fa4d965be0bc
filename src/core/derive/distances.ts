/**
 * The bounded distances: total variation ½Σ|p − q|, Hellinger √(½Σ(√p − √q)²), and the 1-D
 * Wasserstein-1 distance through the CDFs, Σ|F_P − F_Q|.
 */
import { CompensatedSum } from '../numeric/sum';
import type { DiscreteResult } from '../result';
import { type Ctx, equation, inMemory } from './common';
import { isPerRow, supportSize, sumSteps } from './frame';
import type { Step } from './step';
import { element, operandName } from './support';
import { type Both, texFactor, textFactor, texVector } from './tex';

function pairName(r: DiscreteResult, fn: Both, row: boolean): Both {
  const [P, Q] = r.operands;
  const p = operandName(P, 'P', row);
  const q = operandName(Q, 'Q', row);
  return { tex: `${fn.tex}(${p.tex}, ${q.tex})`, text: `${fn.text}(${p.text}, ${q.text})` };
}

/** The derivation of TV(P, Q). */
export function deriveTv(r: DiscreteResult, ctx: Ctx): Step[] {
  return sumSteps(r, ctx, {
    name: (row) => pairName(r, { tex: '\\mathrm{TV}', text: 'TV' }, row),
    formula: (s) => ({ tex: `\\tfrac{1}{2} \\sum_{i} \\left|p_{${s}} - q_{${s}}\\right|`, text: `½ Σ_i |p_${s} − q_${s}|` }),
    convention: 'in [0, 1]: 0 for equal distributions, 1 for disjoint supports',
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      const b = element(ctx, r, 1, i);
      return { tex: `\\tfrac{1}{2}\\left|${a.tex} - ${b.tex}\\right|`, text: `½|${a.text} − ${b.text}|` };
    },
  });
}

/** The derivation of the Hellinger distance. */
export function deriveHellinger(r: DiscreteResult, ctx: Ctx): Step[] {
  const fn = { tex: '\\mathrm{Hel}', text: 'Hellinger' };
  const squared = pairName(r, { tex: '\\mathrm{Hel}^2', text: 'Hellinger²' }, false);
  const part = r.parts?.['Hellinger²'];
  const perRow = isPerRow(r);
  return sumSteps(r, ctx, {
    name: (row) => pairName(r, fn, row),
    formula: (s) => ({
      tex: `\\sqrt{\\tfrac{1}{2} \\sum_{i} \\left(\\sqrt{p_{${s}}} - \\sqrt{q_{${s}}}\\right)^2}`,
      text: `√(½ Σ_i (√p_${s} − √q_${s})²)`,
    }),
    convention: 'in [0, 1]',
    sumName: squared,
    ...(!perRow ? { sumValue: part ? part.data[0]! : r.rows.data[0]! ** 2 } : {}),
    piece: (i) => {
      const a = element(ctx, r, 0, i);
      const b = element(ctx, r, 1, i);
      return { tex: `\\tfrac{1}{2}\\left(\\sqrt{${a.tex}} - \\sqrt{${b.tex}}\\right)^2`, text: `½(√${a.text} − √${b.text})²` };
    },
    finish: (sum) => {
      const name = pairName(r, fn, false);
      const s = ctx.num(sum);
      const v = ctx.num(r.rows.data[0]!);
      return [equation('Square root', `${name.tex} = \\sqrt{${squared.tex}} = \\sqrt{${s.tex}} = ${v.tex}`, `${name.text} = √(${squared.text}) = √${s.text} = ${v.text}`)];
    },
  });
}

/** The derivation of the 1-D Wasserstein-1 distance. */
export function deriveW1(r: DiscreteResult, ctx: Ctx): Step[] {
  const n = supportSize(r);
  const perRow = isPerRow(r);
  const [P, Q] = r.operands;
  const single = !perRow && r.terms !== undefined && inMemory(P) && inMemory(Q);
  // F_P − F_Q at each position, for the pieces written out (one O(n) pass).
  const cdf = (k: number): Float64Array => {
    const data = r.operands[k]!.tensor!.data;
    const out = new Float64Array(data.length);
    const s = new CompensatedSum();
    for (let i = 0; i < data.length; i++) {
      s.add(data[i]!);
      out[i] = s.value();
    }
    return out;
  };
  const fp = single ? cdf(0) : undefined;
  const fq = single ? cdf(1) : undefined;
  const steps = sumSteps(r, ctx, {
    name: (row) => pairName(r, { tex: 'W_1', text: 'W1' }, row),
    formula: (s) => ({
      tex: `\\sum_{i=0}^{n-2} \\left|F_P(${s}) - F_Q(${s})\\right|,\\quad F_P(${s}) = \\sum_{j \\le i} p_{${s === 'i' ? 'j' : 'r,j'}}`,
      text: `Σ_{i=0}^{n−2} |F_P(${s}) − F_Q(${s})|, F_P(${s}) = Σ_{j≤i} p_${s === 'i' ? 'j' : 'r,j'}`,
    }),
    convention: 'outcomes at positions 0, 1, …, n − 1',
    termCount: Math.max(0, n - 1),
    ...(fp && fq
      ? {
          piece: (i: number) => ({
            tex: `\\left|${texFactor(fp[i]!, ctx.digits)} - ${texFactor(fq[i]!, ctx.digits)}\\right|`,
            text: `|${textFactor(fp[i]!, ctx.digits)} − ${textFactor(fq[i]!, ctx.digits)}|`,
          }),
        }
      : {}),
  });
  if (fp && fq && n <= ctx.maxTerms) {
    const a = texVector(fp, ctx.digits, ctx.maxTerms);
    const b = texVector(fq, ctx.digits, ctx.maxTerms);
    // The CDFs go right after the definition.
    steps.splice(1, 0, equation('CDFs', `F_P = ${a.tex},\\quad F_Q = ${b.tex}`, `F_P = ${a.text}, F_Q = ${b.text}`));
  }
  return steps;
}
