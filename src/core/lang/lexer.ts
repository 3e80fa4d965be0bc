import { KlError, type Span } from '../errors';

export type TokenType =
  | 'number'
  | 'string'
  | 'name'
  | 'op' // + - * / ^ ** = , ( ) [ ] || ‖
  | 'newline' // statement separators: a newline outside brackets, or ';'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly text: string; // for 'op' the normalised operator; for 'string' the unescaped value
  readonly value: number; // for 'number'
  readonly span: Span;
}

const SINGLE_OPS = new Set(['+', '-', '*', '/', '^', '=', ',', '(', ')', '[', ']']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };

/**
 * Splits a program into tokens. Newlines inside ( ) and [ ] are whitespace, as in Python, so
 * arrays and calls may span lines; elsewhere a newline or ';' ends a statement.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const push = (type: TokenType, text: string, start: number, value = 0): void => {
    tokens.push({ type, text, value, span: { start, end: i } });
  };

  while (i < source.length) {
    const c = source[i]!;
    const start = i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\u00a0') {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '\n' || c === ';') {
      i++;
      if (depth === 0 || c === ';') push('newline', c, start);
    } else if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      i = scanNumber(source, i);
      const text = source.slice(start, i);
      push('number', text, start, Number(text.replace(/_/g, '')));
    } else if (c === '"' || c === "'") {
      const scanned = scanString(source, start);
      i = scanned.end;
      push('string', scanned.value, start);
    } else if (isNameStart(c)) {
      while (i < source.length && isNamePart(source[i]!)) i++;
      push('name', source.slice(start, i), start);
    } else if (c === '|' && source[i + 1] === '|') {
      i += 2;
      push('op', '||', start);
    } else if (c === '\u2016' /* ‖ */) {
      i++;
      push('op', '||', start);
    } else if (c === '*' && source[i + 1] === '*') {
      i += 2;
      push('op', '^', start); // Python's ** is the same power operator
    } else if (SINGLE_OPS.has(c)) {
      i++;
      if (c === '(' || c === '[') depth++;
      else if ((c === ')' || c === ']') && depth > 0) depth--;
      push('op', c, start);
    } else {
      const cp = source.codePointAt(i)!;
      const shown = String.fromCodePoint(cp);
      const hint = c === '|' ? " (write '||' or '‖' between two distributions)" : '';
      throw new KlError('syntax', `unexpected character '${shown}'${hint}`, { start, end: start + shown.length });
    }
  }
  tokens.push({ type: 'eof', text: '', value: 0, span: { start: source.length, end: source.length } });
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isNameStart(c: string): boolean {
  return /[\p{L}_]/u.test(c);
}

function isNamePart(c: string): boolean {
  return /[\p{L}\p{N}_]/u.test(c);
}

function scanNumber(source: string, i: number): number {
  const start = i;
  const digits = (): void => {
    while (i < source.length && (isDigit(source[i]!) || (source[i] === '_' && isDigit(source[i + 1] ?? '')))) i++;
  };
  digits();
  if (source[i] === '.') {
    i++;
    digits();
  }
  if (source[i] === 'e' || source[i] === 'E') {
    let j = i + 1;
    if (source[j] === '+' || source[j] === '-') j++;
    if (!isDigit(source[j] ?? '')) {
      throw new KlError('syntax', `malformed number '${source.slice(start, j)}': expected digits after the exponent`, {
        start,
        end: j,
      });
    }
    i = j;
    digits();
  }
  if (isNameStart(source[i] ?? '')) {
    let j = i;
    while (j < source.length && isNamePart(source[j]!)) j++;
    throw new KlError('syntax', `malformed number '${source.slice(start, j)}'`, { start, end: j });
  }
  return i;
}

function scanString(source: string, start: number): { value: string; end: number } {
  const quote = source[start]!;
  let i = start + 1;
  let out = '';
  while (i < source.length && source[i] !== quote) {
    const c = source[i]!;
    if (c === '\n') break;
    if (c === '\\') {
      const next = source[i + 1];
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) {
        throw new KlError('syntax', `unknown escape '\\${next ?? ''}' in string`, { start: i, end: i + 2 });
      }
      out += escaped;
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  if (source[i] !== quote) {
    throw new KlError('syntax', `unterminated string: expected a closing ${quote}`, { start, end: i });
  }
  return { value: out, end: i + 1 };
}
