import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inOrder, klDef, step, stepsOf, tex, texHas, textHas, titles, txt } from './util';

const P = [0.5, 0.3, 0.2];
const Q = [0.4, 0.4, 0.2];
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('derive: JS', () => {
  it('shows the mixture, both halves, the average and the ln 2 bound', () => {
    const M = P.map((p, i) => (p + Q[i]!) / 2);
    const a = klDef(P, M);
    const b = klDef(Q, M);
    const steps = stepsOf('JS([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])');
    assert.deepEqual(titles(steps), ['Definition', 'Mixture', 'First half', 'Second half', 'Total', 'Bound']);
    texHas(step(steps, 'Definition'), '\\tfrac{1}{2} D_{\\mathrm{KL}}(P\\|M) + \\tfrac{1}{2} D_{\\mathrm{KL}}(Q\\|M)', 'M = \\tfrac{1}{2}(P + Q)');
    texHas(step(steps, 'Mixture'), `\\left(${M.map((m) => tex(m)).join(',\\ ')}\\right)`);
    texHas(step(steps, 'First half'), `0.5 \\ln\\frac{0.5}{${tex(M[0]!)}}`, `= ${tex(a)}\\ \\text{nats}`);
    texHas(step(steps, 'Second half'), `0.4 \\ln\\frac{0.4}{${tex(M[0]!)}}`, `= ${tex(b)}\\ \\text{nats}`);
    texHas(step(steps, 'Total'), `\\tfrac{1}{2}(${tex(a)}) + \\tfrac{1}{2}(${tex(b)}) = ${tex((a + b) / 2)}`);
    texHas(step(steps, 'Bound'), `${tex((a + b) / 2)} \\le \\ln 2 = ${tex(Math.LN2)}`);
  });

  it('disjoint supports reach the bound: ln 2 nats, 1 bit', () => {
    texHas(step(stepsOf('JS([1, 0], [0, 1])'), 'Bound'), `${tex(Math.LN2)} \\le \\ln 2`);
    const bits = stepsOf('JS([1, 0], [0, 1], base=2)');
    texHas(step(bits, 'Bound'), '= 1 \\le 1');
    texHas(step(bits, 'First half'), '\\frac{1}{\\ln 2}');
    textHas(step(stepsOf('JS([1, 0], [0, 1], base=5)'), 'Bound'), `log_5 2 = ${txt(Math.LN2 / Math.log(5))}`);
  });

  it('per row: the halves averaged over rows, the largest row against the bound', () => {
    const steps = stepsOf('JS([[1, 0], [0.5, 0.5]], [[0, 1], [0.5, 0.5]], reduction="mean")');
    inOrder(steps, ['Definition', 'Per-row values', 'Halves (means over rows)', 'Reduction (mean)', 'Bound']);
    texHas(step(steps, 'Halves (means over rows)'), `\\tfrac{1}{2}(${tex(Math.LN2 / 2)}) + \\tfrac{1}{2}(${tex(Math.LN2 / 2)}) = ${tex(Math.LN2 / 2)}`);
    texHas(step(steps, 'Bound'), `\\max_r d_r = ${tex(Math.LN2)}`);
  });
});

describe('derive: entropy and cross-entropy', () => {
  it('H(P) = −Σ p log p with its terms and the ln n bound', () => {
    const terms = P.map((p) => -p * Math.log(p));
    const steps = stepsOf('H([0.5, 0.3, 0.2])');
    assert.deepEqual(titles(steps), ['Definition', 'Substitution', 'Terms', 'Total', 'Bound']);
    texHas(step(steps, 'Definition'), 'H(P) = -\\sum_{i} p_{i} \\log p_{i}');
    texHas(step(steps, 'Substitution'), '-0.5 \\ln 0.5 - 0.3 \\ln 0.3 - 0.2 \\ln 0.2');
    texHas(step(steps, 'Terms'), terms.map((t) => tex(t)).join(' + '));
    texHas(step(steps, 'Total'), tex(sum(terms)));
    texHas(step(steps, 'Bound'), `\\ln 3 = ${tex(Math.log(3))}`);
  });

  it('H in bits of a distribution with a zero', () => {
    const steps = stepsOf('H([0.5, 0.5, 0], base=2)');
    texHas(step(steps, 'Substitution'), '- 0 \\ln 0');
    texHas(step(steps, 'Unit conversion'), `\\frac{${tex(Math.LN2)}}{\\ln 2} = 1\\ \\text{bits}`);
    texHas(step(steps, 'Bound'), `\\log_{2} 3 = ${tex(Math.log2(3))}`);
  });

  it('cross-entropy with the identity H(P, Q) = H(P) + KL(P‖Q) in numbers', () => {
    const h = -sum(P.map((p) => p * Math.log(p)));
    const ce = -sum(P.map((p, i) => p * Math.log(Q[i]!)));
    const steps = stepsOf('CE([0.5, 0.3, 0.2], [0.4, 0.4, 0.2], base=2)');
    inOrder(steps, ['Definition', 'Substitution', 'Terms', 'Total', 'Unit conversion', 'Identity']);
    texHas(step(steps, 'Substitution'), '-0.5 \\ln 0.4');
    texHas(step(steps, 'Total'), tex(ce));
    texHas(step(steps, 'Identity'), `H(P, Q) = H(P) + D_{\\mathrm{KL}}(P\\|Q) = ${tex(h / Math.LN2)} + ${tex(klDef(P, Q) / Math.LN2)} = ${tex(ce / Math.LN2)}`);
    assert.deepEqual(titles(stepsOf('H([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])')), titles(stepsOf('CE([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])')));
  });

  it('infinite cross-entropy names the index and suggests smoothing', () => {
    const steps = stepsOf('CE([0.5, 0.5], [1, 0])');
    const w = step(steps, 'Infinite divergence');
    textHas(w, 'H(P, Q) = ∞', 'at index 1', 'smooth Q', 'supports');
    assert.ok(!steps.some((s) => s.title === 'Warning'));
  });

  it('per row: the identity over row means', () => {
    const steps = stepsOf('CE([[0.5, 0.5], [0.9, 0.1]], [[0.4, 0.6], [0.5, 0.5]])');
    const h = (-(0.5 * Math.log(0.5) * 2) - (0.9 * Math.log(0.9) + 0.1 * Math.log(0.1))) / 2;
    const kl = (klDef([0.5, 0.5], [0.4, 0.6]) + klDef([0.9, 0.1], [0.5, 0.5])) / 2;
    texHas(step(steps, 'Identity (means over rows)'), `${tex(h)} + ${tex(kl)} = ${tex(h + kl)}`);
  });
});

