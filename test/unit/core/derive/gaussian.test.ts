import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inOrder, step, stepsOf, tex, texHas, textHas, titles, txt } from './util';

/** Univariate KL(N(m1, v1) ‖ N(m2, v2)) by the formula. */
const kl1 = (m1: number, v1: number, m2: number, v2: number): number => 0.5 * (v1 / v2 + (m2 - m1) ** 2 / v2 - 1 + Math.log(v2 / v1));

describe('derive: Gaussian KL', () => {
  it('univariate: the closed form with the numbers put in, then the reverse', () => {
    const steps = stepsOf('KL(N(0, 1) || N(1, 2))');
    inOrder(steps, ['Parameters', 'Closed form', 'Substitution', 'Reverse direction', 'Asymmetry']);
    texHas(step(steps, 'Parameters'), '\\mu_1 = 0', '\\Sigma_1 = 1', '\\mu_2 = 1', '\\Sigma_2 = 2');
    texHas(step(steps, 'Closed form'), '\\frac{\\sigma_1^2}{\\sigma_2^2}');
    texHas(step(steps, 'Substitution'), '\\tfrac{1}{2}\\left[\\frac{1}{2} + \\frac{(1 - 0)^2}{2} - 1 + \\ln\\frac{2}{1}\\right]', `= ${tex(kl1(0, 1, 1, 2))}\\ \\text{nats}`);
    texHas(step(steps, 'Reverse direction'), tex(kl1(1, 2, 0, 1)));
    textHas(step(steps, 'Asymmetry'), `KL(Q‖P) = ${txt(kl1(1, 2, 0, 1))} nats is larger`, 'mode-covering', 'mode-seeking', 'Q is the wider one');
  });

  it('full covariance: trace, Mahalanobis and log-det ratio, then ½(trace + mahal − k + logdet)', () => {
    // Σ₁ = [[1, .5], [.5, 1]], Σ₂ = 2I, μ₂ − μ₁ = (1, 0).
    const trace = (1 + 1) / 2;
    const mahal = 1 / 2;
    const logdet = Math.log(4) - Math.log(0.75);
    const nats = 0.5 * (trace + mahal - 2 + logdet);
    const steps = stepsOf('KL(N([0, 0], [[1, 0.5], [0.5, 1]]) || N([1, 0], [[2, 0], [0, 2]]), base=2)');
    inOrder(steps, ['Parameters', 'Closed form', 'Parts', 'Substitution', 'Unit conversion', 'Reverse parts', 'Reverse direction', 'Asymmetry']);
    texHas(step(steps, 'Parameters'), '\\Sigma_1 = \\begin{bmatrix} 1 & 0.5 \\\\ 0.5 & 1 \\end{bmatrix}', '\\mu_2 = \\begin{bmatrix} 1 & 0 \\end{bmatrix}^\\top');
    texHas(step(steps, 'Closed form'), '\\operatorname{tr}(\\Sigma_2^{-1}\\Sigma_1)', '(\\mu_2 - \\mu_1)^\\top \\Sigma_2^{-1} (\\mu_2 - \\mu_1)', '\\ln\\frac{\\det\\Sigma_2}{\\det\\Sigma_1}');
    texHas(step(steps, 'Parts'), `= ${tex(trace)},`, `= ${tex(mahal)},`, `= ${tex(logdet)},`, 'k = 2');
    texHas(step(steps, 'Substitution'), `\\tfrac{1}{2}\\left(${tex(trace)} + ${tex(mahal)} - 2 + ${tex(logdet)}\\right) = ${tex(nats)}`);
    texHas(step(steps, 'Unit conversion'), `= ${tex(nats / Math.LN2)}\\ \\text{bits}`);
    // Reverse: Σ₁⁻¹ = (4/3)[[1, −.5], [−.5, 1]].
    const rTrace = 2 * (4 / 3) * 2;
    const rMahal = 4 / 3;
    const rNats = 0.5 * (rTrace + rMahal - 2 - logdet);
    texHas(step(steps, 'Reverse parts'), tex(rTrace), tex(rMahal), tex(-logdet));
    texHas(step(steps, 'Reverse direction'), `- 2 - ${tex(logdet)}\\right) = ${tex(rNats)}\\ \\text{nats} = ${tex(rNats / Math.LN2)}\\ \\text{bits}`);
  });

  it('diagonal: per-dimension terms that add up to the total', () => {
    const d = [kl1(0, 1, 0, 1), kl1(1, 2, 0, 1), kl1(2, 3, 0, 1)];
    const steps = stepsOf('KL(N([0, 1, 2], [1, 2, 3]) || N(0, 1), reduction="none")');
    texHas(step(steps, 'Parameters'), '\\Sigma_1 = \\operatorname{diag}\\left(1,\\ 2,\\ 3\\right)');
    texHas(step(steps, 'Per dimension'), `= 0 + ${tex(d[1]!)} + ${tex(d[2]!)}`);
    texHas(step(steps, 'Reduction (none)'), `\\left(0,\\ ${tex(d[1]!)},\\ ${tex(d[2]!)}\\right)`);
    const mean = stepsOf('KL(N([0, 1, 2], [1, 2, 3]) || N(0, 1), reduction="mean")');
    const total = d[0]! + d[1]! + d[2]!;
    texHas(step(mean, 'Reduction (mean)'), `\\frac{${tex(total)}}{3} = ${tex(total / 3)}`);
  });

  it('Normal(loc, scale): the note that σ² = scale²', () => {
    const steps = stepsOf('KL(Normal(0, 1) || Normal(1, 2))');
    const n = step(steps, 'Normal(loc, scale)');
    assert.equal(n.kind, 'note');
    textHas(n, 'σ² = scale²', 'scale 2 is variance 4');
    texHas(step(steps, 'Substitution'), '\\frac{1}{4}', `= ${tex(kl1(0, 1, 1, 4))}`);
    assert.ok(!titles(stepsOf('KL(N(0, 1) || N(1, 2))')).includes('Normal(loc, scale)'));
  });

  it('many dimensions: summaries of μ and Σ, and the largest per-dimension terms', () => {
    const steps = stepsOf('KL(N([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) || N(0, 1))');
    textHas(step(steps, 'Parameters'), 'μ1 = 10 entries from 0 to 9', 'diagonal, 10 variances from 1 to 10', 'μ2 = 10 entries, every one 0');
    const terms = Array.from({ length: 10 }, (_, j) => kl1(j, j + 1, 0, 1));
    texHas(step(steps, 'Per dimension'), `\\underbrace{${tex(terms[9]!)}}_{9}`, '2\\ \\text{more terms}');
    textHas(step(steps, 'Per dimension'), `(Σ = ${txt(terms[0]! + terms[1]!)})`);
    textHas(step(stepsOf('KL(N([0, 0, 0, 0, 0, 0, 0], [[2, 0, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0, 0], [0, 0, 2, 0, 0, 0, 0], [0, 0, 0, 2, 0, 0, 0], [0, 0, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, 2, 0], [0, 0, 0, 0, 0, 0, 2]]) || N(0, 1))'), 'Parameters'), 'full 7×7, diagonal, every one 2');
  });
});

