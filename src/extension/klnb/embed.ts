/**
 * Making a cell's output self-contained for the notebook renderer, which evaluates the payload with
 * the pure core and cannot read files or see the notebook's other cells.
 *
 * Design: the cell is evaluated as written (errors point at the user's text); then its program is
 * rewritten for the payload. Every `load(...)` call is replaced by a variable bound to the tensor
 * that call returned, named after the key or file (`load("logits.safetensors", "student")` →
 * `student`); a statement `p = load(...)` that comes before any other use of `p` in the cell is
 * dropped and `p` itself bound, so the payload reads as the user wrote it. Every name the cell reads
 * from earlier cells is bound under its own name. Values
 * that are not tensors are written back as source text (a Gaussian as `N(mean, cov)`, a string as a
 * literal). Tensors travel as exact binary data (float32 when every entry is a float32, else float64),
 * so the renderer's numbers are the cell's numbers.
 */
import type { Expr, Program } from '../../core/lang/ast';
import { BUILTINS, CONSTANTS } from '../../core/lang/builtins';
import { walkExpr } from '../../core/lang/walk';
import { lazySize, materialize } from '../../core/lazy';
import type { Value } from '../../core/result';
import { size, type Tensor } from '../../core/tensor';
import type { Gaussian } from '../../core/gaussian/gaussian';
import type { PayloadJson, PayloadOptionsJson } from '../../core/notebook/payload';
import type { BinaryTensorJson } from '../../core/notebook/variables';

/** Above this many elements in all, the variables are not embedded (the payload would bloat the notebook file). */
export const EMBED_LIMIT = 1 << 20;

/** What a KL notebook cell emits: the contract's payload, with variables always binary. */
export interface KlPayload extends PayloadJson {
  readonly variables: Readonly<Record<string, BinaryTensorJson>>;
  readonly options: PayloadOptionsJson;
}

export type Embedding = { readonly kind: 'payload'; readonly payload: KlPayload } | { readonly kind: 'too-big'; readonly message: string };

export interface EmbedInput {
  readonly program: Program;
  readonly source: string;
  /** The notebook's variables as they were before the cell ran. */
  readonly before: ReadonlyMap<string, Value>;
  /** What each load() call returned, by the start offset of the call. */
  readonly loads: ReadonlyMap<number, { readonly spec: string; readonly value: Value }>;
  readonly defaultBase: number;
  readonly digits: number;
  readonly topK: number;
  /** Defaults to EMBED_LIMIT. */
  readonly limit?: number;
}

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function embedCell(input: EmbedInput): Embedding {
  const { program, source, before, loads } = input;
  const replacements: Replacement[] = [];
  const bound = new Map<string, Value>();
  const taken = new Set<string>([...before.keys(), ...Object.keys(BUILTINS), ...Object.keys(CONSTANTS), 'load', ...namesIn(program)]);
  const loadNames = new Map<string, string>();
  const assigned = new Set<string>();

  // A load() call with a recorded result is replaced whole, so nothing inside it is visited.
  const visit = (e: Expr): boolean => {
    if (e.type === 'name') {
      const value = assigned.has(e.name) ? undefined : before.get(e.name);
      if (!value) return true;
      const literal = literalText(value);
      if (literal !== undefined) replacements.push({ start: e.span.start, end: e.span.end, text: literal });
      else bound.set(e.name, value);
      return true;
    }
    const loaded = e.type === 'call' && e.callee === 'load' ? loads.get(e.span.start) : undefined;
    if (!loaded) return true;
    let name = loadNames.get(loaded.spec);
    if (!name) {
      name = freshName(loaded.spec, taken);
      taken.add(name);
      loadNames.set(loaded.spec, name);
      bound.set(name, loaded.value);
    }
    replacements.push({ start: e.span.start, end: e.span.end, text: name });
    return false;
  };
  const seen = new Set<string>();
  for (const st of program.statements) {
    const loaded = st.type === 'assign' && st.value.type === 'call' && st.value.callee === 'load' ? loads.get(st.value.span.start) : undefined;
    if (st.type === 'assign' && loaded && !seen.has(st.name)) {
      bound.set(st.name, loaded.value);
      replacements.push({ start: st.span.start, end: lineEnd(source, st.span.end), text: '' });
    } else {
      walkExpr(st.value, visit);
    }
    namesIn({ statements: [st] }).forEach((n) => seen.add(n));
    if (st.type === 'assign') assigned.add(st.name);
  }

  const limit = input.limit ?? EMBED_LIMIT;
  const tensors = new Map<string, Tensor>();
  let total = 0;
  const tooBig: string[] = [];
  for (const [name, value] of bound) {
    const n = value.type === 'lazy' ? lazySize(value.lazy) : value.type === 'tensor' ? size(value.tensor.shape) : value.type === 'result' ? size(value.result.value.shape) : 0;
    total += n;
    if (total > limit) {
      tooBig.push(`${name} (${n.toLocaleString('en-US')} elements)`);
      continue;
    }
    tensors.set(name, tensorFor(value));
  }
  if (tooBig.length > 0) {
    return {
      kind: 'too-big',
      message: `The inputs of this cell are too large to embed in the notebook (${total.toLocaleString('en-US')} elements in all; the limit is ${limit.toLocaleString('en-US')}): ${tooBig.join(', ')}. The value above is computed from the full data; the derivation and charts are not stored.`,
    };
  }

  let expression = '';
  let at = 0;
  for (const r of replacements.sort((a, b) => a.start - b.start)) {
    expression += source.slice(at, r.start) + r.text;
    at = r.end;
  }
  expression += source.slice(at);

  const variables = Object.fromEntries([...tensors].map(([name, t]) => [name, encodeTensor(t)]));
  // nats is every viewer's default unit, so it is left out; digits and topK are the settings in force.
  const options: PayloadOptionsJson = { ...(input.defaultBase === Math.E ? {} : { base: input.defaultBase }), digits: input.digits, topK: input.topK };
  return { kind: 'payload', payload: { expression: expression.trim(), variables, options } };
}

