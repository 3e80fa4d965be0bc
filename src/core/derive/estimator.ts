/**
 * The per-sample KL estimators k1, k2, k3 (Schulman, "Approximating KL Divergence", 2020) and the
 * RLHF penalty β·k: the formula, the samples with their numbers, the Monte-Carlo mean, and what
 * each estimator guarantees.
 */
import type { Estimator, EstimatorResult } from '../result';
import { type Ctx, equation, leftoverWarnings, note, reductionSteps, rowsStep, streamedSteps, toNats } from './common';
import type { Step } from './step';
import { type Both, texFactor, textFactor, texVector } from './tex';

const FORMULAS: Record<Estimator, (p: string, q: string) => Both> = {
  k1: (p, q) => ({ tex: `k_1 = \\log ${p}(x) - \\log ${q}(x)`, text: `k1 = log ${p}(x) − log ${q}(x)` }),
  k2: (p, q) => ({ tex: `k_2 = \\tfrac{1}{2}\\left(\\log ${p}(x) - \\log ${q}(x)\\right)^2`, text: `k2 = ½(log ${p}(x) − log ${q}(x))²` }),
  k3: (p, q) => ({
    tex: `k_3 = \\rho - 1 - \\log\\rho,\\quad \\rho = \\frac{${q}(x)}{${p}(x)} = e^{\\log ${q}(x) - \\log ${p}(x)}`,
    text: `k3 = ρ − 1 − log ρ, ρ = ${q}(x)/${p}(x) = exp(log ${q}(x) − log ${p}(x))`,
  }),
};

const PROPERTIES: Record<Estimator, string> = {
  k1: 'k1 is unbiased (its mean over samples x ~ p converges to KL(p‖q)) but has high variance, and single samples can be negative even though KL ≥ 0.',
  k2: 'k2 is biased but has low variance and is never negative; its expectation matches KL(p‖q) to second order when p and q are close.',
  k3: 'k3 is unbiased and never negative (ρ − 1 − log ρ ≥ 0 for every ρ > 0), with low variance when p and q are close — usually the best of the three.',
};

/** Samples written out one by one at most. */
const SHOWN_SAMPLES = 6;

