/**
 * Evaluating a payload where it is shown (the notebook renderer), with the pure core only: no
 * files and no host round-trip. Variables are bound before the program runs, as in a kernel.
 */
import { formatError, KlError, type Span } from '../errors';
import type { Builtin } from '../lang/builtins';
import { evaluateProgram } from '../lang/evaluate';
import { present, type Presentation } from '../report/present';
import type { RenderTex } from '../report/html';
import type { Value } from '../result';
import { PayloadError } from './errors';
import type { Payload } from './payload';

/** What a notebook output shows when no option says otherwise (the extension's setting defaults). */
export const NOTEBOOK_DEFAULTS = { digits: 5, topK: 20 } as const;

export interface NotebookView extends Presentation {
  readonly source: string;
  readonly value: Value;
}

/** `load()` reads files, which an output cannot: say so at the call instead of "unknown function". */
const NO_LOAD: Builtin = {
  spec: { name: 'load', params: [{ name: 'path' }, { name: 'key', optional: true }], usage: 'load("PATH", "KEY")', summary: 'not available in notebook outputs' },
  call: (args) => args.fail('path', 'a notebook output cannot read files; pass the array as one of the output\'s variables instead'),
};

/** Runs the payload's program; throws KlError (with a span into `payload.expression`) when it fails. */
export function evaluatePayload(payload: Payload, renderTex: RenderTex): NotebookView {
  const env = new Map<string, Value>();
  for (const [name, tensor] of payload.variables) env.set(name, { type: 'tensor', tensor });
  const source = payload.expression;
  const outcome = evaluateProgram(source, {
    env,
    functions: { load: NO_LOAD },
    runtime: payload.options.base === undefined ? {} : { defaultBase: payload.options.base },
  });
  const value = outcome.value;
  if (!value) throw new KlError('evaluation', 'the expression has no statements', { start: 0, end: source.length });
  const digits = payload.options.digits ?? NOTEBOOK_DEFAULTS.digits;
  const topK = payload.options.topK ?? NOTEBOOK_DEFAULTS.topK;
  return { source, value, ...present(source, value, { digits, topK }, renderTex) };
}

/** A failure as an output shows it: one line, and the span of the expression it points at. */
export interface Failure {
  readonly message: string;
  readonly span?: Span;
}

export function describeFailure(error: unknown, source: string | undefined): Failure {
  if (error instanceof PayloadError) return { message: `invalid KL Lens output: ${error.message}` };
  if (error instanceof KlError) return { message: formatError(error, source ?? ''), ...(error.span ? { span: error.span } : {}) };
  return { message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}