function tensorFor(value: Value): Tensor {
  switch (value.type) {
    case 'tensor':
      return value.tensor;
    case 'lazy':
      return materialize(value.lazy, value.lazy.label, undefined);
    case 'result':
      // A computed quantity read by a later cell is its value, as tensorOf does in the language.
      return value.result.value;
    default:
      throw new Error(`${value.type} values are written as source text, not bound`);
  }
}

/** Source text that evaluates to the same value, for values that are not tensors. */
function literalText(value: Value): string | undefined {
  switch (value.type) {
    case 'string':
      return JSON.stringify(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'gaussian':
      return gaussianText(value.gaussian);
    default:
      return undefined;
  }
}

/** `N(mean, covariance)` with every number written exactly (shortest round-trip form). */
export function gaussianText(g: Gaussian): string {
  const num = (x: number): string => String(x);
  const list = (xs: ArrayLike<number>): string => `[${Array.from(xs, num).join(', ')}]`;
  const c = g.covariance;
  if (g.dim === undefined) {
    return `N(${num(g.mean[0]!)}, ${num(c.kind === 'diagonal' ? c.variance[0]! : c.matrix[0]!)})`;
  }
  const k = g.dim;
  if (c.kind === 'diagonal') return `N(${list(g.mean)}, ${list(c.variance)})`;
  const rows = Array.from({ length: k }, (_, i) => list(c.matrix.subarray(i * k, (i + 1) * k)));
  return `N(${list(g.mean)}, [${rows.join(', ')}])`;
}

/** Float32 when that is exact for every entry (files of float32 stay half the size), else float64. */
export function encodeTensor(t: Tensor): BinaryTensorJson {
  const exact32 = t.data.every((x) => Number.isNaN(x) || Math.fround(x) === x);
  const typed = exact32 ? Float32Array.from(t.data) : Float64Array.from(t.data);
  // Typed arrays are in platform order; every platform Node and VS Code run on is little-endian.
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  return { dtype: exact32 ? 'float32' : 'float64', shape: [...t.shape], data: Buffer.from(bytes).toString('base64') };
}

/** A readable variable name for a loaded tensor: the last part of its key, else the file's stem. */
function freshName(spec: string, taken: ReadonlySet<string>): string {
  const [path, key] = spec.split('\0') as [string, string | undefined];
  const raw = key ? key.split(/[./]/).filter(Boolean).at(-1) ?? key : (path.split(/[\\/]/).at(-1) ?? path).replace(/\.[^.]*$/, '');
  let base = raw.replace(/[^\p{L}\p{N}_]/gu, '_');
  if (!/^[\p{L}_]/u.test(base)) base = `t_${base}`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Past the statement's line break (or `;`), so a dropped statement leaves no blank line. */
function lineEnd(source: string, end: number): number {
  let i = end;
  while (i < source.length && (source[i] === ' ' || source[i] === '\t')) i++;
  return source[i] === '\n' || source[i] === ';' ? i + 1 : end;
}

function namesIn(program: Program): Set<string> {
  const names = new Set<string>();
  for (const st of program.statements) {
    if (st.type === 'assign') names.add(st.name);
    walkExpr(st.value, (e) => {
      if (e.type === 'name') names.add(e.name);
    });
  }
  return names;
}
