/**
 * The notebook output contract: cells (Jupyter kernels through the Python helper, KL notebooks)
 * emit `application/vnd.kl-lens+json`, and the renderer and the host read it through here.
 * Saved notebooks depend on this shape, so it only ever grows by optional fields.
 *
 * ```json
 * { "expression": "KL(p || q)",
 *   "variables": { "p": [0.5, 0.3, 0.2],
 *                  "q": { "dtype": "float32", "shape": [3], "data": "<base64, little-endian>" } },
 *   "options": { "base": 2 } }
 * ```
 */
import { parseBase } from '../units';
import type { Tensor } from '../tensor';
import { describeJson, PayloadError } from './errors';
import { decodeVariable, type VariableJson } from './variables';

export const KL_LENS_MIME = 'application/vnd.kl-lens+json';

/** The payload as it travels (JSON). */
export interface PayloadJson {
  readonly expression: string;
  readonly variables?: Readonly<Record<string, VariableJson>>;
  readonly options?: PayloadOptionsJson;
}

export interface PayloadOptionsJson {
  /** Unit for calls that set no base=: a number > 0 other than 1, or "e", "nats", "bits", "hartleys", ... */
  readonly base?: number | string;
  /** Significant digits shown (1–17). */
  readonly digits?: number;
  /** Elements drawn one by one in charts before the rest is aggregated (2–200). */
  readonly topK?: number;
}

/** A validated payload, variables decoded. Options left out are the viewer's to choose. */
export interface Payload {
  readonly expression: string;
  readonly variables: ReadonlyMap<string, Tensor>;
  readonly options: { readonly base?: number; readonly digits?: number; readonly topK?: number };
}

const FIELDS = ['expression', 'variables', 'options'];
const OPTIONS = ['base', 'digits', 'topK'];
/** The expression language's identifiers: what the program can refer to. */
const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Validates and decodes a payload; throws one PayloadError naming the field (`variables.q.shape[1]`).
 * @example parsePayload({ expression: 'H(p)', variables: { p: [0.5, 0.5] } }).variables.get('p')
 */
export function parsePayload(json: unknown): Payload {
  const top = record(json, '', 'a JSON object with an expression');
  known(top, FIELDS, '', 'a payload has expression, variables and options');
  if (!('expression' in top)) throw new PayloadError('', 'missing expression (the KL Lens program to evaluate, e.g. "KL(p || q)")');
  const expression = top['expression'];
  if (typeof expression !== 'string') throw new PayloadError('expression', `expected a string, got ${describeJson(expression)}`);
  if (expression.trim() === '') throw new PayloadError('expression', 'is empty');

  const variables = new Map<string, Tensor>();
  if (top['variables'] !== undefined) {
    const vars = record(top['variables'], 'variables', 'an object of name: array');
    for (const [name, value] of Object.entries(vars)) {
      if (!NAME.test(name)) throw new PayloadError(`variables[${JSON.stringify(name)}]`, 'is not a valid variable name (letters, digits and _, not starting with a digit)');
      variables.set(name, decodeVariable(value, `variables.${name}`));
    }
  }
  return { expression, variables, options: top['options'] === undefined ? {} : parseOptions(top['options']) };
}

function parseOptions(json: unknown): Payload['options'] {
  const o = record(json, 'options', 'an object');
  known(o, OPTIONS, 'options', `options are ${OPTIONS.join(', ')}`);
  const out: { base?: number; digits?: number; topK?: number } = {};
  if (o['base'] !== undefined) {
    const raw = o['base'];
    const base = typeof raw === 'number' || typeof raw === 'string' ? parseBase(raw) : undefined;
    if (base === undefined) throw new PayloadError('options.base', `expected a number > 0 other than 1, or "e", "nats", "bits", "hartleys"; got ${describeJson(raw)}`);
    out.base = base;
  }
  if (o['digits'] !== undefined) out.digits = integer(o['digits'], 'options.digits', 1, 17);
  if (o['topK'] !== undefined) out.topK = integer(o['topK'], 'options.topK', 2, 200);
  return out;
}

function record(json: unknown, path: string, expected: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new PayloadError(path, `expected ${expected}, got ${describeJson(json)}`);
  return json as Record<string, unknown>;
}

function known(o: Record<string, unknown>, allowed: readonly string[], path: string, hint: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new PayloadError(path === '' ? key : `${path}.${key}`, `unknown field; ${hint}`);
  }
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PayloadError(path, `expected an integer from ${min} to ${max}, got ${describeJson(value)}`);
  }
  return value;
}
