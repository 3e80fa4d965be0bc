/**
 * Finding arrays in a document for hovers: the literal under the cursor, the arrays the document
 * names, and a `KL(p || q)` call around the cursor.
 *
 * Hovers run on every mouse move over any file, so each search is bounded: from the cursor it reads
 * outward only until it finds an answer, and never further than the size cap on a literal.
 */
import type { Span } from '../errors';
import { parseBase } from '../units';
import type { Tensor } from '../tensor';
import { isArrayCallee, LiteralError, LiteralReader, MAX_NESTING, specialValue, type Parsed } from './literal';
import { Scanner, type Token } from './scanner';

export interface FoundArray {
  /** The literal's range, from its callee (`np.array`) if it has one to its closing bracket. */
  readonly span: Span;
  readonly tensor: Tensor;
  /** The name it is assigned to (`p = ...`, `"p": ...`, `q <- ...`), when it is. */
  readonly name?: string;
}

export interface NamedArray {
  readonly name: string;
  readonly tensor: Tensor;
  /** The range of the value. */
  readonly span: Span;
}

export interface KlCallOperand {
  readonly tensor: Tensor;
  /** The argument's name when it was written as one (`KL(p || q)`). */
  readonly name?: string;
  readonly span: Span;
}

export interface KlCall {
  /** From the callee to the closing parenthesis. */
  readonly span: Span;
  readonly p: KlCallOperand;
  readonly q: KlCallOperand;
  /** `base=2`, `base="bits"` when the call sets one. */
  readonly base?: number;
}

/** The hover setting's default cap, for callers that do not pass one. */
export const DEFAULT_MAX_CHARS = 200_000;

/** How far a callee name may reach back from its parenthesis. */
const NAME_LOOKBACK = 128;

/** Words that may stand right before a tuple or list without making it a call: `return (0.5, 0.5)`. */
const KEYWORDS = new Set(['return', 'yield', 'in', 'else', 'and', 'or', 'not', 'is', 'await', 'lambda', 'assert', 'if', 'elif', 'then', 'do', 'of', 'case', 'throw', 'typeof']);

const KL_CALLEES = new Set(['KL', 'kl', 'kl_divergence', 'D_KL']);

/**
 * The innermost array literal of at least two numbers that encloses `offset` — on a number, on a
 * bracket, or on the callee of `np.array(...)` — if its text is at most `maxChars` long.
 *
 * ## Method
 * Unmatched `(` and `[` are collected walking back from the offset (at most `maxChars` characters),
 * innermost first, and a literal is read forward from each (at most `maxChars` characters). The
 * first that reads cleanly, holds two numbers and covers the offset is the answer. A read that fails
 * ends the search: an enclosing literal would have to contain the same failing text.
 * @example
 * findArrayAt('p = np.array([0.5, 0.5])', 6, 1000) // { span: { start: 4, end: 24 }, tensor, name: 'p' }
 */
export function findArrayAt(text: string, offset: number, maxChars: number): FoundArray | undefined {
  if (!(offset >= 0 && offset <= text.length && maxChars > 0)) return undefined;
  for (const opener of openers(text, offset, maxChars, '([')) {
    const start = calleeStart(text, opener);
    const reader = new LiteralReader(new Scanner(text, start, Math.min(text.length, start + maxChars)));
    let v: Parsed;
    try {
      v = reader.value();
    } catch (e) {
      if (e instanceof LiteralError) return undefined;
      throw e;
    }
    if (v.shape.length === 0 || v.start > offset || offset >= v.end) continue;
    const tensor = reader.tensor(v);
    if (tensor.data.length < 2) continue;
    const span = { start: v.start, end: v.end };
    const name = nameBefore(text, v.start);
    return name === undefined ? { span, tensor } : { span, tensor, name };
  }
  return undefined;
}

/**
 * Array literals of at least two numbers that the document names: `p = [...]`, `const q = ...`,
 * `q <- c(...)`, `p: np.ndarray = ...`, `"p": [...]`, keyword arguments `f(p=[...])`. Literals longer
 * than `maxChars` are skipped. One linear pass over the text.
 */
