/**
 * Binding call arguments to a function's parameters, with the checks and messages every builtin
 * shares: unknown options with a suggestion, missing or surplus arguments, wrong types, `||` on a
 * function that does not take two distributions.
 */
import type { Arg } from '../divergence/operands';
import type { LazyArg, Runtime } from '../divergence/stream';
import { lazyOf, lazySize } from '../lazy';
import { didYouMean, KlError, type Span } from '../errors';
import { REDUCTIONS, type Reduction, type Value } from '../result';
import type { Tensor } from '../tensor';
import { parseBase } from '../units';
import type { CallExpr } from './ast';
import { describeValue, expectTensor } from './values';

export interface ParamSpec {
  readonly name: string;
  /** Optional parameters may be passed by keyword or after the required ones. */
  readonly optional?: boolean;
}

export interface FunctionSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Accepts `F(P || Q)` as well as `F(P, Q)`. */
  readonly bars?: boolean;
  /** One line for `--help` and hovers: the call form and what it computes. */
  readonly usage: string;
  readonly summary: string;
}

export interface BoundArg {
  readonly value: Value;
  readonly span: Span;
  readonly text: string;
}

/** The arguments of one call, bound by parameter name, with typed accessors that report at the argument. */
export class CallArgs {
  constructor(
    readonly spec: FunctionSpec,
    readonly call: CallExpr,
    private readonly bound: ReadonlyMap<string, BoundArg>,
    /** The call's source text, e.g. `N(0, 1)`. */
    readonly text: string,
    /** Progress and cancellation for long (streamed) computations. */
    readonly runtime: Runtime = {},
  ) {}

  /** The argument as a file-backed tensor, when it is one (and large enough to stream). */
  lazyArg(name: string, threshold: number): LazyArg | undefined {
    const a = this.bound.get(name);
    if (a?.value.type !== 'lazy' || lazySize(a.value.lazy) <= threshold) return undefined;
    return { role: name, text: a.text, span: a.span, lazy: a.value.lazy };
  }

  /** Any argument as a lazy tensor (in-memory ones wrapped), for mixing a file with a literal. */
  asLazy(name: string): LazyArg {
    const a = this.required(name);
    if (a.value.type === 'lazy') return { role: name, text: a.text, span: a.span, lazy: a.value.lazy };
    return { role: name, text: a.text, span: a.span, lazy: lazyOf(this.tensor(name), a.text) };
  }

  has(name: string): boolean {
    return this.bound.has(name);
  }

  get(name: string): BoundArg | undefined {
    return this.bound.get(name);
  }

  required(name: string): BoundArg {
    const a = this.bound.get(name);
    if (!a) throw new KlError('evaluation', `${this.spec.name}: missing argument ${name}; usage: ${this.spec.usage}`, this.call.span);
    return a;
  }

  fail(name: string, message: string): never {
    const a = this.bound.get(name);
    throw new KlError('evaluation', `${this.spec.name}: ${message}`, a?.span ?? this.call.span);
  }

  /** A numeric argument as a core `Arg` (role = parameter name). */
  tensorArg(name: string): Arg {
    const a = this.required(name);
    return { role: name, text: a.text, span: a.span, tensor: expectTensor(a.value, `${this.spec.name}: argument ${name}`, a.span) };
  }

  tensor(name: string): Tensor {
    return this.tensorArg(name).tensor;
  }

  number(name: string, fallback: number): number {
    const a = this.bound.get(name);
    if (!a) return fallback;
    const t = a.value.type === 'tensor' ? a.value.tensor : a.value.type === 'result' ? a.value.result.value : undefined;
    if (!t || t.data.length !== 1) this.fail(name, `${name} must be a number, got ${describeValue(a.value)}`);
    return t.data[0]!;
  }

  positive(name: string, fallback: number): number {
    const x = this.number(name, fallback);
    if (!(x > 0) || !Number.isFinite(x)) this.fail(name, `${name} must be a positive number, got ${x}`);
    return x;
  }

