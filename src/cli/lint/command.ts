/**
 * `kl-lens lint`: the KL rules over `.py` files and `.ipynb` notebooks. Findings go to stdout
 * (text lines, a JSON array or SARIF); notes, errors and the summary to stderr. Exit status: 0
 * when nothing is found, 1 when something is (a syntax error included), 2 on usage or I/O errors.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type LintOptions } from '../../core/lint/index';
import { NotebookFormatError } from '../../core/lint/notebook';
import { LineIndex } from '../../core/positions';
import { lintNotebook, lintPython, type Parse, type SourceResult } from '../../core/lint/source';
import { loadPythonParser } from '../../host/python';
import type { LintArgs } from './args';
import { discover, readSource } from './files';
import { fixNotebook, fixPython } from './fix';
import { type LintedFile, located, sarif, textLine } from './formats';

declare const KL_LENS_VERSION: string | undefined;

interface Report {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly cell?: number;
}

export async function lintCommand(args: LintArgs, out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const parser = await loadPythonParser();
  const parse: Parse = (source) => parser.parse(source);
  const options: LintOptions = { ...(args.select ? { select: args.select } : {}), ignore: args.ignore };
  const { files, errors: ioErrors, notes } = discover(args.paths);
  const errors: Report[] = [...ioErrors];
  const syntax: Report[] = [];
  const linted: LintedFile[] = [];
  let fixedTotal = 0;
  for (const file of files) {
    const read = readSource(file.path);
    if ('error' in read) {
      errors.push({ path: file.path, message: read.error });
      continue;
    }
    if ('skip' in read) {
      notes.push({ path: file.path, message: read.skip });
      continue;
    }
    let text = read.text;
    let result: SourceResult;
    try {
      if (args.fix && read.encoding === 'utf-8') {
        const fixed = file.kind === 'python' ? fixPython(text, parse, options) : fixNotebook(text, parse, options);
        if (fixed.fixed > 0) {
          writeFileSync(file.path, fixed.text);
          text = fixed.text;
          fixedTotal += fixed.fixed;
        }
      }
      result = file.kind === 'python' ? lintPython(text, parse, options) : lintNotebook(text, parse, options);
    } catch (e) {
      // One file that trips the linter is named, and the others are still checked.
      errors.push({ path: file.path, message: e instanceof NotebookFormatError ? e.message : `could not be linted: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    if (result.skipped) {
      notes.push({ path: file.path, message: result.skipped });
      continue;
    }
    for (const s of result.syntaxErrors) {
      const unit = result.units.find((u) => u.cell === s.cell) ?? result.units[0]!;
      const at = new LineIndex(unit.source).position(s.offset);
      syntax.push({ path: file.path, line: at.line, column: at.column, ...(s.cell !== undefined ? { cell: s.cell } : {}), message: 'syntax error: the code here cannot be parsed, so it was not checked' });
    }
    linted.push({ path: file.path, units: result.units, findings: result.findings, text, kind: file.kind });
  }

  const all = linted.flatMap(located);
  if (args.format === 'json') out(`${JSON.stringify(all)}\n`);
  else if (args.format === 'sarif') {
    const base = `${pathToFileURL(resolve('.')).href.replace(/\/?$/, '/')}`;
    const log = sarif({
      files: linted.map((f) => ({ ...f, path: relativePath(f.path) })),
      version: typeof KL_LENS_VERSION === 'string' ? KL_LENS_VERSION : '0.0.0',
      baseUri: base,
      errors: [...errors, ...syntax].map((e) => ({ ...e, path: relativePath(e.path) })),
    });
    out(`${JSON.stringify(log, null, 2)}\n`);
  } else for (const f of all) out(`${textLine(f)}\n`);

  for (const n of notes) err(`note: ${n.path}: ${n.message}\n`);
  for (const e of syntax) err(`error: ${e.path}:${e.cell !== undefined ? `cell ${e.cell + 1}:` : ''}${e.line}:${e.column}: ${e.message}\n`);
  for (const e of errors) err(`error: ${e.path}: ${e.message}\n`);
  // On stderr in every format: stdout stays the one JSON or SARIF document.
  err(summary(all.length, linted.length, all.filter((f) => f.fix?.safety === 'safe').length, fixedTotal, args.fix));
  if (errors.length > 0) return 2;
  return all.length > 0 || syntax.length > 0 ? 1 : 0;
}

function summary(found: number, files: number, fixable: number, fixed: number, fixing: boolean): string {
  const checked = `${files} file${files === 1 ? '' : 's'} checked`;
  const fixedText = fixing ? `; ${fixed} fixed` : '';
  if (found === 0) return `No KL problems found (${checked}${fixedText}).\n`;
  const hint = !fixing && fixable > 0 ? `; ${fixable} fixable with --fix (marked [*])` : '';
  return `Found ${found} KL problem${found === 1 ? '' : 's'} (${checked}${fixedText}${hint}).\n`;
}

/** Paths in SARIF are relative to the folder kl-lens ran in. */
function relativePath(path: string): string {
  const r = relative(resolve('.'), resolve(path));
  return r.startsWith('..') ? resolve(path) : r.split(sep).join('/');
}
