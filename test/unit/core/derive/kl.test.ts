import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derive } from '../../../../src/core/derive/index';
import type { DiscreteResult, Value } from '../../../../src/core/index';
import { result } from '../../../helpers/values';
import { largeEnv, positive } from './programs';
import { inOrder, klDef, step, stepsOf, tex, texHas, textHas, titles, txt } from './util';

const P = [0.5, 0.3, 0.2];
const Q = [0.4, 0.4, 0.2];
const BASIC = 'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])';

describe('derive: discrete KL', () => {
  it('goes definition → sum with the numbers → terms → total → reverse → asymmetry', () => {
    const steps = stepsOf(BASIC);
    assert.deepEqual(titles(steps), ['Definition', 'Substitution', 'Terms', 'Total', 'Reverse direction', 'Asymmetry']);
    texHas(step(steps, 'Definition'), 'D_{\\mathrm{KL}}(P\\|Q)', '\\sum_{i} p_{i} \\log\\frac{p_{i}}{q_{i}}');
    texHas(step(steps, 'Substitution'), '0.5 \\ln\\frac{0.5}{0.4}', '0.3 \\ln\\frac{0.3}{0.4}', '0.2 \\ln\\frac{0.2}{0.2}');
    const terms = P.map((p, i) => p * Math.log(p / Q[i]!));
    texHas(step(steps, 'Terms'), `${tex(terms[0]!)} - ${tex(-terms[1]!)} + 0`);
    texHas(step(steps, 'Total'), `${tex(klDef(P, Q))}\\ \\text{nats}`);
    textHas(step(steps, 'Total'), `${txt(klDef(P, Q))} nats`);
    const reverse = step(steps, 'Reverse direction');
    texHas(reverse, 'D_{\\mathrm{KL}}(Q\\|P)', '0.4 \\ln\\frac{0.4}{0.5}', tex(klDef(Q, P)));
    for (const s of steps.slice(0, 5)) assert.equal(s.kind, 'equation');
  });

  it('says which direction is larger and what mode-covering and mode-seeking mean here', () => {
    const note = step(stepsOf(BASIC), 'Asymmetry');
    assert.equal(note.kind, 'note');
    // KL(Q‖P) > KL(P‖Q); the largest forward term is at index 0, the largest reverse term at index 1.
    assert.ok(klDef(Q, P) > klDef(P, Q));
    textHas(note, `KL(Q‖P) = ${txt(klDef(Q, P))} nats is larger than KL(P‖Q) = ${txt(klDef(P, Q))} nats`);
    textHas(note, 'mode-covering', 'mode-seeking', 'largest term is at index 0 (p = 0.5, q = 0.4)', 'largest term is at index 1 (q = 0.4, p = 0.3)');
  });

  it('n = 1: one term, zero, directions agree', () => {
    const steps = stepsOf('KL([1] || [1])');
    texHas(step(steps, 'Substitution'), '1 \\ln\\frac{1}{1}');
    texHas(step(steps, 'Terms'), '= 0');
    texHas(step(steps, 'Total'), '= 0\\ \\text{nats}');
    textHas(step(steps, 'Asymmetry'), 'agree');
  });

  it('zeros in p contribute 0 by the 0·log 0 convention', () => {
    const steps = stepsOf('KL([0.5, 0.5, 0] || [0.25, 0.25, 0.5])');
    texHas(step(steps, 'Substitution'), '0 \\ln\\frac{0}{0.5}');
    texHas(step(steps, 'Terms'), `${tex(0.5 * Math.log(2))} + ${tex(0.5 * Math.log(2))} + 0`);
    texHas(step(steps, 'Total'), tex(Math.log(2)));
    textHas(step(steps, 'Definition'), '0·log(0/q) = 0');
  });

  it('infinite: names the indices where q = 0 < p and suggests JS, smoothing and the supports — no clipping', () => {
    const steps = stepsOf('KL([0.5, 0.25, 0.25] || [1, 0, 0])');
    texHas(step(steps, 'Terms'), '\\infty');
    texHas(step(steps, 'Total'), '\\infty\\ \\text{nats}');
    const w = step(steps, 'Infinite divergence');
    assert.equal(w.kind, 'warning');
    textHas(w, 'Q = 0 < P at indices 1, 2', '(p, q) = (0.25, 0) at 1', 'JS(P, Q)', 'finite', `ln 2 = ${txt(Math.LN2)}`, 'smooth Q', 'ε', 'supports');
    assert.ok(!/1e-\d+/.test(w.text.replace('e.g. ε = 0.001', '')), 'no epsilon-clipped value');
    // The infinite warning is explained once, not repeated as a bare warning.
    assert.equal(steps.filter((s) => s.kind === 'warning').length, 1);
    inOrder(steps, ['Total', 'Infinite divergence', 'Reverse direction', 'Asymmetry']);
    texHas(step(steps, 'Reverse direction'), tex(Math.LN2));
  });

  it('infinite in a batch: multi-indices [r, i]', () => {
    const steps = stepsOf('KL([[1, 0], [0.5, 0.5]] || [[1, 0], [1, 0]])');
    textHas(step(steps, 'Infinite divergence'), 'at index [1, 1]', '(p, q) = (0.5, 0) at [1, 1]');
    textHas(step(steps, 'Per-row values'), 'max ∞ at row 1');
  });

  it('infinite in reverse only: the reverse step says where P = 0 < Q', () => {
    const steps = stepsOf('KL([0.5, 0.5, 0] || [0.25, 0.25, 0.5])');
    textHas(step(steps, 'Reverse direction'), '= ∞ nats', 'P = 0 < Q at index 2');
    textHas(step(steps, 'Asymmetry'), 'KL(Q‖P) = ∞ nats is larger');
  });

  it('base=2: the total in nats, then divided by ln 2', () => {
    const nats = klDef(P, Q);
    const steps = stepsOf('p = [5, 3, 2]; q = [4, 4, 2]; KL(p || q, base=2)');
    inOrder(steps, ['Normalization of P', 'Normalization of Q', 'Definition', 'Substitution', 'Terms', 'Total', 'Unit conversion', 'Reverse direction']);
    texHas(step(steps, 'Terms'), tex(0.5 * Math.log(0.5 / 0.4)));
    texHas(step(steps, 'Total'), `${tex(nats)}\\ \\text{nats}`);
    texHas(step(steps, 'Unit conversion'), `\\frac{${tex(nats)}}{\\ln 2} = ${tex(nats / Math.LN2)}\\ \\text{bits}`);
    texHas(step(steps, 'Reverse direction'), '\\frac{1}{\\ln 2}', `${tex(klDef(Q, P) / Math.LN2)}\\ \\text{bits}`);
    // Not the README's rounded value by accident: 0.036453 bits.
    assert.equal(txt(nats / Math.LN2), '0.036453');
  });

  it('other bases: hartleys divide by ln 10', () => {
    const steps = stepsOf('KL([5, 3, 2] || [4, 4, 2], base=10)');
    texHas(step(steps, 'Unit conversion'), `\\frac{${tex(klDef(P, Q))}}{\\ln 10} = ${tex(klDef(P, Q) / Math.LN10)}\\ \\text{hartleys}`);
  });

  it('normalization: p_i = c_i / Σc with the sum, and no repeated warning', () => {
    const steps = stepsOf('p = [5, 3, 2]; q = [4, 4, 2]; KL(p || q)');
    const n = step(steps, 'Normalization of P');
    texHas(n, 'p_i = \\frac{c_i}{\\sum_j c_j}', '\\sum_j c_j = 10', '\\left(0.5,\\ 0.3,\\ 0.2\\right)');
    texHas(step(steps, 'Normalization of Q'), '\\left(0.4,\\ 0.4,\\ 0.2\\right)');
    assert.ok(!steps.some((s) => s.kind === 'warning'));
    // Rows of a softmax sum to 1 up to rounding: nothing to explain.
    assert.ok(!titles(stepsOf('KL(softmax([[1, 2, 3], [3, 2, 1]]) || softmax([[1, 1, 1], [2, 2, 2]]))')).some((t) => t.startsWith('Normalization')));
  });

  it('normalization of rows: each row by its own sum, with the range of sums', () => {
    const steps = stepsOf('KL([[1, 3], [2, 2], [5, 5]] || [[1, 1], [1, 1], [1, 1]])');
    textHas(step(steps, 'Normalization of P'), 'each of the 3 rows of P', 'sums from 4 to 10');
  });

  it('normalize=false: a note that the values are used as given', () => {
    const steps = stepsOf('KL([2, 3, 5] || [1, 1, 1], normalize=false)');
    assert.equal(steps[0]!.title, 'normalize=false');
    assert.equal(steps[0]!.kind, 'note');
    textHas(steps[0]!, 'P and Q do not sum to 1');
    texHas(step(steps, 'Substitution'), '2 \\ln\\frac{2}{1}');
    assert.ok(!steps.some((s) => s.kind === 'warning'));
  });

  it('batchmean on one distribution divides by its length, with the note', () => {
    const steps = stepsOf(`${BASIC.slice(0, -1)}, reduction="batchmean")`);
    texHas(step(steps, 'Reduction (batchmean)'), `\\frac{${tex(klDef(P, Q))}}{3} = ${tex(klDef(P, Q) / 3)}`);
    textHas(step(steps, 'batchmean on one distribution'), 'length 3', 'reduction="sum"');
    assert.ok(!steps.some((s) => s.kind === 'warning'));
  });

  it('digits and maxTerms options', () => {
    const steps = stepsOf(BASIC, { digits: 3 });
    texHas(step(steps, 'Total'), `${tex(klDef(P, Q), 3)}\\ `);
    assert.equal(tex(klDef(P, Q), 3), '0.0253');
    const short = stepsOf(BASIC, { maxTerms: 2 });
    texHas(step(short, 'Terms'), '\\underbrace', '_{0}', '_{1}', '1\\ \\text{more terms}', `\\Sigma = 0`);
    textHas(step(short, 'Terms'), '… 1 more terms (Σ = 0)');
  });
});

