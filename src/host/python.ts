/**
 * The Python parser of KL Lint: web-tree-sitter with the tree-sitter Python grammar, both
 * WebAssembly. The build copies the two .wasm files next to the bundles; tests (run from the
 * sources) read them from node_modules. Loaded once per process, on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

export const RUNTIME_WASM = 'web-tree-sitter.wasm';
export const PYTHON_WASM = 'tree-sitter-python.wasm';

export interface PythonParser {
  /** Parses `source`; with `previous` (already edited to match), only the changed part is re-parsed. */
  parse(source: string, previous?: Tree): Tree;
}

let loading: Promise<Language> | undefined;

/** Where the two .wasm files are: beside the bundle, or in node_modules when running from sources. */
function wasmPath(dir: string | undefined, file: string): string {
  const beside = join(dir ?? __dirname, file);
  if (existsSync(beside)) return beside;
  const resolve = require.resolve as (id: string) => string;
  return file === RUNTIME_WASM ? resolve('web-tree-sitter/web-tree-sitter.wasm') : resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm');
}

async function loadLanguage(dir: string | undefined): Promise<Language> {
  const runtime = readFileSync(wasmPath(dir, RUNTIME_WASM));
  await Parser.init({ wasmBinary: runtime });
  return Language.load(new Uint8Array(readFileSync(wasmPath(dir, PYTHON_WASM))));
}

/** A parser for Python source. `dir` is where the .wasm files are (default: this bundle's folder). */
export async function loadPythonParser(dir?: string): Promise<PythonParser> {
  loading ??= loadLanguage(dir);
  const language = await loading;
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source, previous) {
      const tree = parser.parse(source, previous ?? null);
      // parse() returns null only when a timeout or cancellation flag is set, and none is.
      if (!tree) throw new Error('the Python parser returned no tree');
      return tree;
    },
  };
}