describe('derive: Jeffreys', () => {
  it('is both KL directions, term by term and as parts', () => {
    const steps = stepsOf('Jeffreys([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])');
    texHas(step(steps, 'Substitution'), '(0.5 - 0.4) \\ln\\frac{0.5}{0.4}');
    texHas(step(steps, 'Terms'), tex(0.1 * Math.log(0.5 / 0.4)), tex(-0.1 * Math.log(0.3 / 0.4)));
    texHas(step(steps, 'Both directions'), `= ${tex(klDef(P, Q))} + ${tex(klDef(Q, P))} = ${tex(klDef(P, Q) + klDef(Q, P))}`);
  });

  it('infinite where exactly one of p, q is 0', () => {
    const steps = stepsOf('Jeffreys([0.5, 0.5, 0], [0.5, 0.25, 0.25])');
    textHas(step(steps, 'Infinite divergence'), 'supports differ', 'at index 2', 'JS(P, Q)');
  });
});

describe('derive: TV, Hellinger, W1', () => {
  it('TV = ½Σ|p − q|', () => {
    const steps = stepsOf('TV([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])');
    texHas(step(steps, 'Substitution'), '\\tfrac{1}{2}\\left|0.5 - 0.4\\right|');
    texHas(step(steps, 'Terms'), `${tex(0.05)} + ${tex(0.05)} + 0`);
    texHas(step(steps, 'Total'), `= ${tex(0.1)}`);
    assert.ok(!step(steps, 'Total').tex.includes('nats'));
  });

  it('Hellinger: the squared sum, then its square root', () => {
    const h2 = 0.5 * sum(P.map((p, i) => (Math.sqrt(p) - Math.sqrt(Q[i]!)) ** 2));
    const steps = stepsOf('Hellinger([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])');
    inOrder(steps, ['Definition', 'Substitution', 'Terms', 'Total', 'Square root']);
    texHas(step(steps, 'Substitution'), '\\mathrm{Hel}^2(P, Q) = \\tfrac{1}{2}\\left(\\sqrt{0.5} - \\sqrt{0.4}\\right)^2');
    texHas(step(steps, 'Total'), `\\mathrm{Hel}^2(P, Q) = ${tex(h2)}`);
    texHas(step(steps, 'Square root'), `\\sqrt{${tex(h2)}} = ${tex(Math.sqrt(h2))}`);
  });

  it('W1 through the CDF differences', () => {
    const steps = stepsOf('W1([0.2, 0.3, 0.5], [0.5, 0.3, 0.2])');
    inOrder(steps, ['Definition', 'CDFs', 'Substitution', 'Terms', 'Total']);
    texHas(step(steps, 'CDFs'), 'F_P = \\left(0.2,\\ 0.5,\\ 1\\right)', 'F_Q = \\left(0.5,\\ 0.8,\\ 1\\right)');
    texHas(step(steps, 'Substitution'), '\\left|0.2 - 0.5\\right| + \\left|0.5 - 0.8\\right|');
    texHas(step(steps, 'Total'), `= ${tex(0.6)}`);
    texHas(step(stepsOf('W1([1], [1])'), 'Total'), '= 0');
  });
});

describe('derive: mutual information', () => {
  it('shows the marginals and I = KL(J ‖ r ⊗ c) cell by cell', () => {
    const J = [[0.1, 0.2], [0.3, 0.4]];
    const r = [0.3, 0.7];
    const c = [0.4, 0.6];
    const terms = J.flatMap((row, a) => row.map((j, b) => j * Math.log(j / (r[a]! * c[b]!))));
    const steps = stepsOf('MI([[1, 2], [3, 4]], base=2)');
    inOrder(steps, ['Normalization of J', 'Definition', 'Marginals', 'Substitution', 'Terms', 'Total', 'Unit conversion']);
    texHas(step(steps, 'Normalization of J'), '\\sum_{a,b} c_{ab} = 10');
    texHas(step(steps, 'Marginals'), 'r_a = \\sum_b J_{ab} = \\left(0.3,\\ 0.7\\right)', 'c_b = \\sum_a J_{ab} = \\left(0.4,\\ 0.6\\right)');
    texHas(step(steps, 'Substitution'), '0.1 \\ln\\frac{0.1}{0.3 \\cdot 0.4}');
    texHas(step(steps, 'Terms'), tex(terms[0]!).replace('-', ''), tex(terms[3]!).replace('-', ''));
    texHas(step(steps, 'Unit conversion'), tex(sum(terms) / Math.LN2));
  });

  it('labels the largest cells of a big table by [row, column]', () => {
    const steps = stepsOf('MI([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [1, 1, 1, 1, 1]])');
    texHas(step(steps, 'Terms'), '_{[0, 4]}', '_{[1, 0]}', '7\\ \\text{more terms}');
  });
});
