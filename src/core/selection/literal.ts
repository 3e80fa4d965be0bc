/**
 * Reads one array literal as Python, NumPy, PyTorch, JAX, TensorFlow, JS/TS, JSON, Julia or R
 * write it: `[0.5, 0.3]`, `np.array([[1, 2], [3, 4]], dtype=np.float32)`, `torch.tensor((0.1, 0.9))`,
 * `c(0.2, 0.8)`, `[0.1 0.2; 0.3 0.4]`, with `inf`/`nan` spelled any of the usual ways.
 *
 * Recursive descent over the bounded Scanner, depth-capped, so it is linear in the characters read
 * and safe on any input. Numbers go into one flat buffer in row-major order as they are read, so
 * nesting never copies them.
 */
import type { Tensor } from '../tensor';
import type { Scanner, Token } from './scanner';

/** NumPy's limit on dimensions (32 before NumPy 2): deeper nesting is not an array anyone wrote. */
export const MAX_RANK = 32;
/** Brackets and parentheses together, so `((((1))))` cannot exhaust the stack either. */
export const MAX_NESTING = 64;

/** Why the text is not an array literal, with the offending range. */
export class LiteralError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
    /** The scan reached its character limit before the literal ended. */
    readonly truncated: boolean,
    /** The failure is inside a literal (ragged, not a number, unclosed), not before one began. */
    readonly inLiteral: boolean,
  ) {
    super(message);
    this.name = 'LiteralError';
  }
}

/** A value read: its shape ([] for a number), where its numbers start in the buffer, its text range. */
export interface Parsed {
  readonly shape: readonly number[];
  readonly from: number;
  readonly start: number;
  readonly end: number;
}

const INFINITIES = new Set([
  'inf', 'Inf', 'INF', 'infinity', 'Infinity', 'Inf64', 'Inf32', 'Inf16',
  'np.inf', 'np.Inf', 'np.infty', 'np.PINF', 'numpy.inf', 'math.inf', 'torch.inf', 'jnp.inf', 'jax.numpy.inf', 'cp.inf',
  'Number.POSITIVE_INFINITY',
]);
const NANS = new Set([
  'nan', 'NaN', 'NAN', 'NaN64', 'NaN32', 'NaN16',
  'np.nan', 'np.NaN', 'np.NAN', 'numpy.nan', 'math.nan', 'torch.nan', 'jnp.nan', 'jax.numpy.nan', 'cp.nan', 'Number.NaN',
]);
const NEGATIVE_INFINITIES = new Set(['Number.NEGATIVE_INFINITY', 'np.NINF']);

/** Calls whose first argument is the array: `np.array([...], dtype=...)`. */
const WRAPPERS = new Set([
  'np.array', 'np.asarray', 'np.asanyarray', 'np.ascontiguousarray', 'numpy.array', 'numpy.asarray', 'numpy.asanyarray',
  'jnp.array', 'jnp.asarray', 'jax.numpy.array', 'jax.numpy.asarray', 'mx.array', 'cp.array', 'cupy.array',
  'torch.tensor', 'torch.as_tensor', 'torch.Tensor', 'torch.FloatTensor', 'torch.DoubleTensor', 'torch.from_numpy',
  'tf.constant', 'tf.convert_to_tensor', 'tensorflow.constant', 'tf.tensor', 'tf.tensor1d', 'tf.tensor2d',
  'pd.Series', 'pandas.Series', 'array', 'asarray', 'tensor', 'list', 'tuple',
  'Float64Array.from', 'Float32Array.from', 'Array.from',
]);
/** JS typed arrays, constructed with `new`. */
const TYPED_ARRAYS = new Set(['Float64Array', 'Float32Array', 'Array']);
/** Calls that concatenate their arguments into one vector: R's `c(...)`, `Float64Array.of(...)`. */
const CONCATENATIONS = new Set(['c', 'Float64Array.of', 'Float32Array.of', 'Array.of']);
/** Julia's typed array literals: `Float64[0.1, 0.2]`. */
const JULIA_TYPES = new Set(['Float64', 'Float32', 'Float16', 'Int', 'Int64', 'Int32', 'Real', 'Number']);
/** Calls that make one number: `float('inf')`, `np.float64(0.5)`. */
const SCALAR_CALLS = new Set(['float', 'np.float64', 'np.float32', 'numpy.float64', 'Number']);

