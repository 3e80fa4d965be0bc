/**
 * Gaussian closed forms with the user's numbers: the parameters, KL's three parts (trace,
 * Mahalanobis, log-det ratio) or its per-dimension terms, the reverse direction, the entropy
 * ½[k(1 + ln 2π) + ln det Σ], and Jeffreys as the sum of both directions.
 */
import type { Gaussian } from '../gaussian/gaussian';
import type { GaussianParts, GaussianResult } from '../result';
import type { Tensor } from '../tensor';
import { NATS } from '../units';
import { type Ctx, equation, expandSum, leftoverWarnings, note, selectTerms, toNats, unitConversion } from './common';
import type { Step } from './step';
import { type Both, texFactor, textFactor, texMatrix, texVector } from './tex';

/** Largest covariance written out as a matrix; bigger ones are summarized. */
const MATRIX_LIMIT = 6;

/** The derivation of a GaussianResult. */
export function deriveGaussian(r: GaussianResult, ctx: Ctx): Step[] {
  const steps: Step[] = [];
  steps.push(parameters(ctx, r.p, r.q));
  const scale = parameterisation(ctx, r.p, r.q);
  if (scale) steps.push(scale);
  switch (r.measure) {
    case 'KL':
      steps.push(...klSteps(r, ctx));
      break;
    case 'H':
      steps.push(...entropySteps(r, ctx));
      break;
    case 'Jeffreys':
      steps.push(...jeffreysSteps(r, ctx));
      break;
  }
  return [...steps, ...leftoverWarnings(r.warnings, new Set())];
}

function dim(g: Gaussian): number {
  return g.mean.length;
}

/** μ as a small row vector (transposed), or a summary. */
function meanTex(ctx: Ctx, g: Gaussian): Both {
  const k = dim(g);
  if (k === 1) return ctx.num(g.mean[0]!);
  if (k <= ctx.maxTerms) {
    const m = texMatrix(g.mean, 1, k, ctx.digits);
    return { tex: `${m.tex}^\\top`, text: m.text.slice(1, -1) };
  }
  return rangeSummary(ctx, g.mean, `\\mathbb{R}^{${k}}`, `${k} entries`);
}

/** Σ as a matrix, a diag(...) or a summary. */
function covarianceTex(ctx: Ctx, g: Gaussian): Both {
  const k = dim(g);
  const c = g.covariance;
  if (c.kind === 'diagonal') {
    if (k === 1) return ctx.num(c.variance[0]!);
    if (k <= ctx.maxTerms) {
      const v = texVector(c.variance, ctx.digits, ctx.maxTerms);
      return { tex: `\\operatorname{diag}${v.tex}`, text: `diag${v.text}` };
    }
    return rangeSummary(ctx, c.variance, `\\operatorname{diag}`, `diagonal, ${k} variances`);
  }
  if (k <= Math.min(MATRIX_LIMIT, ctx.maxTerms)) return texMatrix(c.matrix, k, k, ctx.digits);
  const diagonal = Float64Array.from({ length: k }, (_, i) => c.matrix[i * k + i]!);
  return rangeSummary(ctx, diagonal, `\\mathbb{R}^{${k} \\times ${k}}`, `full ${k}×${k}, diagonal`);
}

function rangeSummary(ctx: Ctx, values: Float64Array, space: string, what: string): Both {
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const a = ctx.num(min);
  const b = ctx.num(max);
  if (min === max) return { tex: `${space}\\ \\text{(every entry } ${a.tex}\\text{)}`, text: `${what}, every one ${a.text}` };
  return { tex: `${space}\\ \\text{(entries from } ${a.tex} \\text{ to } ${b.tex}\\text{)}`, text: `${what} from ${a.text} to ${b.text}` };
}

