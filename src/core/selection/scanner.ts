/**
 * A forgiving tokenizer for code in the languages arrays are written in (Python, NumPy, PyTorch,
 * JS/TS, JSON, Julia, R), enough to read array literals and the assignments that name them.
 *
 * It is lazy and bounded: tokens are produced on demand and no character at or beyond `limit` is
 * ever read, so callers decide how far into a large document a scan may go. Every character is
 * looked at a constant number of times (no regular expressions over the text), so a scan is linear.
 */

export type TokenKind = 'number' | 'name' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /**
   * number: its text as written; name: the dotted name (`np.array`); string: the unescaped value;
   * punct: the symbol (`[`, `,`, `=`, `<-`, `||` for `‖` too, or any other single character).
   */
  readonly text: string;
  /** The number's value (NaN for a malformed number, see `bad`). */
  readonly value: number;
  readonly start: number;
  readonly end: number;
  /** Whitespace or a comment separates it from the previous token. */
  readonly space: boolean;
  /** A line break separates it from the previous token. */
  readonly newline: boolean;
  /** A number with letters stuck to it (`5j`, `0x1f`, `1.0f`): not a number we read. */
  readonly bad?: boolean;
  /** eof only: the scan stopped at its limit, not at the end of the text. */
  readonly truncated?: boolean;
}

/** Two-character symbols; every other punctuation character is a token by itself. */
const PAIRS = new Set(['||', '<-', '->', '==', '!=', '<=', '>=', '=>', '**', '//', ':=']);

/** Tokens of `text[start, limit)`, one at a time, with up to a few tokens of look-ahead. */
export class Scanner {
  private pos: number;
  private readonly buffer: Token[] = [];

  /** Scans `text[start, limit)`; `limit` defaults to the whole text. */
  constructor(
    private readonly text: string,
    start = 0,
    private readonly limit = text.length,
  ) {
    this.pos = start;
  }

  /** The token `k` ahead of the current one, without consuming it. */
  peek(k = 0): Token {
    while (this.buffer.length <= k) this.buffer.push(this.scan());
    return this.buffer[k]!;
  }

  /** Continues the scan at `pos` (forgetting tokens already looked ahead at). */
  seek(pos: number): void {
    this.pos = Math.min(pos, this.limit);
    this.buffer.length = 0;
  }

  next(): Token {
    const t = this.peek();
    // eof is sticky: consuming it leaves it in place.
    if (t.kind !== 'eof') this.buffer.shift();
    return t;
  }

  private char(i: number): number {
    return i < this.limit ? this.text.charCodeAt(i) : -1;
  }

  private scan(): Token {
    let space = false;
    let newline = false;
    for (;;) {
      const c = this.char(this.pos);
      if (c === 10) {
        newline = true;
        space = true;
        this.pos++;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
        space = true;
        this.pos++;
      } else if (c === 35 /* # */ || (c === 47 /* / */ && this.char(this.pos + 1) === 47)) {
        space = true;
        while (this.pos < this.limit && this.char(this.pos) !== 10) this.pos++;
      } else if (c === 47 && this.char(this.pos + 1) === 42 /* /* */) {
        space = true;
        this.pos += 2;
        while (this.pos < this.limit && !(this.char(this.pos) === 42 && this.char(this.pos + 1) === 47)) {
          if (this.char(this.pos) === 10) newline = true;
          this.pos++;
        }
        this.pos = Math.min(this.limit, this.pos + 2);
      } else {
        break;
      }
    }
    const start = this.pos;
    const c = this.char(start);
    if (c === -1) {
      return { kind: 'eof', text: '', value: NaN, start, end: start, space, newline, truncated: this.limit < this.text.length };
    }
    let kind: TokenKind = 'punct';
    let text: string;
    let value = NaN;
    let bad = false;
    if (isDigit(c) || (c === 46 /* . */ && isDigit(this.char(start + 1)))) {
      kind = 'number';
      value = this.number();
      text = this.text.slice(start, this.pos);
      bad = Number.isNaN(value);
    } else if (c === 34 || c === 39 || c === 96) {
      kind = 'string';
      text = this.string(c);
    } else if (this.identifierAt(start) > 0) {
      kind = 'name';
      text = this.name();
    } else if (c === 0x2016 /* ‖ */) {
      this.pos++;
      text = '||';
    } else if (this.char(start + 1) !== -1 && PAIRS.has(this.text.slice(start, start + 2))) {
      this.pos += 2;
      text = this.text.slice(start, start + 2);
    } else {
      const cp = this.text.codePointAt(start)!;
      this.pos += cp > 0xffff ? 2 : 1;
      text = String.fromCodePoint(cp);
    }
    const token: Token = { kind, text, value, start, end: this.pos, space, newline };
    return bad ? { ...token, bad } : token;
  }

