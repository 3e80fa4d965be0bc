import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import katex from 'katex';
import { selectTerms, topIndices } from '../../../../src/core/derive/common';
import { escapeText, joinSum, texFactor, texNumber, texText, texVector } from '../../../../src/core/derive/tex';

const compiles = (tex: string): void => {
  const html = katex.renderToString(tex, { throwOnError: true, strict: 'error', displayMode: true });
  assert.ok(!html.includes('katex-error'), tex);
};

describe('texNumber', () => {
  it('writes significant digits without exponent in the usual range', () => {
    assert.equal(texNumber(0.025267113), '0.025267');
    assert.equal(texNumber(0.5), '0.5');
    assert.equal(texNumber(123456.7), '123460');
    assert.equal(texNumber(-0.086305, 3), '-0.0863');
    assert.equal(texNumber(0), '0');
  });

  it('writes exponents as powers of ten, never 1.2e-5', () => {
    assert.equal(texNumber(1.23456e-7), '1.2346 \\times 10^{-7}');
    assert.equal(texNumber(1.2e-5), '1.2 \\times 10^{-5}');
    assert.equal(texNumber(1e-7), '10^{-7}');
    assert.equal(texNumber(-2.5e-8), '-2.5 \\times 10^{-8}');
    assert.equal(texNumber(1.5e6), '1.5 \\times 10^{6}');
    assert.equal(texNumber(6.02e23, 2), '6 \\times 10^{23}');
  });

  it('writes infinities and NaN as TeX', () => {
    assert.equal(texNumber(Infinity), '\\infty');
    assert.equal(texNumber(-Infinity), '-\\infty');
    assert.equal(texNumber(NaN), '\\mathrm{NaN}');
    for (const x of [Infinity, -Infinity, NaN, 1e-300, -1e300, 5e-324]) compiles(texNumber(x));
  });

  it('parenthesises negatives and powers used as factors or bases', () => {
    assert.equal(texFactor(-0.2), '\\left(-0.2\\right)');
    assert.equal(texFactor(1e-7), '\\left(10^{-7}\\right)');
    assert.equal(texFactor(0.3), '0.3');
    compiles(`${texFactor(1e-7)}^2 + ${texFactor(-3e-9)}^2`);
  });
});

describe('escapeText', () => {
  it('escapes every TeX special in user labels', () => {
    assert.equal(escapeText('a_b%c#d&e{f}g$h'), 'a\\_b\\%c\\#d\\&e\\{f\\}g\\$h');
    assert.equal(escapeText('\\ ^ ~'), '\\textbackslash{} \\textasciicircum{} \\textasciitilde{}');
    compiles(texText('C:\\dir\\my_file%#&{x}~^$.npy'));
  });

  it('writes symbols KaTeX refuses in text as inline math, and drops what it cannot typeset', () => {
    assert.equal(escapeText('KL(P‖Q) ≥ 0'), 'KL(P$\\|$Q) $\\ge$ 0');
    assert.equal(escapeText('Σ₂⁻¹'), '$\\Sigma_{2}^{-1}$');
    assert.equal(escapeText('σ² = scale²'), '$\\sigma^{2}$ = scale$^{2}$');
    assert.equal(escapeText('😀'), '?');
    assert.equal(escapeText('é 日本'), 'é 日本');
  });

  it('compiles for every printable ASCII character and a spread of Unicode', () => {
    let ascii = '';
    for (let c = 0x20; c < 0x7f; c++) ascii += String.fromCharCode(c);
    compiles(texText(ascii));
    compiles(texText('‖−≥≤≠≈∞⊗×÷→⇒∈√∑⊤ᵀ½±µℓ∂∇αβγδεζηθικλμνξοπρςστυφχψω ΓΔΘΛΞΠΣΥΦΨΩ ⁰¹²³⁴⁵⁶⁷⁸⁹⁻ ₀₁₂₃₄₅₆₇₈₉ …—“”‘’·°£ é ñ ß ł д Ա 한 日本 ع 😀 \u00a0\t\n'));
    compiles(`\\text{${escapeText('x')}}_{${'1'}}`);
  });
});

describe('sums and vectors', () => {
  it('subtracts negative pieces instead of adding them', () => {
    const s = joinSum([{ tex: '0.11157', text: '0.11157' }, { tex: '-0.086305', text: '-0.086305' }, { tex: '0', text: '0' }]);
    assert.equal(s.tex, '0.11157 - 0.086305 + 0');
    assert.equal(s.text, '0.11157 − 0.086305 + 0');
  });

  it('elides long vectors to the first entries and the last', () => {
    const v = texVector(Float64Array.from({ length: 20 }, (_, i) => i), 5, 8);
    assert.equal(v.text, '(0, 1, 2, 3, 4, 5, …, 19)');
    assert.ok(v.tex.includes('\\ldots'));
    compiles(v.tex);
  });
});

describe('term selection', () => {
  it('finds the k largest without sorting everything, ties in index order', () => {
    const xs = [3, -7, 1, 7, 0, 5, Infinity, 2];
    assert.deepEqual(topIndices(xs.length, 3, (i) => Math.abs(xs[i]!)), [6, 1, 3]);
    assert.deepEqual(topIndices(2, 5, (i) => xs[i]!), [0, 1]);
  });

  it('keeps the largest |terms| and sums the rest exactly', () => {
    const n = 10_000;
    const values = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * (i % 97 === 0 ? 10 : 1));
    const s = selectTerms(values, 8);
    const expected = [...values.keys()].sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b).slice(0, 8);
    assert.deepEqual([...s.shown].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
    const top = expected.reduce((acc, i) => acc + values[i]!, 0);
    const total = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s.rest - (total - top)) < 1e-9);
    assert.equal(s.restCount, n - 8);
    assert.equal(selectTerms(Float64Array.of(1, 2), 8).elided, false);
  });
});