/** The derivation of k1/k2/k3 and kl_penalty. */
export function deriveEstimator(r: EstimatorResult, ctx: Ctx): Step[] {
  const k = r.estimator;
  const [lp, lq] = r.operands;
  const q = lq?.role === 'logref' ? '\\pi_{\\mathrm{ref}}' : 'q';
  const qText = lq?.role === 'logref' ? 'π_ref' : 'q';
  const beta = r.beta;
  const unit = r.unit;
  const steps: Step[] = [...streamedSteps(r.operands)];
  const formula = FORMULAS[k](q === 'q' ? 'p' : '\\pi', q);
  const textFormula = FORMULAS[k](q === 'q' ? 'p' : 'π', qText);
  const penalty = beta !== undefined ? { tex: `,\\qquad \\text{penalty} = \\beta\\, k_${k.slice(1)},\\ \\beta = ${ctx.num(beta).tex}`, text: `; penalty = β·${k} with β = ${ctx.num(beta).text}` } : { tex: '', text: '' };
  steps.push(
    equation(
      'Estimator',
      `${formula.tex}${penalty.tex}`,
      `${textFormula.text}${penalty.text}, for samples x drawn from ${q === 'q' ? 'p' : 'the policy π'} (${lp?.role ?? 'logp'} = ${lp?.text ?? ''}, ${lq?.role ?? 'logq'} = ${lq?.text ?? ''})`,
    ),
  );

  const samples = r.samples;
  const n = samples.data.length;
  const scale = toNats(unit) / (beta ?? 1);
  const symbol: Both = beta !== undefined ? { tex: `\\beta k_${k.slice(1)}`, text: `β·${k}` } : { tex: `k_${k.slice(1)}`, text: k };
  const lpData = lp?.tensor?.data;
  const lqData = lq?.tensor?.data;
  if (lpData && lqData && n <= SHOWN_SAMPLES && n <= ctx.maxTerms) {
    const lines: string[] = [];
    const textLines: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = lpData[i]!;
      const b = lqData[i]!;
      const value = samples.data[i]! * scale;
      const piece = samplePiece(ctx, k, a, b);
      const at = n === 1 ? '' : `_{${i}}`;
      lines.push(`k_${k.slice(1)}(x${at}) = ${piece.tex} = ${ctx.num(value).tex}`);
      textLines.push(`${k}(x${n === 1 ? '' : `_${i}`}) = ${piece.text} = ${ctx.num(value).text}`);
    }
    steps.push(equation('Samples', `\\begin{gathered} ${lines.join(' \\\\ ')} \\end{gathered}`, `per sample (nats): ${textLines.join('; ')}`));
    if (beta !== undefined || scale !== 1) {
      const v = texVector(samples.data, ctx.digits, ctx.maxTerms);
      steps.push(equation('Scaled samples', `${symbol.tex} = ${v.tex}`, `${symbol.text} = ${v.text}${unit && unit.base !== Math.E ? ` (in ${unit.name})` : ''}`));
    }
  } else if (n > 1 || samples.shape.length > 0) {
    steps.push(rowsStep(ctx, 'Samples', symbol, samples, unit, 'sample'));
  }

  const mean = ctx.val(r.mean, unit);
  const estimate = beta !== undefined ? `\\beta\\, \\hat{D}_{\\mathrm{KL}}(\\pi\\|\\pi_{\\mathrm{ref}})` : `\\hat{D}_{\\mathrm{KL}}(p\\|q)`;
  steps.push(
    equation(
      'Monte-Carlo estimate',
      `${estimate} = \\frac{1}{N}\\sum_{i} ${symbol.tex}(x_i) = ${mean.tex},\\quad N = ${n}`,
      `the mean over N = ${n} samples, ${mean.text}, estimates ${beta !== undefined ? 'β·KL(π‖π_ref)' : 'KL(p‖q)'}${unit && unit.base !== Math.E ? ` (in ${unit.name}: nats divided by ln ${unit.base})` : ''}`,
    ),
  );
  if (samples.shape.length > 0) {
    steps.push(
      ...reductionSteps(ctx, {
        symbol,
        rowSymbol: beta !== undefined ? { tex: '\\beta k', text: 'β·k' } : { tex: 'k', text: 'k' },
        rows: samples,
        reduction: r.reduction,
        value: r.value.data.length === 1 ? r.value.data[0]! : NaN,
        unit,
        firstDim: samples.shape[0]!,
        noun: 'sample',
      }),
    );
  }
  let negatives = 0;
  for (const x of samples.data) if (x < 0) negatives++;
  const count = k === 'k1' && negatives > 0 ? ` Here ${negatives} of ${n} samples are negative.` : '';
  const shaping = beta !== undefined ? ' As an RLHF penalty it is subtracted from the reward token by token: r_t − β·k_t.' : '';
  steps.push(note('Properties', `${PROPERTIES[k]}${count}${shaping}`));
  return [...steps, ...leftoverWarnings(r.warnings, new Set())];
}

/** One sample's estimator with its log-probabilities put in, in nats. */
function samplePiece(ctx: Ctx, k: Estimator, logp: number, logq: number): Both {
  const a = { tex: texFactor(logp, ctx.digits), text: textFactor(logp, ctx.digits) };
  const b = { tex: texFactor(logq, ctx.digits), text: textFactor(logq, ctx.digits) };
  switch (k) {
    case 'k1':
      return { tex: `${a.tex} - ${b.tex}`, text: `${a.text} − ${b.text}` };
    case 'k2':
      return { tex: `\\tfrac{1}{2}\\left(${a.tex} - ${b.tex}\\right)^2`, text: `½(${a.text} − ${b.text})²` };
    case 'k3': {
      const d = logp === logq ? 0 : logq - logp;
      const e = { tex: texFactor(d, ctx.digits), text: textFactor(d, ctx.digits) };
      return { tex: `e^{${ctx.num(d).tex}} - 1 - ${e.tex}`, text: `e^${e.text} − 1 − ${e.text}` };
    }
  }
}