const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of `inf`, `-Infinity`, `NaN`, `0.5` written as a string (float('inf'), JSON); undefined otherwise. */
export function numberFromString(s: string): number | undefined {
  // Short strings only: the pattern is linear, but there is no reason to run it on a paragraph.
  if (s.length > 40) return undefined;
  const t = s.trim();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '').toLowerCase();
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  return NUMERIC_STRING.test(t) ? Number(t) : undefined;
}

/** The number a name stands for (`np.inf`, `NaN`, ...); undefined when it is not one. */
export function specialValue(name: string): number | undefined {
  if (INFINITIES.has(name)) return Infinity;
  if (NANS.has(name)) return NaN;
  if (NEGATIVE_INFINITIES.has(name)) return -Infinity;
  return undefined;
}

/** True for a name that begins an array value: `np.array`, `torch.tensor`, `c`, `new`, ... */
export function isArrayCallee(name: string): boolean {
  return WRAPPERS.has(name) || CONCATENATIONS.has(name) || JULIA_TYPES.has(name) || name === 'new';
}

/** Method calls after an array that keep its values: `.float()`, `.numpy()`, `.astype(np.float32)`. */
const NO_OP_METHODS = new Set(['float', 'double', 'cpu', 'cuda', 'numpy', 'tolist', 'detach', 'astype', 'to', 'contiguous', 'clone', 'copy', 'values']);

/** Reads array values from a Scanner; one reader per scan, its numbers kept in `values`. */
export class LiteralReader {
  /** Every number read so far, row-major per value. */
  readonly values: number[] = [];
  private depth = 0;

  constructor(readonly scanner: Scanner) {}

  /** Reads one value at the current token: an array literal, an array call, or a number. */
  value(): Parsed {
    const t = this.scanner.peek();
    if (this.depth >= MAX_NESTING) this.fail(`nested more than ${MAX_NESTING} levels deep`, t);
    this.depth++;
    try {
      return this.atom(t);
    } finally {
      this.depth--;
    }
  }

  /** The numbers of `p` as a tensor. */
  tensor(p: Parsed): Tensor {
    let n = 1;
    for (const d of p.shape) n *= d;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = this.values[p.from + i]!;
    return { shape: [...p.shape], data };
  }

  /** Skips no-op method calls after a value (`.float()`, `.to(torch.float64)`); returns the new end. */
  postfix(end: number): number {
    const s = this.scanner;
    for (;;) {
      const dot = s.peek();
      const method = s.peek(1);
      if (!(dot.kind === 'punct' && dot.text === '.' && !dot.space && method.kind === 'name' && NO_OP_METHODS.has(method.text))) return end;
      s.next();
      s.next();
      end = method.end;
      if (s.peek().kind === 'punct' && s.peek().text === '(') end = this.skipArguments(s.next());
    }
  }

  /** Throws a LiteralError at `t` (inside a literal when the reader is nested). */
  fail(message: string, t: { start: number; end: number }, inLiteral = this.depth > 1): never {
    const truncated = 'kind' in t && (t as Token).kind === 'eof' && (t as Token).truncated === true;
    throw new LiteralError(truncated ? 'the array is longer than the size limit' : message, t.start, t.end, truncated, inLiteral || truncated);
  }

  private atom(t: Token): Parsed {
    const s = this.scanner;
    switch (t.kind) {
      case 'number':
        s.next();
        if (t.bad) this.fail(`'${clip(t.text)}' is not a number this reader understands`, t);
        return this.scalar(t.value, t.start, t.end);
      case 'string': {
        s.next();
        const v = numberFromString(t.text);
        if (v === undefined) this.fail(`the string ${JSON.stringify(clip(t.text))} is not a number`, t);
        return this.scalar(v, t.start, t.end);
      }
      case 'name':
        return this.named(t);
      case 'punct':
        if (t.text === '-' || t.text === '+') return this.signed(t);
        if (t.text === '[') return this.list(s.next(), ']', t.start, true);
        if (t.text === '(') return this.list(s.next(), ')', t.start, false);
        return this.fail(t.text === '{' ? 'an object or set is not an array' : `unexpected '${t.text}'`, t);
      case 'eof':
        return this.fail('unexpected end of the text', t);
    }
  }

