/**
 * `kl-lens lint --fix`: applies the safe fixes, re-lints, and repeats until none is left (a fix
 * can make another one possible). A file the parser cannot read is never changed, and neither is
 * one a fix would leave unreadable.
 */
import { applyEdits as applyJsonEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import type { Finding, LintOptions, TextEdit } from '../../core/lint/index';
import { applyEdits as applyWithin } from '../../core/lint/fixes';
import { lintNotebook, lintPython, type Parse } from '../../core/lint/source';

const MAX_PASSES = 10;

/** The non-overlapping safe edits of `findings`, first come first served, as one set. */
export function safeEdits(findings: readonly Finding[]): { edits: TextEdit[]; count: number } {
  const edits: TextEdit[] = [];
  let count = 0;
  for (const f of findings) {
    if (f.fix?.safety !== 'safe') continue;
    const overlaps = f.fix.edits.some((e) => edits.some((x) => e.start < x.end && x.start < e.end || (e.start === e.end && e.start === x.start)));
    if (overlaps) continue;
    edits.push(...f.fix.edits);
    count++;
  }
  return { edits, count };
}

/** A whole source with the edits of its findings applied. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const out = applyWithin(text, 0, edits);
  if (out === undefined) throw new Error('an edit reaches outside the source');
  return out;
}

export interface Fixed {
  readonly text: string;
  readonly fixed: number;
}

export function fixPython(text: string, parse: Parse, options: LintOptions): Fixed {
  let current = text;
  let fixed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const result = lintPython(current, parse, options);
    if (result.syntaxErrors.length > 0) break;
    const { edits, count } = safeEdits(result.findings);
    if (count === 0) break;
    const next = applyEdits(current, edits);
    if (lintPython(next, parse, { select: [] }).syntaxErrors.length > 0) break;
    current = next;
    fixed += count;
  }
  return { text: current, fixed };
}

/** Fixes in the Python cells of a notebook, written back into its JSON with its formatting kept. */
export function fixNotebook(text: string, parse: Parse, options: LintOptions): Fixed {
  let current = text;
  let fixed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const result = lintNotebook(current, parse, options);
    if (result.syntaxErrors.length > 0) break;
    const byCell = new Map<number, Finding[]>();
    for (const f of result.findings) if (f.cell !== undefined) byCell.set(f.cell, [...(byCell.get(f.cell) ?? []), f]);
    let next = current;
    let count = 0;
    for (const [cell, findings] of byCell) {
      const unit = result.units.find((u) => u.cell === cell);
      const { edits, count: n } = safeEdits(findings);
      if (!unit || n === 0) continue;
      next = setCellSource(next, cell, applyEdits(unit.source, edits));
      count += n;
    }
    if (count === 0) break;
    if (lintNotebook(next, parse, { select: [] }).syntaxErrors.length > 0) break;
    current = next;
    fixed += count;
  }
  return { text: current, fixed };
}

/** The notebook text with one cell's source replaced, as nbformat writes it: a list of lines. */
function setCellSource(text: string, cell: number, source: string): string {
  const root = parseTree(text);
  const node = root ? findNodeAtLocation(root, ['cells', cell, 'source']) : undefined;
  const lines = source.split(/(?<=\n)/);
  const value = node?.type === 'string' ? source : lines;
  const indent = /\n( +)"/.exec(text)?.[1]?.length ?? 1;
  const edits = modify(text, ['cells', cell, 'source'], value, { formattingOptions: { insertSpaces: true, tabSize: indent, eol: text.includes('\r\n') ? '\r\n' : '\n' } });
  return applyJsonEdits(text, edits);
}
