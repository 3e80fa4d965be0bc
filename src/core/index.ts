/** The public surface of the pure core, shared by the CLI, the extension host and the renderers. */
export { KlError, formatError, lineColumn, type Span } from './errors';
export { parse } from './lang/parser';
export { evaluateProgram, runProgram, type ProgramOutcome, type StatementOutcome, type EvaluateOptions } from './lang/evaluate';
export { BUILTINS, CONSTANTS } from './lang/builtins';
export type * from './result';
export type { Tensor, Nested } from './tensor';
export { toNested } from './tensor';
export type { Unit } from './units';