export function findNamedArrays(text: string, maxChars: number): NamedArray[] {
  const out: NamedArray[] = [];
  const s = new Scanner(text);
  let prev: Token | undefined;
  let depth = 0;
  // `p: np.ndarray = [...]`: the name waits for its '=' while the type is skipped.
  let annotated: { name: string; depth: number } | undefined;
  for (;;) {
    const t = s.next();
    if (t.kind === 'eof') break;
    if (annotated && ((t.newline && depth <= annotated.depth) || depth < annotated.depth)) annotated = undefined;
    if (t.kind === 'punct') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth = Math.max(0, depth - 1);
      else if ((t.text === ',' || t.text === ';') && annotated?.depth === depth) annotated = undefined;
    }
    const assigns = t.kind === 'punct' && (t.text === '=' || t.text === '<-');
    const colon = t.kind === 'punct' && t.text === ':';
    let name: string | undefined;
    if (assigns && annotated?.depth === depth) name = annotated.name;
    else if (assigns && prev?.kind === 'name') name = prev.text;
    else if (colon && (prev?.kind === 'name' || prev?.kind === 'string')) name = prev.text;
    const target = prev;
    prev = t;
    if (name === undefined) continue;
    if (assigns) annotated = undefined;
    const from = s.peek().start;
    const reader = new LiteralReader(new Scanner(text, from, Math.min(text.length, from + maxChars)));
    try {
      const v = reader.value();
      const end = reader.postfix(v.end);
      const tensor = reader.tensor(v);
      if (v.shape.length > 0 && tensor.data.length >= 2) out.push({ name, tensor, span: { start: v.start, end } });
      s.seek(end);
    } catch (e) {
      if (!(e instanceof LiteralError)) throw e;
      if (colon && target?.kind === 'name') annotated = { name, depth };
      // What was read is literal text without assignments in it: carry on after it.
      s.seek(Math.max(from, e.end));
    }
    prev = undefined;
  }
  return out;
}

/**
 * The innermost `KL(P || Q)` or `KL(P, Q)` call (also `kl(...)`, `kl_divergence(...)`) around
 * `offset` whose two arguments are array literals or names of arrays the document assigns
 * (`named`, found with findNamedArrays when not given; the last assignment before the call wins).
 */
export function findKlCallAt(
  text: string,
  offset: number,
  options: { readonly maxChars?: number; readonly named?: readonly NamedArray[] } = {},
): KlCall | undefined {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (!(offset >= 0 && offset <= text.length && maxChars > 0)) return undefined;
  for (const opener of openers(text, offset, maxChars, '(')) {
    const start = calleeStart(text, opener);
    if (!KL_CALLEES.has(text.slice(start, opener).trimEnd()) || offset < start) continue;
    const call = readKlCall(text, start, opener, maxChars, () => options.named ?? findNamedArrays(text, maxChars));
    return call && offset < call.span.end ? call : undefined;
  }
  return undefined;
}

function readKlCall(text: string, start: number, opener: number, maxChars: number, named: () => readonly NamedArray[]): KlCall | undefined {
  const s = new Scanner(text, opener + 1, Math.min(text.length, start + maxChars));
  const reader = new LiteralReader(s);
  let arrays: readonly NamedArray[] | undefined;
  const operand = (): KlCallOperand | undefined => {
    const t = s.peek();
    const after = s.peek(1);
    const called = after.kind === 'punct' && (after.text === '(' || after.text === '[') && !after.space;
    if (t.kind === 'name' && !called && specialValue(t.text) === undefined && !isArrayCallee(t.text)) {
      s.next();
      arrays ??= named();
      const found = lastBefore(arrays, t.text, start);
      return found && { tensor: found.tensor, name: t.text, span: { start: t.start, end: t.end } };
    }
    try {
      const v = reader.value();
      const end = reader.postfix(v.end);
      return v.shape.length === 0 ? undefined : { tensor: reader.tensor(v), span: { start: v.start, end } };
    } catch (e) {
      if (e instanceof LiteralError) return undefined;
      throw e;
    }
  };
  const p = operand();
  const bar = s.next();
  if (!p || bar.kind !== 'punct' || (bar.text !== '||' && bar.text !== ',')) return undefined;
  const q = operand();
  if (!q) return undefined;
  let base: number | undefined;
  for (;;) {
    const t = s.next();
    if (t.kind === 'punct' && t.text === ')') return { span: { start, end: t.end }, p, q, ...(base === undefined ? {} : { base }) };
    if (t.kind !== 'punct' || t.text !== ',') return undefined;
    const key = s.next();
    if (key.kind === 'punct' && key.text === ')') return { span: { start, end: key.end }, p, q, ...(base === undefined ? {} : { base }) };
    const eq = s.next();
    if (key.kind !== 'name' || eq.kind !== 'punct' || eq.text !== '=') return undefined;
    const value = s.peek();
    if (key.text === 'base' && (value.kind === 'number' || value.kind === 'string' || (value.kind === 'name' && value.text === 'e'))) {
      s.next();
      base = value.kind === 'number' ? parseBase(value.value) : value.kind === 'name' ? Math.E : parseBase(value.text);
      if (base === undefined) return undefined;
    } else if (!skipArgument(s)) {
      return undefined;
    }
  }
}

/** Skips one argument's tokens (brackets balanced) up to the ',' or ')' after it, which stays. */
function skipArgument(s: Scanner): boolean {
  let depth = 0;
  for (;;) {
    const t = s.peek();
    if (t.kind === 'eof') return false;
    if (t.kind === 'punct') {
      if (depth === 0 && (t.text === ',' || t.text === ')')) return true;
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    }
    s.next();
  }
}

