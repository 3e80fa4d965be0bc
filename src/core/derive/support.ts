/**
 * Shared wording for discrete measures: operand names in TeX, the value of an element, and the
 * warning for an infinite divergence with what to do about it.
 */
import type { DiscreteResult, Operand, SupportViolation } from '../result';
import type { Unit } from '../units';
import { type Ctx, describeIndices, warning } from './common';
import type { Step } from './step';
import { type Both, texFactor, texName, textFactor } from './tex';

/** An operand's name, with the row subscript when the input has rows: `P`, `P_r`. */
export function operandName(o: Operand | undefined, fallback: string, row: boolean): Both {
  const role = o?.role ?? fallback;
  const tex = texName(role);
  return row ? { tex: `${tex}_r`, text: `${role}_r` } : { tex, text: role };
}

/** D_KL(P‖Q) with the result's operand names. */
export function klName(a: Both, b: Both): Both {
  return { tex: `D_{\\mathrm{KL}}(${a.tex}\\|${b.tex})`, text: `KL(${a.text}‖${b.text})` };
}

/** The value of element `i` of operand `k`, as a factor in TeX and text. */
export function element(ctx: Ctx, r: DiscreteResult, k: number, i: number): Both {
  const x = r.operands[k]?.tensor?.data[i] ?? NaN;
  return { tex: texFactor(x, ctx.digits), text: textFactor(x, ctx.digits) };
}

/** Flat offset of a multi-index in a tensor of `shape`. */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  let offset = 0;
  for (let axis = 0; axis < shape.length; axis++) offset = offset * shape[axis]! + (index[axis] ?? 0);
  return offset;
}

/** JS's upper bound in the result's unit: ln 2 nats, 1 bit, log_b 2 otherwise. */
export function ln2Bound(ctx: Ctx, unit: Unit | null): Both {
  if (!unit || unit.base === Math.E) return { tex: `\\ln 2 = ${ctx.num(Math.LN2).tex}`, text: `ln 2 = ${ctx.num(Math.LN2).text}` };
  if (unit.base === 2) return { tex: '1', text: '1 bit' };
  const v = ctx.num(Math.LN2 / Math.log(unit.base));
  return { tex: `\\log_{${ctx.num(unit.base).tex}} 2 = ${v.tex}`, text: `log_${ctx.num(unit.base).text} 2 = ${v.text}` };
}

/**
 * The warning for q = 0 < p: where, with the values of the first few, and what to do instead —
 * never a clipped number.
 */
export function infiniteWarning(
  ctx: Ctx,
  r: DiscreteResult,
  v: SupportViolation,
  o: { readonly quantity: string; readonly where: string; readonly smooth: string; readonly js: boolean },
): Step {
  const shape = r.operands[0]?.shape ?? [];
  const values = v.indices.slice(0, 3).map((ix) => {
    const offset = ravel(ix, shape.length === 0 ? [1] : shape);
    const p = r.operands[0]?.tensor?.data[offset];
    const q = r.operands[1]?.tensor?.data[offset];
    return p === undefined || q === undefined ? '' : `(p, q) = (${ctx.num(p).text}, ${ctx.num(q).text}) at ${ix.length === 1 ? ix[0] : `[${ix.join(', ')}]`}`;
  });
  const shown = values.filter(Boolean);
  const detail = shown.length > 0 ? ` (${shown.join('; ')})` : '';
  const n = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const bound = ln2Bound(ctx, r.unit).text;
  const js = o.js ? `, or use JS(${r.operands[0]?.role ?? 'P'}, ${r.operands[1]?.role ?? 'Q'}), which stays finite (at most ${bound}${r.unit && r.unit.base !== 2 ? ` ${r.unit.name}` : ''}) on any supports` : '';
  return warning(
    'Infinite divergence',
    `${o.quantity} = ∞ because ${o.where} at ${v.count === 1 ? 'index' : 'indices'} ${describeIndices(v.indices, v.count)}${detail}. ` +
      `The value is reported as infinite, not clipped. Check the supports, smooth ${o.smooth} (mix it with the uniform distribution: (1 − ε)·${o.smooth} + ε/${n}, e.g. ε = 0.001)${js}.`,
  );
}
