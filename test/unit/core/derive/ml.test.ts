import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inOrder, klDef, step, stepsOf, tex, texHas, textHas, titles, txt } from './util';

const softmax = (xs: readonly number[], T: number): number[] => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp((x - m) / T));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const vaeTerm = (mu: number, logvar: number): number => 0.5 * (mu * mu + Math.exp(logvar) - 1 - logvar);

describe('derive: vae_kl', () => {
  it('both forms of the formula, then each dimension with μ and log σ²', () => {
    const terms = [vaeTerm(0.3, -0.2), vaeTerm(-0.1, 0.1)];
    const steps = stepsOf('vae_kl([0.3, -0.1], [-0.2, 0.1])');
    assert.deepEqual(titles(steps), ['Definition', 'Substitution', 'Terms', 'Total']);
    texHas(step(steps, 'Definition'), '-\\tfrac{1}{2} \\sum_{j} \\left(1 + \\log\\sigma_{j}^2 - \\mu_{j}^2 - \\sigma_{j}^2\\right)', '\\sum_{j} \\tfrac{1}{2}\\left(\\mu_{j}^2 + \\sigma_{j}^2 - 1 - \\log\\sigma_{j}^2\\right)');
    texHas(step(steps, 'Substitution'), '\\tfrac{1}{2}\\left(0.3^2 + e^{-0.2} - 1 - \\left(-0.2\\right)\\right)', '\\left(-0.1\\right)^2 + e^{0.1} - 1 - 0.1');
    texHas(step(steps, 'Terms'), `${tex(terms[0]!)} + ${tex(terms[1]!)}`);
    texHas(step(steps, 'Total'), tex(terms[0]! + terms[1]!));
  });

  it('batches: the formula once, a row summary and the batch mean', () => {
    const rows = [vaeTerm(0.3, -0.2) + vaeTerm(-0.1, 0.1), vaeTerm(1, 0) + vaeTerm(2, 0)];
    const steps = stepsOf('vae_kl([[0.3, -0.1], [1, 2]], [[-0.2, 0.1], [0, 0]], reduction="batchmean")');
    assert.deepEqual(titles(steps), ['Definition', 'Per-row values', 'Reduction (batchmean)']);
    textHas(step(steps, 'Per-row values'), `max ${txt(rows[1]!)} at row 1`);
    texHas(step(steps, 'Reduction (batchmean)'), `\\frac{${tex(rows[0]! + rows[1]!)}}{2} = ${tex((rows[0]! + rows[1]!) / 2)}`);
  });
});

describe('derive: distill', () => {
  it('softmaxes at temperature T, the row KL, the batch mean and T², each with numbers', () => {
    const pT = softmax([2, 1, 0.1], 4);
    const pS = softmax([1, 2, 0.5], 4);
    const kl = klDef(pT, pS);
    const steps = stepsOf('distill([[1.0, 2.0, 0.5]], [[2.0, 1.0, 0.1]], T=4)');
    assert.deepEqual(titles(steps), ['Softened distributions', 'KL per row', 'Reduction (batchmean)', 'Temperature factor', 'Why T²']);
    const soft = step(steps, 'Softened distributions');
    texHas(soft, 'p_T = \\operatorname{softmax}(t / T)', 'T = 4', `= \\left(${pT.map((x) => tex(x)).join(',\\ ')}\\right)`, `= \\left(${pS.map((x) => tex(x)).join(',\\ ')}\\right)`);
    texHas(step(steps, 'KL per row'), `${tex(pT[0]!)} \\ln\\frac{${tex(pT[0]!)}}{${tex(pS[0]!)}}`, `= ${tex(kl)}\\ \\text{nats}`);
    texHas(step(steps, 'Reduction (batchmean)'), `\\frac{${tex(kl)}}{1} = ${tex(kl)}`);
    texHas(step(steps, 'Temperature factor'), `T^2 \\cdot ${tex(kl)} = 16 \\cdot ${tex(kl)} = ${tex(16 * kl)}`);
    const why = step(steps, 'Why T²');
    assert.equal(why.kind, 'note');
    textHas(why, 'gradient', 'Hinton', '2015');
  });

  it('1-D logits: batchmean divides by the length, as PyTorch does, and says so', () => {
    const kl = klDef(softmax([2, 1, 0.1], 2), softmax([1, 2, 0.5], 2));
    const steps = stepsOf('distill([1.0, 2.0, 0.5], [2.0, 1.0, 0.1], T=2, base=2)');
    texHas(step(steps, 'KL per row'), '\\frac{1}{\\ln 2}', tex(kl / Math.LN2));
    texHas(step(steps, 'Reduction (batchmean)'), `\\frac{${tex(kl / Math.LN2)}}{3}`);
    textHas(step(steps, 'batchmean on one distribution'), 'length 3');
    texHas(step(steps, 'Temperature factor'), `= ${tex((4 * kl) / Math.LN2 / 3)}\\ \\text{bits}`);
    assert.ok(!steps.some((s) => s.kind === 'warning'));
  });

  it('batches: per-row summary, mean reduction with the PyTorch note, or none', () => {
    const rows = [klDef(softmax([2, 1, 0.1], 4), softmax([1, 2, 0.5], 4)), klDef(softmax([1, 2, 3], 4), softmax([0, 0, 0], 4))];
    const steps = stepsOf('distill([[1.0, 2.0, 0.5], [0, 0, 0]], [[2.0, 1.0, 0.1], [1, 2, 3]], T=4, reduction="mean")');
    inOrder(steps, ['Softened distributions', 'KL per row', 'Per-row values', 'Reduction (mean)', 'mean is not PyTorch\'s "mean"', 'Temperature factor', 'Why T²']);
    texHas(step(steps, 'Softened distributions'), 'p_T^{(1)}', 'p_S^{(0)}');
    texHas(step(steps, 'Temperature factor'), tex((16 * (rows[0]! + rows[1]!)) / 2));
    const none = stepsOf('distill([[1.0, 2.0, 0.5], [0, 0, 0]], [[2.0, 1.0, 0.1], [1, 2, 3]], T=3, reduction="none")');
    textHas(step(none, 'Temperature factor'), 'T² · D_b = 9 · D_b per row');
  });

  it("softmax'd inputs: the warning that distill takes logits closes the derivation", () => {
    const steps = stepsOf('distill(softmax([[1.0, 2.0, 0.5]]), softmax([[2.0, 1.0, 0.1]]), T=4)');
    const last = steps.at(-1)!;
    assert.equal(last.kind, 'warning');
    textHas(last, 'student and teacher rows are already distributions', 'distill takes logits');
  });

  it('many rows: probabilities are not listed', () => {
    const steps = stepsOf('distill([[1, 2, 3], [3, 2, 1], [0, 0, 0], [1, 1, 1], [5, 5, 5]], [[2, 1, 0], [0, 1, 2], [1, 0, 0], [0, 0, 0], [0, 5, 0]], T=2)');
    assert.ok(!step(steps, 'Softened distributions').tex.includes('p_T^{(0)}'));
    textHas(step(steps, 'Per-row values'), '5 rows');
  });
});