/** The last array named `name` that ends before `offset`, else the first one after it (Python's order). */
function lastBefore(arrays: readonly NamedArray[], name: string, offset: number): NamedArray | undefined {
  let before: NamedArray | undefined;
  let after: NamedArray | undefined;
  for (const a of arrays) {
    if (a.name !== name) continue;
    if (a.span.end <= offset) before = a;
    else after ??= a;
  }
  return before ?? after;
}

/**
 * Positions of brackets that may open a literal around `offset`, innermost first: the one the
 * offset is on or reaches through a callee name (`np.ar|ray(`), then the unmatched openers found
 * walking back (never more than `maxChars` characters, never past a brace: literals hold none).
 */
function* openers(text: string, offset: number, maxChars: number, kinds: string): Generator<number> {
  let i = offset;
  while (i < text.length && i - offset < NAME_LOOKBACK && (isNameChar(text.charCodeAt(i)) || text[i] === '.' || text[i] === ' ' || text[i] === '\t')) i++;
  if (i < text.length && kinds.includes(text[i]!)) yield i;
  let depth = 0;
  let found = 0;
  const stop = Math.max(0, offset - maxChars);
  for (let j = offset - 1; j >= stop; j--) {
    const c = text.charCodeAt(j);
    if (c === 41 /* ) */ || c === 93 /* ] */) depth++;
    else if (c === 40 /* ( */ || c === 91 /* [ */) {
      if (depth > 0) {
        depth--;
      } else {
        if (kinds.includes(text[j]!)) yield j;
        // Deeper than any literal may nest: an enclosing one could not be read anyway.
        if (++found > MAX_NESTING) return;
      }
    } else if (c === 123 || c === 125 /* { } */) {
      return;
    }
  }
}

/**
 * Where the value that `text[opener]` belongs to starts: at the callee written before it
 * (`np.array`, `new Float64Array`, `print` — the reader decides which are arrays) or at the bracket.
 */
function calleeStart(text: string, opener: number): number {
  let j = opener;
  while (j > 0 && opener - j < 16 && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
  let k = j;
  while (k > 0 && j - k < NAME_LOOKBACK && (isNameChar(text.charCodeAt(k - 1)) || text[k - 1] === '.')) k--;
  const word = text.slice(k, j);
  if (word === '' || KEYWORDS.has(word) || /^[0-9.]/.test(word)) return opener;
  let m = k;
  while (m > 0 && k - m < 16 && (text[m - 1] === ' ' || text[m - 1] === '\t')) m--;
  if (m >= 3 && text.slice(m - 3, m) === 'new' && (m === 3 || !isNameChar(text.charCodeAt(m - 4)))) return m - 3;
  return k;
}

/**
 * The name a value starting at `start` is assigned to: `p = `, `p <- `, `const p = `, `p: T = `,
 * `"p": `, also through an array call (`p = np.array(` + value). Looks back over two lines at most.
 */
export function nameBefore(text: string, start: number): string | undefined {
  let from = start;
  for (let lines = 0; from > 0 && start - from < 512 && lines < 2; ) {
    from--;
    if (text.charCodeAt(from) === 10) lines++;
  }
  const s = new Scanner(text, from, start);
  const toks: Token[] = [];
  for (let t = s.next(); t.kind !== 'eof'; t = s.next()) toks.push(t);
  let k = toks.length;
  const at = (i: number): Token | undefined => (i >= 0 ? toks[i] : undefined);
  const punct = (t: Token | undefined, text: string): boolean => t?.kind === 'punct' && t.text === text;
  if (punct(at(k - 1), '(') && at(k - 2)?.kind === 'name' && isArrayCallee(at(k - 2)!.text)) {
    k -= 2;
    if (at(k - 1)?.kind === 'name' && at(k - 1)!.text === 'new') k--;
  }
  const op = at(k - 1);
  const target = at(k - 2);
  if (punct(op, ':')) return target?.kind === 'name' || target?.kind === 'string' ? target.text : undefined;
  if (!punct(op, '=') && !punct(op, '<-')) return undefined;
  // `p: list[float] = `: walk back over the type to the ':' after the name.
  let depth = 0;
  for (let j = k - 2; j >= 0; j--) {
    const t = toks[j]!;
    if (punct(t, ']') || punct(t, ')')) depth++;
    else if (punct(t, '[') || punct(t, '(')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && punct(t, ':')) {
      const annotated = at(j - 1);
      return annotated?.kind === 'name' ? annotated.text : undefined;
    } else if (depth === 0 && t.kind === 'punct' && t.text !== '.') {
      break;
    }
    if (depth === 0 && t.newline) break;
  }
  return target?.kind === 'name' ? target.text : undefined;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || (c >= 0x80 && c !== 0xa0 && c !== 0x2016 && c !== 0xfeff);
}