  /**
   * Decimal numbers with `_` digit groups, a fraction, an exponent (Julia's `f` too) and R's `L`;
   * returns the value, NaN for a malformed number (`0x1f`, `5j`, `1.2.3`), which is consumed whole.
   */
  private number(): number {
    const start = this.pos;
    this.digits();
    if (this.char(this.pos) === 46 && (this.identifierAt(this.pos + 1) === 0 || this.exponentAt(this.pos + 1))) {
      this.pos++;
      this.digits();
    }
    if (this.exponentAt(this.pos)) {
      this.pos++;
      if (this.char(this.pos) === 43 || this.char(this.pos) === 45) this.pos++;
      this.digits();
    }
    const written = this.text.slice(start, this.pos);
    const value = Number(written.includes('_') || written.includes('f') ? written.replaceAll('_', '').replace('f', 'e') : written);
    if (this.char(this.pos) === 76 /* L */ && this.identifierAt(this.pos + 1, true) === 0) {
      this.pos++;
      return value;
    }
    if (this.identifierAt(this.pos) > 0 || this.char(this.pos) === 46) {
      while (this.identifierAt(this.pos, true) > 0 || this.char(this.pos) === 46) this.pos += Math.max(1, this.identifierAt(this.pos, true));
      return NaN;
    }
    return value;
  }

  /** Digits, with `_` grouping (1_000) only between two digits as Python and JS require. */
  private digits(): void {
    for (;;) {
      const c = this.char(this.pos);
      if (isDigit(c) || (c === 95 && isDigit(this.char(this.pos - 1)) && isDigit(this.char(this.pos + 1)))) this.pos++;
      else return;
    }
  }

  /** `e5`, `E-3`, `f0` (Julia's Float32 exponent) at `i`. */
  private exponentAt(i: number): boolean {
    const e = this.char(i);
    if (e !== 101 && e !== 69 && e !== 102) return false;
    const sign = this.char(i + 1) === 43 || this.char(i + 1) === 45 ? 1 : 0;
    return isDigit(this.char(i + 1 + sign));
  }

  /** A quoted string (Python's triple quotes too); a single-quoted one ends at the line's end. */
  private string(quote: number): string {
    const start = this.pos;
    const triple = this.char(start + 1) === quote && this.char(start + 2) === quote;
    this.pos += triple ? 3 : 1;
    let out = '';
    let from = this.pos;
    while (this.pos < this.limit) {
      const c = this.char(this.pos);
      if (c === quote && (!triple || (this.char(this.pos + 1) === quote && this.char(this.pos + 2) === quote))) {
        out += this.text.slice(from, this.pos);
        this.pos += triple ? 3 : 1;
        return out;
      }
      if (c === 10 && !triple && quote !== 96) break;
      if (c === 92 /* \ */) {
        out += this.text.slice(from, this.pos);
        const next = this.char(this.pos + 1);
        out += next === 110 ? '\n' : next === 116 ? '\t' : next === -1 ? '' : String.fromCharCode(next);
        this.pos = Math.min(this.limit, this.pos + 2);
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    return out + this.text.slice(from, this.pos);
  }

  /** An identifier, with `.member` parts joined: `np.array`, `torch.float64`, `self.p`. */
  private name(): string {
    const start = this.pos;
    for (;;) {
      let n: number;
      while ((n = this.identifierAt(this.pos, true)) > 0) this.pos += n;
      if (this.char(this.pos) === 46 && this.identifierAt(this.pos + 1) > 0) {
        this.pos++;
        continue;
      }
      return this.text.slice(start, this.pos);
    }
  }

  /** Length (1 or 2 code units) of the identifier character at `i`, or 0 when there is none. */
  private identifierAt(i: number, part = false): number {
    const c = this.char(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36) return 1;
    if (part && isDigit(c)) return 1;
    if (c < 0x80 || c === 0x2016 || c === 0xa0 || c === 0xfeff) return 0;
    // Non-ASCII: letters (μ, σ, 𝑝) start names; one code point is tested, never the text.
    const cp = this.text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (i + width > this.limit) return 0;
    const s = String.fromCodePoint(cp);
    return (part ? NAME_PART : NAME_START).test(s) ? width : 0;
  }
}

const NAME_START = /^[\p{L}\p{Nl}]$/u;
const NAME_PART = /^[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]$/u;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
