/**
 * The state behind a KL notebook, like a Jupyter kernel: one environment per notebook document, so
 * names assigned in one cell are visible in later ones. Plain Node code (no VS Code), run inside the
 * notebook's kernel worker and called directly by the unit tests.
 */
import { formatError, KlError } from '../../core/errors';
import type { Program } from '../../core/lang/ast';
import type { Builtin } from '../../core/lang/builtins';
import { runProgram } from '../../core/lang/evaluate';
import { parse } from '../../core/lang/parser';
import type { Value } from '../../core/result';
import { formatValue } from '../../core/format';
import { FileLoader } from '../../host/load';
import { TensorFormatError } from '../../io/errors';
import { embedCell, type Embedding } from './embed';
import { spanSnippet } from './snippet';

export interface CellRequest {
  readonly source: string;
  /** The folder relative load() paths resolve against: the notebook's own. */
  readonly baseDir: string;
  /** Bytes of files read through vscode.workspace.fs (notebooks that are not on the local disk). */
  readonly preloaded?: Readonly<Record<string, Uint8Array>>;
  readonly defaultBase: number;
  readonly digits: number;
  readonly topK: number;
  /** Largest number of elements embedded in an output (default EMBED_LIMIT). */
  readonly embedLimit?: number;
}

export type CellOutcome =
  /** The last statement was an expression: its one-line value and the renderer's payload (or why there is none). */
  | { readonly kind: 'value'; readonly text: string; readonly embedding?: Embedding }
  /** Only assignments: one short line per name. */
  | { readonly kind: 'assigned'; readonly text: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'error'; readonly name: string; readonly message: string };

export class NotebookKernel {
  private readonly env = new Map<string, Value>();
  /** Loaders whose files back lazy values still in the environment; closed on dispose. */
  private readonly openLoaders: FileLoader[] = [];

  /** The names currently defined, for tests and hovers. */
  get names(): readonly string[] {
    return [...this.env.keys()];
  }

  run(request: CellRequest, isCancelled?: () => boolean): CellOutcome {
    const { source } = request;
    const before = new Map(this.env);
    const loader = new FileLoader(request.baseDir, request.preloaded);
    const loads = new Map<number, { spec: string; value: Value }>();
    let program: Program;
    try {
      program = parse(source);
      if (program.statements.length === 0) return { kind: 'empty' };
      const outcome = runProgram(program, source, {
        env: this.env,
        functions: { load: recording(loader.builtin(), loads) },
        runtime: { defaultBase: request.defaultBase, ...(isCancelled ? { isCancelled } : {}) },
      });
      const last = program.statements.at(-1)!;
      if (last.type === 'assign') {
        const lines = outcome.statements.filter((s) => s.name !== undefined).map((s) => `${s.name} = ${formatValue(s.value, { digits: request.digits })}`);
        return { kind: 'assigned', text: lines.join('\n') };
      }
      const value = outcome.value!;
      const text = formatValue(value, { digits: request.digits });
      if (value.type !== 'result') return { kind: 'value', text };
      return { kind: 'value', text, embedding: embedCell({ program, source, before, loads, defaultBase: request.defaultBase, digits: request.digits, topK: request.topK, ...(request.embedLimit !== undefined ? { limit: request.embedLimit } : {}) }) };
    } catch (e) {
      return errorOutcome(e, source);
    } finally {
      // Files behind lazy values must stay open while those values are reachable; the rest close now.
      if ([...this.env.values()].some((v) => v.type === 'lazy' && !isIn(v, before))) this.openLoaders.push(loader);
      else loader.close();
    }
  }

  dispose(): void {
    for (const l of this.openLoaders.splice(0)) l.close();
    this.env.clear();
  }
}

function isIn(v: Value, env: ReadonlyMap<string, Value>): boolean {
  for (const w of env.values()) if (w === v) return true;
  return false;
}

/** The load() builtin, remembering what each call returned so the payload can carry it. */
function recording(load: Builtin, loads: Map<number, { spec: string; value: Value }>): Builtin {
  return {
    spec: load.spec,
    call: (args) => {
      const value = load.call(args);
      const path = args.get('path')?.value;
      const key = args.get('key')?.value;
      const spec = `${path?.type === 'string' ? path.value : ''}\0${key?.type === 'string' ? key.value : ''}`;
      loads.set(args.call.span.start, { spec, value });
      return value;
    },
  };
}

/** An error output: what went wrong, where (line:column), and the offending text underlined. */
export function errorOutcome(e: unknown, source: string): CellOutcome {
  if (e instanceof KlError) {
    const header = formatError(e, source);
    const snippet = e.span ? spanSnippet(source, e.span) : '';
    const name = e.kind === 'syntax' ? 'Syntax error' : e.kind === 'cancelled' ? 'Cancelled' : 'Evaluation error';
    return { kind: 'error', name, message: snippet ? `${header}\n${snippet}` : header };
  }
  if (e instanceof TensorFormatError) return { kind: 'error', name: 'File error', message: e.message };
  return { kind: 'error', name: 'Internal error', message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}