function parameters(ctx: Ctx, p: Gaussian, q: Gaussian | undefined): Step {
  const list = q ? [p, q] : [p];
  const tex = list.map((g, i) => {
    const s = q ? `_${i + 1}` : '';
    const name = i === 0 ? 'P' : 'Q';
    return `${name} = \\mathcal{N}(\\mu${s}, \\Sigma${s}),\\ \\mu${s} = ${meanTex(ctx, g).tex},\\ \\Sigma${s} = ${covarianceTex(ctx, g).tex}`;
  });
  const text = list.map((g, i) => {
    const s = q ? `${i + 1}` : '';
    return `${i === 0 ? 'P' : 'Q'} = ${g.text}: μ${s} = ${meanTex(ctx, g).text}, Σ${s} = ${covarianceTex(ctx, g).text}`;
  });
  const k = dim(p);
  return equation('Parameters', `${tex.join(',\\quad ')}\\quad (k = ${k})`, `${text.join('; ')} (k = ${k} dimension${k === 1 ? '' : 's'})`);
}

/** Normal(loc, scale) takes standard deviations: the note shows σ² = scale² with a number. */
function parameterisation(ctx: Ctx, p: Gaussian, q: Gaussian | undefined): Step | undefined {
  const scaled = [p, ...(q ? [q] : [])].filter((g) => g.parameterization === 'scale');
  if (scaled.length === 0) return undefined;
  // Show an entry whose scale is not 1, where σ² = scale² is visible.
  const variances = scaled.flatMap((g) => (g.covariance.kind === 'diagonal' ? Array.from(g.covariance.variance) : []));
  if (variances.length === 0) return undefined;
  const variance = variances.find((v) => v !== 1) ?? variances[0]!;
  const s = ctx.num(Math.sqrt(variance));
  const v = ctx.num(variance);
  return note(
    'Normal(loc, scale)',
    `Normal(loc, scale) is parameterised by the standard deviation, as in PyTorch: σ² = scale², so scale ${s.text} is variance ${v.text}. N(mu, var) takes the variance itself.`,
  );
}

/** ½(tr + mahal − k + logdet) with numbers, in nats. */
function closedNumbers(ctx: Ctx, parts: GaussianParts): { both: Both; nats: number } {
  const t = ctx.num(parts.trace);
  const m = ctx.num(parts.mahalanobis);
  const l = parts.logDetRatio;
  const ld = ctx.num(Math.abs(l));
  const sign = l < 0 ? '-' : '+';
  const nats = 0.5 * (parts.trace + parts.mahalanobis - parts.dim + parts.logDetRatio);
  return {
    both: {
      tex: `\\tfrac{1}{2}\\left(${t.tex} + ${m.tex} - ${parts.dim} ${sign} ${ld.tex}\\right)`,
      text: `½(${t.text} + ${m.text} − ${parts.dim} ${sign === '-' ? '−' : '+'} ${ld.text})`,
    },
    nats,
  };
}

const KL_FORM = {
  tex: '\\tfrac{1}{2}\\left[\\operatorname{tr}(\\Sigma_2^{-1}\\Sigma_1) + (\\mu_2 - \\mu_1)^\\top \\Sigma_2^{-1} (\\mu_2 - \\mu_1) - k + \\ln\\frac{\\det\\Sigma_2}{\\det\\Sigma_1}\\right]',
  text: '½[tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀ Σ₂⁻¹ (μ₂ − μ₁) − k + ln(det Σ₂ / det Σ₁)]',
};

const UNIVARIATE_FORM = {
  tex: '\\tfrac{1}{2}\\left[\\frac{\\sigma_1^2}{\\sigma_2^2} + \\frac{(\\mu_2 - \\mu_1)^2}{\\sigma_2^2} - 1 + \\ln\\frac{\\sigma_2^2}{\\sigma_1^2}\\right]',
  text: '½[σ₁²/σ₂² + (μ₂ − μ₁)²/σ₂² − 1 + ln(σ₂²/σ₁²)]',
};

function klName(a: string, b: string): Both {
  return { tex: `D_{\\mathrm{KL}}(${a}\\|${b})`, text: `KL(${a}‖${b})` };
}

