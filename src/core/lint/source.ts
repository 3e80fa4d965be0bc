/**
 * Linting whole sources — a Python file, or a notebook's JSON — given the host's parser: the
 * units to parse, their findings, and the first syntax error of each, if any.
 */
import type { Finding } from './finding';
import { firstSyntaxError, type LintOptions, lintUnits } from './lint';
import { pythonOfCell, readNotebook } from './notebook';
import type { SyntaxTree } from './syntax';

/** The host's parser. Trees with a `delete` method (web-tree-sitter's) are freed after use. */
export type Parse = (source: string) => SyntaxTree & { delete?(): void };

export interface SourceUnit {
  /** The text the offsets of its findings refer to (a cell's text for notebooks). */
  readonly source: string;
  readonly cell?: number;
}

export interface SyntaxProblem {
  readonly offset: number;
  readonly cell?: number;
}

export interface SourceResult {
  readonly findings: readonly Finding[];
  readonly units: readonly SourceUnit[];
  /** Where the parser met code it could not read; findings there are left out. */
  readonly syntaxErrors: readonly SyntaxProblem[];
  /** For notebooks in another language than Python: nothing was linted. */
  readonly skipped?: string;
}

export function lintPython(text: string, parse: Parse, options: LintOptions = {}): SourceResult {
  const tree = parse(text);
  try {
    const { findings } = lintUnits([{ tree, source: text }], options);
    const error = firstSyntaxError(tree.rootNode);
    return { findings, units: [{ source: text }], syntaxErrors: error ? [{ offset: error.startIndex }] : [] };
  } finally {
    tree.delete?.();
  }
}

/** Lints the Python code cells of an `.ipynb` file in order; throws NotebookFormatError for bad JSON. */
export function lintNotebook(text: string, parse: Parse, options: LintOptions = {}): SourceResult {
  const notebook = readNotebook(text);
  if (notebook.language !== 'python') return { findings: [], units: [], syntaxErrors: [], skipped: `skipped: a ${notebook.language} notebook` };
  const units: SourceUnit[] = [];
  const parsed: { tree: ReturnType<Parse>; source: string; cell: number }[] = [];
  try {
    for (const cell of notebook.cells) {
      const python = pythonOfCell(cell.source);
      if (python === undefined) continue;
      units.push({ source: cell.source, cell: cell.index });
      parsed.push({ tree: parse(python), source: python, cell: cell.index });
    }
    const { findings } = lintUnits(parsed, options);
    const syntaxErrors: SyntaxProblem[] = [];
    for (const p of parsed) {
      const e = firstSyntaxError(p.tree.rootNode);
      if (e) syntaxErrors.push({ offset: e.startIndex, cell: p.cell });
    }
    return { findings, units, syntaxErrors };
  } finally {
    for (const p of parsed) p.tree.delete?.();
  }
}