  private scalar(value: number, start: number, end: number): Parsed {
    this.values.push(value);
    return { shape: [], from: this.values.length - 1, start, end };
  }

  private signed(sign: Token): Parsed {
    this.scanner.next();
    const operand = this.scanner.peek();
    const v = this.value();
    if (v.shape.length > 0) this.fail(`a sign '${sign.text}' before an array is arithmetic, which is not evaluated`, operand);
    if (sign.text === '-') this.values[v.from] = -this.values[v.from]!;
    return { ...v, start: sign.start };
  }

  private named(t: Token): Parsed {
    const s = this.scanner;
    const special = specialValue(t.text);
    if (special !== undefined) {
      s.next();
      return this.scalar(special, t.start, t.end);
    }
    const after = s.peek(1);
    const opens = (text: string): boolean => after.kind === 'punct' && after.text === text;
    if (t.text === 'new' && after.kind === 'name' && TYPED_ARRAYS.has(after.text)) {
      s.next();
      const inner = this.wrapped(s.next());
      return { ...inner, start: t.start };
    }
    if (WRAPPERS.has(t.text) && opens('(')) return this.wrapped(s.next());
    if (CONCATENATIONS.has(t.text) && opens('(')) {
      s.next();
      // c(1, c(2, 3)) is the flat vector 1, 2, 3 in R: entries of any shape, concatenated.
      const v = this.list(s.next(), ')', t.start, false, true);
      return { ...v, shape: [this.values.length - v.from] };
    }
    if (JULIA_TYPES.has(t.text) && opens('[') && !after.space) {
      s.next();
      return this.list(s.next(), ']', t.start, true);
    }
    if (SCALAR_CALLS.has(t.text) && opens('(')) {
      s.next();
      s.next();
      const inner = this.value();
      if (inner.shape.length > 0) this.fail(`${t.text}(...) of an array is not a number`, inner);
      return { ...inner, start: t.start, end: this.close(')', inner) };
    }
    if (t.text === 'True' || t.text === 'False' || t.text === 'true' || t.text === 'false' || t.text === 'TRUE' || t.text === 'FALSE') {
      this.fail(`${t.text} is a boolean, not a number`, t);
    }
    if (opens('(') || opens('[')) this.fail(`${clip(t.text)}${after.text}...${after.text === '(' ? ')' : ']'} is not an array literal`, t);
    return this.fail(`'${clip(t.text)}' is not a number`, t);
  }

  /** `np.array(` data `, dtype=..., device=...)`: the first argument is the array, the rest are skipped. */
  private wrapped(callee: Token): Parsed {
    const s = this.scanner;
    const open = s.next();
    if (open.kind !== 'punct' || open.text !== '(') this.fail(`expected '(' after ${callee.text}`, open);
    this.depth++;
    try {
      const data = this.value();
      let end: number;
      const t = s.peek();
      if (t.kind === 'punct' && t.text === ',') end = this.skipArguments(open);
      else end = this.close(')', data);
      return { ...data, start: callee.start, end };
    } finally {
      this.depth--;
    }
  }

  /** Consumes `closer` or fails; returns the end of the closer. */
  private close(closer: string, after: { start: number; end: number }): number {
    const t = this.scanner.next();
    if (t.kind !== 'punct' || t.text !== closer) this.fail(`expected '${closer}' after the value, found ${describe(t)}`, t.kind === 'eof' ? t : { start: after.start, end: t.end }, true);
    return t.end;
  }

  /** Skips the remaining arguments of a call, brackets balanced, through its ')'; returns its end. */
  private skipArguments(open: Token): number {
    const s = this.scanner;
    let depth = 1;
    for (;;) {
      const t = s.next();
      if (t.kind === 'eof') this.fail(`'(' at ${open.start} is never closed`, t, true);
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
      if (depth === 0) {
        if (t.text !== ')') this.fail(`expected ')' to close the call, found '${t.text}'`, t, true);
        return t.end;
      }
    }
  }

