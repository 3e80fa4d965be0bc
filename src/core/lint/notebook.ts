/**
 * Python in notebooks: the code cells of a Jupyter `.ipynb` file, and the Python a cell is once
 * IPython's magics and shell escapes are blanked out — replaced by spaces, so every offset in the
 * result is the same offset in the cell the user sees.
 */

export interface NotebookCell {
  /** 0-based index among all the notebook's cells (markdown ones included). */
  readonly index: number;
  /** The cell's text as stored. */
  readonly source: string;
}

export interface Notebook {
  /** The kernel's language (`python` when the notebook does not say). */
  readonly language: string;
  readonly cells: readonly NotebookCell[];
}

export class NotebookFormatError extends Error {}

/** Cell magics whose body is Python (`%%time` runs the cell; `%%bash` does not). */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit', 'py', 'python', 'python3', 'autoreload']);

/** The code cells of an `.ipynb` (nbformat 4) file. */
export function readNotebook(text: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`not a notebook: ${(e as Error).message}`);
  }
  if (!isObject(json) || !Array.isArray(json.cells)) throw new NotebookFormatError('not a notebook: no "cells" list');
  const metadata = isObject(json.metadata) ? json.metadata : {};
  const kernel = isObject(metadata.kernelspec) ? metadata.kernelspec.language : undefined;
  const info = isObject(metadata.language_info) ? metadata.language_info.name : undefined;
  const language = String(kernel ?? info ?? 'python').toLowerCase();
  const cells: NotebookCell[] = [];
  json.cells.forEach((cell: unknown, index: number) => {
    if (!isObject(cell) || cell.cell_type !== 'code') return;
    // VS Code records a cell's own language when it differs from the kernel's.
    const own = isObject(cell.metadata) && isObject(cell.metadata.vscode) ? cell.metadata.vscode.languageId : undefined;
    if (typeof own === 'string' && own !== 'python') return;
    const source = Array.isArray(cell.source) ? cell.source.filter((s): s is string => typeof s === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
    cells.push({ index, source });
  });
  return { language, cells };
}

/**
 * The Python of a cell: lines that are IPython magics (`%matplotlib inline`), shell escapes
 * (`!pip install x`) or help (`obj?`) become spaces; a cell magic other than the timing ones
 * makes the whole cell not Python (undefined).
 */
export function pythonOfCell(source: string): string | undefined {
  const lines = source.split('\n');
  const first = lines[0]?.trimStart() ?? '';
  if (first.startsWith('%%')) {
    const magic = /^%%(\w+)/.exec(first)?.[1] ?? '';
    if (!PYTHON_CELL_MAGICS.has(magic)) return undefined;
    lines[0] = blank(lines[0]!);
  }
  let continued = false;
  return lines
    .map((line) => {
      const t = line.trimStart();
      // A magic or shell line ending in a backslash goes on on the next line.
      if (continued || t.startsWith('%') || t.startsWith('!') || /^[\w.]+\?\??\s*$/.test(t) || /^[\w.,\s]+=\s*[!%]/.test(t) || automagic(t)) {
        continued = /\\\s*$/.test(line);
        return blank(line);
      }
      return line;
    })
    .join('\n');
}

/** IPython's magics that run without `%` (automagic): `cd backbone`, `pip install x`, `ls -la`. */
const AUTOMAGICS = new Set(['cd', 'ls', 'pwd', 'pip', 'conda', 'env', 'load_ext', 'reload_ext', 'matplotlib', 'autoreload', 'who', 'whos', 'cat', 'mkdir', 'rm', 'cp', 'mv', 'clear', 'history']);

/** Of those, the ones that are a whole line on their own. */
const BARE_AUTOMAGICS = new Set(['pwd', 'ls', 'who', 'whos', 'clear', 'history', 'env']);

function automagic(line: string): boolean {
  const m = /^([A-Za-z_]\w*)(.*)$/.exec(line);
  if (!m || !AUTOMAGICS.has(m[1]!)) return false;
  const rest = m[2]!;
  if (rest.trim() === '') return BARE_AUTOMAGICS.has(m[1]!);
  if (!/^\s/.test(rest)) return false;
  // `cd = 3`, `ls == x`, `env[k]`: Python, an operator or bracket after the name.
  return !/^\s*(=|[-+*/%&|^@<>!]=|\(|\[|\.|,|:|<|>|in\b|is\b|and\b|or\b|if\b|for\b|not\b)/.test(rest);
}

function blank(line: string): string {
  return line.replace(/[^\r]/g, ' ');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