describe('derive: per-row KL', () => {
  const ROWS = 'KL([[0.5, 0.5], [0.9, 0.1], [1, 0]] || [[0.4, 0.6], [0.5, 0.5], [0.5, 0.5]]';
  const rows = [klDef([0.5, 0.5], [0.4, 0.6]), klDef([0.9, 0.1], [0.5, 0.5]), klDef([1, 0], [0.5, 0.5])];
  const total = rows.reduce((a, b) => a + b, 0);

  it('states the formula once and summarizes the rows', () => {
    const steps = stepsOf(`${ROWS})`);
    inOrder(steps, ['Definition', 'Per-row values', 'Reverse direction', 'Asymmetry']);
    texHas(step(steps, 'Definition'), 'd_r = D_{\\mathrm{KL}}(P_r\\|Q_r)', 'p_{r,i}');
    const r = step(steps, 'Per-row values');
    texHas(r, rows.map((x) => tex(x)).join(',\\ '));
    textHas(r, '3 rows', `mean ${txt(total / 3)} nats`, `min ${txt(rows[0]!)}`, `max ${txt(rows[2]!)} at row 2`);
    assert.ok(!titles(steps).includes('Substitution'));
  });

  it('reduction="mean": the average with numbers, and how PyTorch\'s "mean" differs', () => {
    const steps = stepsOf(`${ROWS}, reduction="mean")`);
    texHas(step(steps, 'Reduction (mean)'), `\\frac{${tex(total)}}{3} = ${tex(total / 3)}`);
    const n = step(steps, 'mean is not PyTorch\'s "mean"');
    textHas(n, 'F.kl_div(reduction="mean")', '3 × 2 = 6', txt(total / 6), 'batchmean');
    assert.ok(!steps.some((s) => s.kind === 'warning'));
  });

  it('reduction="batchmean" divides by the first dimension of the operands', () => {
    // Shape [2, 2, 2]: four rows, B = 2.
    const p = [[1, 2], [3, 4], [5, 6], [7, 8]].map((r) => r.map((x) => x / (r[0]! + r[1]!)));
    const sum = p.reduce((s, r) => s + klDef(r, [0.5, 0.5]), 0);
    const steps = stepsOf('KL([[[1, 2], [3, 4]], [[5, 6], [7, 8]]] || [[1, 1], [1, 1]], reduction="batchmean")');
    texHas(step(steps, 'Reduction (batchmean)'), `\\frac{${tex(sum)}}{2} = ${tex(sum / 2)}`);
    textHas(step(steps, 'Reduction (batchmean)'), 'B = 2', '4 rows');
    textHas(step(steps, 'Per-row values'), '4 rows [2, 2]');
  });

  it('10,000 rows: a summary only, with the right numbers and argmax', () => {
    const env = largeEnv();
    const steps = stepsOf('KL(rp || rq)', {}, { env });
    assert.ok(steps.length <= 10, `${steps.length} steps`);
    for (const s of steps) assert.ok(s.tex.length < 1500 && s.text.length < 1500, `${s.title} is ${s.tex.length} characters`);
    // Per-row KL by the definition, rows of 5 from the same data.
    const p = positive(50_000);
    const q = positive(50_000, 1);
    const values: number[] = [];
    for (let r = 0; r < 10_000; r++) {
      const pr = Array.from(p.subarray(r * 5, r * 5 + 5));
      const qr = Array.from(q.subarray(r * 5, r * 5 + 5));
      const sp = pr.reduce((a, b) => a + b, 0);
      const sq = qr.reduce((a, b) => a + b, 0);
      values.push(klDef(pr.map((x) => x / sp), qr.map((x) => x / sq)));
    }
    const max = Math.max(...values);
    const at = values.indexOf(max);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    textHas(step(steps, 'Per-row values'), '10000 rows [100, 100]', `mean ${txt(mean)} nats`, `min ${txt(Math.min(...values))}`, `max ${txt(max)} at row [${Math.floor(at / 100)}, ${at % 100}]`);
  });
});