  /**
   * The items of `[...]` or `(...)` up to `closer`. Commas separate items; inside brackets Julia's
   * whitespace (columns) and `;` or line breaks (rows) do too, for numbers. `(x)` without a comma is
   * a parenthesised value, not a tuple.
   */
  private list(open: Token, closer: ']' | ')', start: number, julia: boolean, concatenate = false): Parsed {
    const s = this.scanner;
    const from = this.values.length;
    let mode: 'none' | 'comma' | 'julia' = 'none';
    let count = 0;
    let first: Parsed | undefined;
    // Julia rows: completed rows, entries in the first row, entries in the current row.
    let rows = 0;
    let cols = -1;
    let inRow = 0;
    let rowStart = open.start;
    const finishRow = (end: number): void => {
      if (cols === -1) cols = inRow;
      else if (inRow !== cols) this.fail(`ragged: row ${rows} has ${entries(inRow)} but row 0 has ${entries(cols)}`, { start: rowStart, end }, true);
      rows++;
      inRow = 0;
      rowStart = end;
    };
    for (;;) {
      let t = s.peek();
      if (t.kind === 'punct' && t.text === closer) break;
      if (count > 0) {
        if (t.kind === 'punct' && t.text === ',') {
          if (mode === 'julia') this.fail("a ',' after space-separated entries: use one or the other", t, true);
          mode = 'comma';
          s.next();
          t = s.peek();
          if (t.kind === 'punct' && t.text === closer) break;
        } else if (julia && t.kind === 'punct' && t.text === ';' && mode !== 'comma') {
          mode = 'julia';
          s.next();
          finishRow(t.start);
          t = s.peek();
          if (t.kind === 'punct' && t.text === closer) break;
        } else if (julia && mode !== 'comma' && (t.newline || (t.space && startsElement(t, s.peek(1))))) {
          mode = 'julia';
          if (t.newline && inRow > 0) finishRow(t.start);
        } else {
          this.fail(`expected ',' or '${closer}' after an entry, found ${describe(t)}`, t, true);
        }
      }
      const item = this.value();
      if (mode === 'julia' && item.shape.length > 0) this.fail('space- or ;-separated entries must be numbers', item, true);
      if (first === undefined) first = item;
      else if (!concatenate && !sameShape(item.shape, first.shape)) this.fail(`ragged: entry ${count} ${shapeText(item.shape)} but entry 0 ${shapeText(first.shape)}`, item, true);
      count++;
      inRow++;
    }
    const end = s.next().end;
    if (mode === 'julia') {
      if (first && first.shape.length > 0) this.fail('space- or ;-separated entries must be numbers', first, true);
      if (inRow > 0) finishRow(end);
      // A single row, or a column of single numbers ([1; 2; 3]), is a vector.
      const shape = rows === 1 ? [cols] : cols === 1 ? [rows] : [rows, cols];
      return { shape, from, start, end };
    }
    if (closer === ')' && mode === 'none' && count === 1) {
      // (x) groups; only (x,) is a one-element tuple.
      return { ...first!, start, end };
    }
    const shape = [count, ...(first?.shape ?? [])];
    if (shape.length > MAX_RANK) this.fail(`more than ${MAX_RANK} dimensions`, { start, end }, true);
    return { shape, from, start, end };
  }
}

/** True when `t` (after whitespace) begins a new space-separated entry: `[1 -2]` but not `[1 - 2]`. */
function startsElement(t: Token, next: Token): boolean {
  if (t.kind === 'number' || t.kind === 'name' || t.kind === 'string') return true;
  if (t.kind !== 'punct') return false;
  if (t.text === '-' || t.text === '+') return !next.space;
  return t.text === '[' || t.text === '(';
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeText(shape: readonly number[]): string {
  if (shape.length === 0) return 'is a number';
  if (shape.length === 1) return `has ${entries(shape[0]!)}`;
  return `has shape [${shape.join(', ')}]`;
}

function entries(n: number): string {
  return n === 1 ? '1 entry' : `${n} entries`;
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the text';
  if (t.kind === 'string') return 'a string';
  return `'${clip(t.text)}'`;
}

function clip(s: string, max = 30): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
