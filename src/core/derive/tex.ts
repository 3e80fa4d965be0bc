/**
 * TeX for derivations: numbers, escaped labels, sums, vectors and matrices. Everything produced
 * here compiles under KaTeX's strict mode, which rejects most Unicode in math and many symbols in
 * text, so non-ASCII characters are mapped to commands or replaced.
 */
import { formatNumber } from '../format';

/** A TeX fragment and its plain-text twin. */
export interface Both {
  readonly tex: string;
  readonly text: string;
}

/**
 * A number in TeX with `digits` significant digits, as formatNumber writes it but with
 * `1.2 \times 10^{-5}` for exponents and `\infty` for infinities.
 * @example texNumber(1.23456e-7, 3) // "1.23 \\times 10^{-7}"
 */
export function texNumber(x: number, digits = 5): string {
  if (Number.isNaN(x)) return '\\mathrm{NaN}';
  if (x === Infinity) return '\\infty';
  if (x === -Infinity) return '-\\infty';
  const s = formatNumber(x, digits);
  const m = /^(-?)([\d.]+)e([+-])(\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, mantissa, expSign, exp] = m;
  const power = `10^{${expSign === '-' ? '-' : ''}${exp}}`;
  return mantissa === '1' ? `${sign}${power}` : `${sign}${mantissa} \\times ${power}`;
}

/** The plain-text twin of texNumber: formatNumber itself. */
export function textNumber(x: number, digits = 5): string {
  return formatNumber(x, digits);
}

/** A number in TeX that can stand as a factor or a base: negatives and exponents in parentheses. */
export function texFactor(x: number, digits = 5): string {
  const t = texNumber(x, digits);
  return t.startsWith('-') || t.includes('^') ? `\\left(${t}\\right)` : t;
}

/** The text twin of texFactor. */
export function textFactor(x: number, digits = 5): string {
  const t = textNumber(x, digits);
  return t.startsWith('-') || t.startsWith('−') || t.includes('e') ? `(${t})` : t;
}

/** Characters with a meaning in TeX text mode, and what writes them literally. */
const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  _: '\\_',
  '%': '\\%',
  '#': '\\#',
  '&': '\\&',
  $: '\\$',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

/** Unicode symbols KaTeX rejects in text mode, written as inline math instead. */
const SYMBOLS: Readonly<Record<string, string>> = {
  '‖': '\\|',
  '−': '-',
  '≥': '\\ge',
  '≤': '\\le',
  '≠': '\\ne',
  '≈': '\\approx',
  '∞': '\\infty',
  '⊗': '\\otimes',
  '×': '\\times',
  '÷': '\\div',
  '→': '\\to',
  '⇒': '\\Rightarrow',
  '∈': '\\in',
  '√': '\\surd',
  '∑': '\\Sigma',
  '⊤': '\\top',
  'ᵀ': '^{\\top}',
  '½': '\\tfrac{1}{2}',
  '±': '\\pm',
  'µ': '\\mu',
  'ℓ': '\\ell',
  '∂': '\\partial',
  '∇': '\\nabla',
};