/** The three parts, each with its value. */
function partsStep(ctx: Ctx, parts: GaussianParts, title: string, swap = false): Step {
  const [a, b] = swap ? ['2', '1'] : ['1', '2'];
  const t = ctx.num(parts.trace);
  const m = ctx.num(parts.mahalanobis);
  const l = ctx.num(parts.logDetRatio);
  return equation(
    title,
    `\\operatorname{tr}(\\Sigma_${b}^{-1}\\Sigma_${a}) = ${t.tex},\\quad (\\mu_${b} - \\mu_${a})^\\top \\Sigma_${b}^{-1} (\\mu_${b} - \\mu_${a}) = ${m.tex},\\quad \\ln\\frac{\\det\\Sigma_${b}}{\\det\\Sigma_${a}} = ${l.tex},\\quad k = ${parts.dim}`,
    `trace tr(Σ${b}⁻¹Σ${a}) = ${t.text}, Mahalanobis (μ${b} − μ${a})ᵀΣ${b}⁻¹(μ${b} − μ${a}) = ${m.text}, log-det ratio ln(det Σ${b} / det Σ${a}) = ${l.text}, k = ${parts.dim}`,
  );
}

/** The univariate closed form with the numbers put in. */
function univariateNumbers(ctx: Ctx, p: Gaussian, q: Gaussian): Both {
  const v1 = p.covariance.kind === 'diagonal' ? p.covariance.variance[0]! : p.covariance.matrix[0]!;
  const v2 = q.covariance.kind === 'diagonal' ? q.covariance.variance[0]! : q.covariance.matrix[0]!;
  const [s1, s2, m1, m2] = [v1, v2, p.mean[0]!, q.mean[0]!].map((x) => ({ tex: texFactor(x, ctx.digits), text: textFactor(x, ctx.digits) })) as [Both, Both, Both, Both];
  return {
    tex: `\\tfrac{1}{2}\\left[\\frac{${s1.tex}}{${s2.tex}} + \\frac{(${m2.tex} - ${m1.tex})^2}{${s2.tex}} - 1 + \\ln\\frac{${s2.tex}}{${s1.tex}}\\right]`,
    text: `½[${s1.text}/${s2.text} + (${m2.text} − ${m1.text})²/${s2.text} − 1 + ln(${s2.text}/${s1.text})]`,
  };
}

/** Per-dimension terms of a diagonal KL (or entropy): all when few, else the largest. */
function perDimSteps(ctx: Ctx, lhs: Both, perDim: Tensor, unit: GaussianResult['unit'], term: Both): Step[] {
  const scale = toNats(unit);
  const selection = selectTerms(perDim.data, ctx.maxTerms);
  const sum = expandSum(lhs, selection, perDim.shape, (i) => ctx.num(perDim.data[i]! * scale), () => ctx.num(selection.rest * scale));
  return [equation('Per dimension', `${term.tex},\\qquad ${sum.tex}`, `${term.text}; ${sum.text}`)];
}