describe('derive: Gaussian entropy and Jeffreys', () => {
  it('H = ½[k(1 + ln 2π) + ln det Σ] with the numbers', () => {
    const steps = stepsOf('H(N([0, 0], [[1, 0.5], [0.5, 1]]), base=2)');
    const logdet = Math.log(0.75);
    const nats = 0.5 * (2 * (1 + Math.log(2 * Math.PI)) + logdet);
    texHas(step(steps, 'Closed form'), '\\tfrac{1}{2}\\left[k\\,(1 + \\ln 2\\pi) + \\ln\\det\\Sigma\\right]');
    texHas(step(steps, 'Substitution'), `2\\,(1 + \\ln 2\\pi) + \\left(${tex(logdet)}\\right)`, `= ${tex(nats)}\\ \\text{nats}`);
    texHas(step(steps, 'Unit conversion'), tex(nats / Math.LN2));
  });

  it('negative differential entropy is explained', () => {
    const steps = stepsOf('H(N(0, 0.01))');
    texHas(step(steps, 'Substitution'), tex(0.5 * (1 + Math.log(2 * Math.PI) + Math.log(0.01))));
    textHas(step(steps, 'Negative entropy'), 'can be negative');
    assert.ok(!titles(stepsOf('H(N(0, 1))')).includes('Negative entropy'));
  });

  it('diagonal entropy per dimension', () => {
    const h = (v: number): number => 0.5 * (1 + Math.log(2 * Math.PI)) + 0.5 * Math.log(v);
    const steps = stepsOf('H(Normal([0, 0, 0], [1, 2, 3]), reduction="none")');
    texHas(step(steps, 'Per dimension'), `${tex(h(1))} + ${tex(h(4))} + ${tex(h(9))}`);
  });

  it('Jeffreys: forward and reverse closed forms and their sum', () => {
    const f = kl1(0, 1, 1, 2);
    const b = kl1(1, 2, 0, 1);
    const steps = stepsOf('Jeffreys(N(0, 1), N(1, 2))');
    inOrder(steps, ['Parameters', 'Definition', 'Forward parts', 'Forward direction', 'Reverse parts', 'Reverse direction', 'Total']);
    texHas(step(steps, 'Forward direction'), `= ${tex(f)}\\ \\text{nats}`);
    texHas(step(steps, 'Reverse direction'), `= ${tex(b)}\\ \\text{nats}`);
    texHas(step(steps, 'Total'), `${tex(f)} + ${tex(b)} = ${tex(f + b)}`);
  });
});
