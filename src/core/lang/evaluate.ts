/**
 * The tree-walking evaluator: statements in order, names bound in an environment that persists
 * for as long as the caller keeps it (a notebook keeps one per document).
 */
import { didYouMean, KlError, type Span } from '../errors';
import type { Value } from '../result';
import { map, sameShape, shapeString, type Tensor, zipWith } from '../tensor';
import type { Runtime } from '../divergence/stream';
import type { Expr, Program } from './ast';
import { bindArguments } from './bind';
import { BUILTINS, CONSTANTS, type Builtin } from './builtins';
import { parse } from './parser';
import { describeValue, tensorOf, tensorValue } from './values';

/** Extra functions a front end provides (e.g. `load()` once files can be read). */
export type HostFunctions = Readonly<Record<string, Builtin>>;

export interface EvaluateOptions {
  /** Variables visible to the program; assignments are written back into it. */
  readonly env?: Map<string, Value>;
  readonly functions?: HostFunctions;
  /** Progress and cancellation for computations streamed from large files. */
  readonly runtime?: Runtime;
}

export interface StatementOutcome {
  readonly span: Span;
  /** The assigned name, for `name = expr`. */
  readonly name?: string;
  readonly value: Value;
}

export interface ProgramOutcome {
  /** The value of the last statement; undefined for an empty program. */
  readonly value: Value | undefined;
  readonly statements: readonly StatementOutcome[];
  readonly env: Map<string, Value>;
}

export function evaluateProgram(source: string, options: EvaluateOptions = {}): ProgramOutcome {
  return runProgram(parse(source), source, options);
}

export function runProgram(program: Program, source: string, options: EvaluateOptions = {}): ProgramOutcome {
  const env = options.env ?? new Map<string, Value>();
  const evaluator = new Evaluator(source, env, { ...BUILTINS, ...options.functions }, options.runtime ?? {});
  const statements: StatementOutcome[] = [];
  for (const st of program.statements) {
    const value = evaluator.eval(st.value);
    if (st.type === 'assign') {
      env.set(st.name, value);
      statements.push({ span: st.span, name: st.name, value });
    } else {
      statements.push({ span: st.span, value });
    }
  }
  return { value: statements.at(-1)?.value, statements, env };
}

const OPS: Record<'+' | '-' | '*' | '/' | '^', (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
};

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly env: Map<string, Value>,
    private readonly functions: Readonly<Record<string, Builtin>>,
    private readonly runtime: Runtime,
  ) {}

  eval(e: Expr): Value {
    switch (e.type) {
      case 'number':
        return tensorValue({ shape: [], data: Float64Array.of(e.value) });
      case 'string':
        return { type: 'string', value: e.value };
      case 'name':
        return this.lookup(e.name, e.span);
      case 'array':
        return tensorValue(this.array(e));
      case 'unary': {
        const t = this.numeric(this.eval(e.operand), `operand of unary '${e.op}'`, e.operand.span);
        return tensorValue(e.op === '-' ? map(t, (x) => -x) : t);
      }
      case 'binary': {
        const a = this.numeric(this.eval(e.left), `left operand of '${e.op}'`, e.left.span);
        const b = this.numeric(this.eval(e.right), `right operand of '${e.op}'`, e.right.span);
        const out = zipWith(a, b, OPS[e.op]);
        if (!out) {
          throw new KlError('evaluation', `cannot broadcast shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} for '${e.op}'`, e.span);
        }
        return tensorValue(out);
      }
      case 'call': {
        const fn = this.functions[e.callee];
        if (!fn) {
          const hint = didYouMean(e.callee, Object.keys(this.functions));
          throw new KlError('evaluation', `unknown function '${e.callee}'${hint}`, e.calleeSpan);
        }
        const positional = e.args.map((a) => this.eval(a));
        const keywords = e.keywords.map((k) => this.eval(k.value));
        return fn.call(bindArguments(fn.spec, e, positional, keywords, this.source, this.runtime));
      }
    }
  }

  private lookup(name: string, span: Span): Value {
    const v = this.env.get(name) ?? CONSTANTS[name];
    if (v) return v;
    if (this.functions[name]) throw new KlError('evaluation', `'${name}' is a function; call it as ${this.functions[name].spec.usage}`, span);
    const hint = didYouMean(name, [...this.env.keys(), ...Object.keys(CONSTANTS)]);
    throw new KlError('evaluation', `undefined name '${name}'${hint}`, span);
  }

  private numeric(v: Value, what: string, span: Span): Tensor {
    const t = v.type === 'bool' ? undefined : tensorOf(v, span, `the ${what}`);
    if (!t) throw new KlError('evaluation', `the ${what} must be numbers, got ${describeValue(v)}`, span);
    return t;
  }

  /** Nested literals stack like np.array: items are numbers, or arrays of one common shape. */
  private array(e: Extract<Expr, { type: 'array' }>): Tensor {
    if (e.items.length === 0) return { shape: [0], data: new Float64Array(0) };
    // Literal vectors (pasted logits, hover literals) skip per-entry tensors: 10⁵ entries stay cheap.
    if (e.items.every((item) => item.type === 'number')) {
      return { shape: [e.items.length], data: Float64Array.from(e.items, (item) => (item as { value: number }).value) };
    }
    const items = e.items.map((item) => this.numeric(this.eval(item), 'array entries', item.span));
    const first = items[0]!;
    items.forEach((t, i) => {
      if (!sameShape(t.shape, first.shape)) {
        const what = (s: readonly number[]): string => (s.length === 0 ? 'a number' : `shape ${shapeString(s)}`);
        throw new KlError('evaluation', `ragged array: entry ${i + 1} is ${what(t.shape)} but entry 1 is ${what(first.shape)}`, e.items[i]!.span);
      }
    });
    const n = first.data.length;
    const data = new Float64Array(n * items.length);
    items.forEach((t, i) => data.set(t.data, i * n));
    return { shape: [items.length, ...first.shape], data };
  }
}