describe('derive: 50,000 elements', () => {
  const env = largeEnv();
  const r = result('KL(p || q)', { env }) as DiscreteResult;

  it('keeps the step list short and shows the largest contributors', () => {
    const steps = derive(r);
    assert.ok(steps.length <= 10, `${steps.length} steps`);
    for (const s of steps) assert.ok(s.tex.length < 2500, `${s.title} is ${s.tex.length} characters`);
    // Terms by the definition; the eight largest by |term| from a full sort.
    const p = positive(50_000);
    const q = positive(50_000, 1);
    const sp = p.reduce((a, b) => a + b, 0);
    const sq = q.reduce((a, b) => a + b, 0);
    const terms = Array.from(p, (x, i) => (x / sp) * Math.log(x / sp / (q[i]! / sq)));
    const order = terms.map((_, i) => i).sort((a, b) => Math.abs(terms[b]!) - Math.abs(terms[a]!));
    const top = order.slice(0, 8);
    const termsStep = step(steps, 'Terms');
    for (const i of top) texHas(termsStep, `\\underbrace{${tex(Math.abs(terms[i]!))}}_{${i}}`);
    const rest = terms.reduce((a, b) => a + b, 0) - top.reduce((a, i) => a + terms[i]!, 0);
    texHas(termsStep, '49992\\ \\text{more terms}');
    textHas(termsStep, `… 49992 more terms (Σ = ${txt(rest)})`);
    texHas(step(steps, 'Total'), tex(terms.reduce((a, b) => a + b, 0)));
    textHas(step(steps, 'Asymmetry'), `index ${top.find((i) => terms[i]! > 0)}`);
  });

  it('takes milliseconds', () => {
    derive(r);
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) derive(r);
    const ms = (performance.now() - t0) / 5;
    assert.ok(ms < 50, `${ms.toFixed(1)} ms per derivation`);
  });

  it('also in bits, where the terms are converted back to nats consistently', () => {
    const bits = result('KL(p || q, base=2)', { env }) as DiscreteResult;
    const steps = derive(bits);
    const nats = r.value.data[0]!;
    texHas(step(steps, 'Total'), `${tex(nats)}\\ \\text{nats}`);
    texHas(step(steps, 'Unit conversion'), `${tex(nats / Math.LN2)}\\ \\text{bits}`);
    // The same largest term appears in nats in both derivations.
    const first = /\\underbrace\{([^}]*)\}/.exec(step(derive(r), 'Terms').tex)![1];
    texHas(step(steps, 'Terms'), `\\underbrace{${first}}`);
  });
});