  string(name: string, fallback: string, allowed: readonly string[]): string {
    const a = this.bound.get(name);
    if (!a) return fallback;
    if (a.value.type !== 'string') this.fail(name, `${name} must be one of ${quoteList(allowed)}, got ${describeValue(a.value)}`);
    const s = a.value.value;
    if (!allowed.includes(s)) this.fail(name, `${name} must be one of ${quoteList(allowed)}, got "${s}"${didYouMean(s, allowed)}`);
    return s;
  }

  bool(name: string, fallback: boolean): boolean {
    const a = this.bound.get(name);
    if (!a) return fallback;
    if (a.value.type !== 'bool') this.fail(name, `${name} must be true or false, got ${describeValue(a.value)}`);
    return a.value.value;
  }

  /** `base=`: a number b > 0, b ≠ 1, or a unit name ("bits", "nats", "hartleys"). */
  base(): number | undefined {
    const a = this.bound.get('base');
    if (!a) return this.runtime.defaultBase;
    let raw: number | string | undefined;
    if (a.value.type === 'string') raw = a.value.value;
    else if (a.value.type === 'tensor' && a.value.tensor.data.length === 1) raw = a.value.tensor.data[0]!;
    const base = raw === undefined ? undefined : parseBase(raw);
    if (base === undefined) {
      this.fail('base', `base must be a number > 0 other than 1 (e, 2, 10, ...) or "nats", "bits", "hartleys"; got ${raw === undefined ? describeValue(a.value) : JSON.stringify(raw)}`);
    }
    return base;
  }

  reduction(fallback?: Reduction): Reduction | undefined {
    if (!this.bound.has('reduction')) return fallback;
    return this.string('reduction', 'none', REDUCTIONS) as Reduction;
  }
}

function quoteList(xs: readonly string[]): string {
  return xs.map((x) => `"${x}"`).join(', ');
}

/** Matches positional and keyword arguments to the spec; values are evaluated by the caller. */
export function bindArguments(
  spec: FunctionSpec,
  call: CallExpr,
  positional: readonly Value[],
  keywords: readonly Value[],
  source: string,
  runtime: Runtime = {},
): CallArgs {
  if (call.bars && !spec.bars) {
    throw new KlError('evaluation', `${spec.name} does not take two distributions; '||' is for divergences such as KL(P || Q). Usage: ${spec.usage}`, call.bars);
  }
  const bound = new Map<string, BoundArg>();
  const text = (span: Span): string => source.slice(span.start, span.end);
  if (positional.length > spec.params.length) {
    const extra = call.args[spec.params.length]!;
    throw new KlError(
      'evaluation',
      `${spec.name} takes at most ${spec.params.length} positional argument${spec.params.length === 1 ? '' : 's'} but ${positional.length} were given; usage: ${spec.usage}`,
      extra.span,
    );
  }
  positional.forEach((value, i) => {
    const span = call.args[i]!.span;
    bound.set(spec.params[i]!.name, { value, span, text: text(span) });
  });
  call.keywords.forEach((kw, i) => {
    const param = spec.params.find((p) => p.name === kw.name);
    if (!param) {
      const names = spec.params.map((p) => p.name);
      throw new KlError('evaluation', `${spec.name}: unknown option '${kw.name}'${didYouMean(kw.name, names)}; usage: ${spec.usage}`, kw.nameSpan);
    }
    if (bound.has(kw.name)) throw new KlError('evaluation', `${spec.name}: argument ${kw.name} given twice`, kw.nameSpan);
    bound.set(kw.name, { value: keywords[i]!, span: kw.value.span, text: text(kw.value.span) });
  });
  for (const p of spec.params) {
    if (!p.optional && !bound.has(p.name)) {
      throw new KlError('evaluation', `${spec.name}: missing argument ${p.name}; usage: ${spec.usage}`, call.span);
    }
  }
  return new CallArgs(spec, call, bound, text(call.span), runtime);
}