const GREEK = 'αβγδεζηθικλμνξοπρςστυφχψω';
const GREEK_NAMES = ['alpha', 'beta', 'gamma', 'delta', 'varepsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'o', 'pi', 'rho', 'varsigma', 'sigma', 'tau', 'upsilon', 'varphi', 'chi', 'psi', 'omega'];
const GREEK_CAPITALS: Readonly<Record<string, string>> = { Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi', Π: 'Pi', Σ: 'Sigma', Υ: 'Upsilon', Φ: 'Phi', Ψ: 'Psi', Ω: 'Omega' };
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** Scripts KaTeX typesets in text mode (Latin-1 letters, Latin Extended, Cyrillic, CJK, ...). */
function textSafe(code: number): boolean {
  return (
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) ||
    (code >= 0x400 && code <= 0x4ff) ||
    (code >= 0x530 && code <= 0x58f) ||
    (code >= 0x900 && code <= 0x109f) ||
    (code >= 0x10a0 && code <= 0x10ff) ||
    (code >= 0x3000 && code <= 0x30ff) ||
    (code >= 0x4e00 && code <= 0x9faf) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    [0xa3, 0xb0, 0xb7, 0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2026].includes(code)
  );
}

/** Math that stands for one Unicode character inside text, or undefined when there is none. */
function symbolMath(c: string): string | undefined {
  const known = SYMBOLS[c];
  if (known) return known;
  const g = GREEK.indexOf(c);
  // Omicron has no command: it is a Latin o.
  if (g >= 0) return GREEK_NAMES[g] === 'o' ? 'o' : `\\${GREEK_NAMES[g]!}`;
  const capital = GREEK_CAPITALS[c];
  if (capital) return `\\${capital}`;
  const sup = SUPERSCRIPTS.indexOf(c);
  if (sup >= 0) return `^{${sup}}`;
  if (c === '⁻') return '^{-}';
  const sub = SUBSCRIPTS.indexOf(c);
  if (sub >= 0) return `_{${sub}}`;
  return undefined;
}

/**
 * Escapes any string (a user's label, a warning message) for the inside of `\text{...}`: TeX
 * specials are written literally, symbols become inline math, characters KaTeX cannot typeset
 * become "?".
 */
export function escapeText(s: string): string {
  let out = '';
  // Consecutive symbols share one `$...$`: `$a$$b$` would read as a display-math delimiter.
  let math = '';
  let lastScript: string | undefined;
  const flush = (): void => {
    if (math) out += `$${math}$`;
    math = '';
    lastScript = undefined;
  };
  for (const c of s) {
    const code = c.codePointAt(0)!;
    const symbol = code >= 0x80 && !textSafe(code) ? symbolMath(c) : undefined;
    if (symbol !== undefined) {
      const script = /^([\^_])\{(.*)\}$/.exec(symbol);
      if (script && math.endsWith('}') && lastScript === script[1]) {
        // ⁻¹ is one superscript: `^{-}^{1}` would be a double superscript.
        math = `${math.slice(0, -1)}${script[2]!}}`;
      } else {
        // A letter right after a command would extend its name: `\xi` then `o` must not read `\xio`.
        math += /\\[a-zA-Z]+$/.test(math) && /^[a-zA-Z]/.test(symbol) ? ` ${symbol}` : symbol;
      }
      lastScript = script ? script[1] : undefined;
      continue;
    }
    flush();
    const escaped = TEXT_ESCAPES[c];
    if (escaped) out += escaped;
    else if (code >= 0x20 && code < 0x7f) out += c;
    else if (c === '\n' || c === '\t' || c === '\r' || code === 0xa0) out += ' ';
    else if (textSafe(code)) out += c;
    else out += '?';
  }
  flush();
  return out;
}

/** `\text{...}` around an escaped string. */
export function texText(s: string): string {
  return `\\text{${escapeText(s)}}`;
}

/** A symbol name in math: single ASCII letters stay italic, anything else becomes escaped text. */
export function texName(name: string): string {
  return /^[A-Za-z]$/.test(name) ? name : `\\text{${escapeText(name)}}`;
}

/**
 * Joins signed pieces into a sum: a piece whose TeX starts with "-" is subtracted
 * (`a - b`, never `a + -b`).
 */
export function joinSum(pieces: readonly Both[]): Both {
  if (pieces.length === 0) return { tex: '0', text: '0' };
  let tex = pieces[0]!.tex;
  let text = pieces[0]!.text;
  for (const p of pieces.slice(1)) {
    const negative = p.tex.startsWith('-');
    tex += negative ? ` - ${p.tex.slice(1)}` : ` + ${p.tex}`;
    text += negative ? ` − ${p.text.replace(/^[-−]/, '')}` : ` + ${p.text}`;
  }
  return { tex, text };
}

/** A sum of numbers written out: `0.11157 - 0.086305 + 0`. */
export function numberSum(values: ArrayLike<number>, digits: number): Both {
  const pieces: Both[] = [];
  for (let i = 0; i < values.length; i++) pieces.push({ tex: texNumber(values[i]!, digits), text: textNumber(values[i]!, digits) });
  return joinSum(pieces);
}

/**
 * A vector as a parenthesised list; beyond `maxItems` entries the first ones, an ellipsis and the last.
 * @example texVector([0.5, 0.3, 0.2], 5, 8).tex // "\\left(0.5,\\ 0.3,\\ 0.2\\right)"
 */
export function texVector(values: ArrayLike<number>, digits: number, maxItems: number): Both {
  const n = values.length;
  const shown = n > maxItems ? [...range(0, Math.max(1, maxItems - 2)), -1, n - 1] : range(0, n);
  const tex = shown.map((i) => (i < 0 ? '\\ldots' : texNumber(values[i]!, digits))).join(',\\ ');
  const text = shown.map((i) => (i < 0 ? '…' : textNumber(values[i]!, digits))).join(', ');
  return { tex: `\\left(${tex}\\right)`, text: `(${text})` };
}

/** A row-major matrix as `\begin{bmatrix}`; the caller keeps it small. */
export function texMatrix(data: ArrayLike<number>, rows: number, cols: number, digits: number): Both {
  const lines: string[] = [];
  const textRows: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    const textCells: string[] = [];
    for (let c = 0; c < cols; c++) {
      cells.push(texNumber(data[r * cols + c]!, digits));
      textCells.push(textNumber(data[r * cols + c]!, digits));
    }
    lines.push(cells.join(' & '));
    textRows.push(`[${textCells.join(', ')}]`);
  }
  return { tex: `\\begin{bmatrix} ${lines.join(' \\\\ ')} \\end{bmatrix}`, text: `[${textRows.join(', ')}]` };
}

/** An index or multi-index: `3`, or `[1, 2]` for an element of a batch. */
export function indexLabel(index: readonly number[]): string {
  return index.length === 1 ? String(index[0]) : `[${index.join(', ')}]`;
}

/** A shape: `[4, 10]`. */
export function shapeLabel(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The natural log of a base: `\ln 2`, `ln 2`. */
export function lnBase(base: number, digits: number): Both {
  return { tex: `\\ln ${texFactor(base, digits)}`, text: `ln ${textFactor(base, digits)}` };
}

/** A number followed by its unit, `0.025267\ \text{nats}`; unitless quantities stay bare. */
export function withUnit(x: number, unit: string | undefined, digits: number): Both {
  const tex = texNumber(x, digits);
  const text = textNumber(x, digits);
  return unit ? { tex: `${tex}\\ ${texText(unit)}`, text: `${text} ${unit}` } : { tex, text };
}

/** The integers a, a + 1, ..., b − 1. */
function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}