function klSteps(r: GaussianResult, ctx: Ctx): Step[] {
  const steps: Step[] = [];
  const q = r.q!;
  const p = r.p;
  const k = dim(p);
  const name = klName('P', 'Q');
  const diagonal = p.covariance.kind === 'diagonal' && q.covariance.kind === 'diagonal';
  const parts = r.parts;
  const unit = r.unit;
  const scale = toNats(unit);
  let nats = parts ? closedNumbers(ctx, parts).nats : r.rows.data[0]! * scale;
  if (k === 1 && diagonal) {
    const numbers = univariateNumbers(ctx, p, q);
    nats = r.perDim ? r.perDim.data[0]! * scale : nats;
    const v = ctx.val(nats, NATS);
    steps.push(equation('Closed form', `${name.tex} = ${UNIVARIATE_FORM.tex}`, `${name.text} = ${UNIVARIATE_FORM.text}`));
    steps.push(equation('Substitution', `${name.tex} = ${numbers.tex} = ${v.tex}`, `${name.text} = ${numbers.text} = ${v.text}`));
  } else {
    steps.push(equation('Closed form', `${name.tex} = ${KL_FORM.tex}`, `${name.text} = ${KL_FORM.text}`));
    if (parts) {
      steps.push(partsStep(ctx, parts, 'Parts'));
      const c = closedNumbers(ctx, parts);
      const v = ctx.val(c.nats, NATS);
      steps.push(equation('Substitution', `${name.tex} = ${c.both.tex} = ${v.tex}`, `${name.text} = ${c.both.text} = ${v.text}`));
    }
    if (diagonal && r.perDim) {
      steps.push(
        ...perDimSteps(ctx, name, r.perDim, unit, {
          tex: `d_j = \\tfrac{1}{2}\\left[\\frac{\\sigma_{1,j}^2}{\\sigma_{2,j}^2} + \\frac{(\\mu_{2,j} - \\mu_{1,j})^2}{\\sigma_{2,j}^2} - 1 + \\ln\\frac{\\sigma_{2,j}^2}{\\sigma_{1,j}^2}\\right]`,
          text: `diagonal covariances: one univariate KL per dimension, d_j = ½[σ₁ⱼ²/σ₂ⱼ² + (μ₂ⱼ − μ₁ⱼ)²/σ₂ⱼ² − 1 + ln(σ₂ⱼ²/σ₁ⱼ²)]`,
        }),
      );
    }
  }
  const joint = r.forward ? r.forward.total : r.rows.data[0]!;
  const conversion = unitConversion(ctx, name, nats, joint, unit);
  if (conversion) steps.push(conversion);
  steps.push(...reductionSteps(ctx, r, name, joint));
  if (r.reverse) {
    const back = klName('Q', 'P');
    // Joint against joint: the asymmetry is about the divergences, not about how they are reduced.
    const reverseValue = r.reverse.total;
    const v = ctx.val(reverseValue, unit);
    const c = closedNumbers(ctx, r.reverse.parts);
    steps.push(partsStep(ctx, r.reverse.parts, 'Reverse parts', true));
    const converted = unit && unit.base !== Math.E ? ` = ${ctx.val(c.nats, NATS).tex}` : '';
    steps.push(equation('Reverse direction', `${back.tex} = ${c.both.tex}${converted} = ${v.tex}`, `${back.text} = ${c.both.text} = ${v.text}`));
    steps.push(asymmetryNote(ctx, r, joint, reverseValue));
  }
  return steps;
}

/** What a reduction over dimensions does: "none" keeps them apart, "mean" divides by k. */
function reductionSteps(ctx: Ctx, r: GaussianResult, name: Both, joint: number): Step[] {
  const k = dim(r.p);
  if (r.reduction === 'none') {
    const v = texVector(r.value.data, ctx.digits, ctx.maxTerms);
    return [
      equation(
        'Reduction (none)',
        `\\left(d_1, \\ldots, d_{${k}}\\right) = ${v.tex}`,
        `reduction="none": one value per dimension, as torch.distributions' Normal batch semantics give: ${v.text}`,
      ),
    ];
  }
  if (r.reduction === 'mean') {
    const j = ctx.num(joint);
    const v = ctx.val(r.value.data[0]!, r.unit);
    return [equation('Reduction (mean)', `\\frac{1}{k}\\, ${name.tex} = \\frac{${j.tex}}{${k}} = ${v.tex}`, `${name.text} / k = ${j.text} / ${k} = ${v.text} (mean over dimensions)`)];
  }
  return [];
}

function asymmetryNote(ctx: Ctx, r: GaussianResult, forward: number, reverse: number): Step {
  const unit = r.unit ? ` ${r.unit.name}` : '';
  const f = `KL(P‖Q) = ${ctx.num(forward).text}${unit}`;
  const b = `KL(Q‖P) = ${ctx.num(reverse).text}${unit}`;
  const comparison = forward === reverse ? `The two directions agree here (${f}, ${b}).` : forward > reverse ? `${f} is larger than ${b}.` : `${b} is larger than ${f}.`;
  const v1 = varianceTotal(r.p);
  const v2 = r.q ? varianceTotal(r.q) : v1;
  const wider = v1 === v2 ? '' : ` Here ${v1 > v2 ? 'P' : 'Q'} is the wider one (total variance ${ctx.num(Math.max(v1, v2)).text} against ${ctx.num(Math.min(v1, v2)).text}).`;
  return note(
    'Asymmetry',
    `${comparison} Forward KL(P‖Q) is mode-covering: Q is penalised wherever P has mass Q does not cover, so fitting Q by it favours a wide Q. Reverse KL(Q‖P) is mode-seeking: Q is penalised for mass where P has little, so it favours a narrow Q on one mode.${wider}`,
  );
}