describe('derive: leftover warnings', () => {
  it('become warning steps when no step explains them', () => {
    const r = result('TV([0.5, 0.5], [0.4, 0.6])') as DiscreteResult;
    const extra = { ...r, warnings: [...r.warnings, { code: 'infinite' as const, message: 'Something about P‖Q ≥ 0 and a_file%.npy' }] };
    const steps = derive(extra);
    const w = steps.at(-1)!;
    assert.equal(w.kind, 'warning');
    assert.equal(w.text, 'Something about P‖Q ≥ 0 and a_file%.npy');
    texHas(w, 'P$\\|$Q $\\ge$ 0', 'a\\_file\\%.npy');
  });

  it('are not repeated when a step covers them', () => {
    const env = new Map<string, Value>();
    for (const program of ['KL([5, 3, 2] || [4, 4, 2])', 'KL([1, 0] || [0.5, 0])', 'KL([[1, 1], [1, 3]] || [[1, 1], [1, 1]], reduction="mean")', 'KL([0.5, 0.5] || [0.4, 0.6], reduction="batchmean")']) {
      const steps = stepsOf(program, {}, { env });
      assert.ok(!steps.some((s) => s.title === 'Warning'), `${program}: ${JSON.stringify(titles(steps))}`);
    }
  });
});
