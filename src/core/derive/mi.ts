/**
 * Mutual information of a joint table: the marginals r and c, then I = KL(J ‖ r ⊗ c) cell by cell.
 */
import type { DiscreteResult } from '../result';
import { type Ctx, equation, inMemory } from './common';
import { sumSteps } from './frame';
import type { Step } from './step';
import { operandName } from './support';
import { texFactor, textFactor, texVector } from './tex';

/** The derivation of I(X; Y) from a joint table J. */
export function deriveMi(r: DiscreteResult, ctx: Ctx): Step[] {
  const [J] = r.operands;
  const j = operandName(J, 'J', false);
  const marginals = r.marginals;
  const cols = marginals?.cols.data.length ?? 1;
  const cell = (i: number): { a: number; b: number } => ({ a: Math.floor(i / cols), b: i % cols });
  const steps = sumSteps(r, ctx, {
    name: () => ({ tex: `I(X; Y)`, text: `I(X; Y)` }),
    formula: () => ({
      tex: `D_{\\mathrm{KL}}(${j.tex} \\| r \\otimes c) = \\sum_{a,b} ${j.tex}_{ab} \\log\\frac{${j.tex}_{ab}}{r_a c_b}`,
      text: `KL(${j.text} ‖ r ⊗ c) = Σ_{a,b} ${j.text}_ab log(${j.text}_ab / (r_a c_b))`,
    }),
    convention: 'r and c are the row and column sums of the table; 0·log 0 = 0',
    ...(marginals && inMemory(J)
      ? {
          piece: (i: number) => {
            const { a, b } = cell(i);
            const x = J.tensor.data[i]!;
            const ra = marginals.rows.data[a]!;
            const cb = marginals.cols.data[b]!;
            return {
              tex: `${texFactor(x, ctx.digits)} \\ln\\frac{${texFactor(x, ctx.digits)}}{${texFactor(ra, ctx.digits)} \\cdot ${texFactor(cb, ctx.digits)}}`,
              text: `${textFactor(x, ctx.digits)}·ln(${textFactor(x, ctx.digits)}/(${textFactor(ra, ctx.digits)}·${textFactor(cb, ctx.digits)}))`,
            };
          },
        }
      : {}),
  });
  if (marginals) {
    const rows = marginals.rows.data;
    const colsData = marginals.cols.data;
    const rv = texVector(rows, ctx.digits, ctx.maxTerms);
    const cv = texVector(colsData, ctx.digits, ctx.maxTerms);
    steps.splice(
      1,
      0,
      equation(
        'Marginals',
        `r_a = \\sum_b ${j.tex}_{ab} = ${rv.tex},\\quad c_b = \\sum_a ${j.tex}_{ab} = ${cv.tex}`,
        `row sums r = ${rv.text} (${rows.length} rows), column sums c = ${cv.text} (${colsData.length} columns)`,
      ),
    );
  }
  return steps;
}