function varianceTotal(g: Gaussian): number {
  const k = dim(g);
  let s = 0;
  for (let i = 0; i < k; i++) s += g.covariance.kind === 'diagonal' ? g.covariance.variance[i]! : g.covariance.matrix[i * k + i]!;
  return s;
}

function entropySteps(r: GaussianResult, ctx: Ctx): Step[] {
  const steps: Step[] = [];
  const name = { tex: 'H(P)', text: 'H(P)' };
  if (!r.entropy) return [];
  const { dim: k, logDet: ld } = r.entropy;
  const nats = 0.5 * (k * (1 + Math.log(2 * Math.PI)) + ld);
  const l = ctx.num(ld);
  const v = ctx.val(nats, NATS);
  steps.push(
    equation(
      'Closed form',
      `${name.tex} = \\tfrac{1}{2}\\left[k\\,(1 + \\ln 2\\pi) + \\ln\\det\\Sigma\\right]`,
      `${name.text} = ½[k(1 + ln 2π) + ln det Σ] (differential entropy)`,
    ),
  );
  steps.push(
    equation(
      'Substitution',
      `${name.tex} = \\tfrac{1}{2}\\left[${k}\\,(1 + \\ln 2\\pi) + ${texFactor(ld, ctx.digits)}\\right] = ${v.tex}`,
      `${name.text} = ½[${k}(1 + ln 2π) + ${l.text}] = ${v.text}, with ln det Σ = ${l.text}`,
    ),
  );
  if (r.perDim && k > 1) {
    steps.push(
      ...perDimSteps(ctx, name, r.perDim, r.unit, {
        tex: `h_j = \\tfrac{1}{2}(1 + \\ln 2\\pi) + \\tfrac{1}{2}\\ln\\sigma_j^2`,
        text: 'diagonal covariance: h_j = ½(1 + ln 2π) + ½ ln σⱼ² per dimension',
      }),
    );
  }
  const joint = r.entropy.total;
  const conversion = unitConversion(ctx, name, nats, joint, r.unit);
  if (conversion) steps.push(conversion);
  steps.push(...reductionSteps(ctx, r, name, joint));
  if (nats < 0) {
    steps.push(note('Negative entropy', `Differential entropy can be negative: here det Σ = exp(${ctx.num(ld).text}) is small, so the density is concentrated (it exceeds 1 near the mean).`));
  }
  return steps;
}

function jeffreysSteps(r: GaussianResult, ctx: Ctx): Step[] {
  const steps: Step[] = [];
  const unit = r.unit;
  const name = { tex: 'J(P, Q)', text: 'J(P, Q)' };
  const f = klName('P', 'Q');
  const b = klName('Q', 'P');
  steps.push(equation('Definition', `${name.tex} = ${f.tex} + ${b.tex}`, `${name.text} = ${f.text} + ${b.text}, each in closed form ${KL_FORM.text}`));
  if (!r.forward || !r.reverse) return steps;
  const scale = toNats(unit);
  for (const [d, lhs, title, swap] of [
    [r.forward, f, 'Forward', false],
    [r.reverse, b, 'Reverse', true],
  ] as const) {
    const c = closedNumbers(ctx, d.parts);
    steps.push(partsStep(ctx, d.parts, `${title} parts`, swap));
    steps.push(equation(`${title} direction`, `${lhs.tex} = ${c.both.tex} = ${ctx.val(c.nats, NATS).tex}`, `${lhs.text} = ${c.both.text} = ${ctx.val(c.nats, NATS).text}`));
  }
  const a = ctx.num(r.forward.total * scale);
  const c = ctx.num(r.reverse.total * scale);
  const joint = r.forward.total + r.reverse.total;
  const nats = joint * scale;
  steps.push(equation('Total', `${name.tex} = ${a.tex} + ${c.tex} = ${ctx.val(nats, NATS).tex}`, `${name.text} = ${a.text} + ${c.text} = ${ctx.val(nats, NATS).text}`));
  const conversion = unitConversion(ctx, name, nats, joint, unit);
  if (conversion) steps.push(conversion);
  steps.push(...reductionSteps(ctx, r, name, joint));
  return steps;
}