describe('derive: KL estimators', () => {
  const LP = [-1.2, -0.7, -2.3];
  const LQ = [-1.0, -0.9, -2.0];

  it('k1: the formula, each sample, the Monte-Carlo mean, unbiased but possibly negative', () => {
    const k = LP.map((p, i) => p - LQ[i]!);
    const mean = (k[0]! + k[1]! + k[2]!) / 3;
    const steps = stepsOf('k1([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0])');
    assert.deepEqual(titles(steps), ['Estimator', 'Samples', 'Monte-Carlo estimate', 'Properties']);
    texHas(step(steps, 'Estimator'), 'k_1 = \\log p(x) - \\log q(x)');
    texHas(step(steps, 'Samples'), `k_1(x_{0}) = \\left(-1.2\\right) - \\left(-1\\right) = ${tex(k[0]!)}`);
    texHas(step(steps, 'Monte-Carlo estimate'), `= ${tex(mean)}\\ \\text{nats}`, 'N = 3');
    textHas(step(steps, 'Properties'), 'unbiased', 'negative', 'Here 2 of 3 samples are negative');
  });

  it('k3 in kl_penalty: β, ρ = π_ref/π, the scaled samples, unbiased and ≥ 0', () => {
    const k3 = LP.map((p, i) => Math.exp(LQ[i]! - p) - 1 - (LQ[i]! - p));
    const steps = stepsOf('kl_penalty([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], beta=0.1, estimator="k3")');
    texHas(step(steps, 'Estimator'), 'k_3 = \\rho - 1 - \\log\\rho', '\\pi_{\\mathrm{ref}}', '\\beta = 0.1');
    texHas(step(steps, 'Samples'), `e^{0.2} - 1 - 0.2 = ${tex(k3[0]!)}`);
    texHas(step(steps, 'Scaled samples'), `\\beta k_3 = \\left(${k3.map((x) => tex(0.1 * x)).join(',\\ ')}\\right)`);
    texHas(step(steps, 'Monte-Carlo estimate'), `\\beta\\, \\hat{D}_{\\mathrm{KL}}`, tex((0.1 * (k3[0]! + k3[1]! + k3[2]!)) / 3));
    textHas(step(steps, 'Properties'), 'unbiased and never negative', 'reward');
  });

  it('probabilities where log-probabilities belong: a warning step names the argument', () => {
    const steps = stepsOf('k3([0.3, 0.5, 0.1], [-1.0, -0.9, -2.0])');
    const warnings = steps.filter((s) => s.kind === 'warning');
    assert.equal(warnings.length, 1);
    textHas(warnings[0]!, 'logp looks like probabilities', 'log([0.3, 0.5, 0.1])');
    assert.ok(!stepsOf('k3([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0])').some((s) => s.kind === 'warning'));
  });

  it('k2 on a 2-D batch in bits, with reductions', () => {
    const steps = stepsOf('k2([[-1.2, -0.7], [-2.3, -1]], [[-1.0, -0.9], [-2.0, -1]], base=2)');
    texHas(step(steps, 'Samples'), `\\tfrac{1}{2}\\left(\\left(-2.3\\right) - \\left(-2\\right)\\right)^2 = ${tex(0.045)}`);
    texHas(step(steps, 'Scaled samples'), tex(0.045 / Math.LN2));
    textHas(step(steps, 'Properties'), 'biased');
    const sum = stepsOf('k2([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], reduction="sum")');
    texHas(step(sum, 'Reduction (sum)'), `= ${tex(0.02 + 0.02 + 0.045)}`);
  });

  it('many samples: a summary instead of lines', () => {
    const steps = stepsOf('k3([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10], -5)');
    const k = Array.from({ length: 10 }, (_, i) => Math.exp(-5 + (i + 1)) - 1 - (-5 + (i + 1)));
    textHas(step(steps, 'Samples'), '10 samples', `max ${txt(Math.max(...k))} at sample 9`);
  });
});
