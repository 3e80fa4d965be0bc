/**
 * Helpers of the KL Lint tests: the real parser (web-tree-sitter with the Python grammar, loaded
 * once), linting a snippet, and applying a finding's fix to it.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { applyEdits } from '../../../../src/cli/lint/fix';
import type { Finding, LintOptions, RuleId } from '../../../../src/core/lint/index';
import { lintNotebook, lintPython, type Parse } from '../../../../src/core/lint/source';
import { loadPythonParser, type PythonParser } from '../../../../src/host/python';

let parser: PythonParser | undefined;

/** Registers the parser's loading before the file's tests (call once at the top of a test file). */
export function withParser(): void {
  before(async () => {
    parser = await loadPythonParser();
  });
}

export const parse: Parse = (source) => {
  assert.ok(parser, 'withParser() must be called in the test file');
  return parser.parse(source);
};

/** Common header of the snippets: the imports every rule resolves names through. */
export const IMPORTS = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

export function lint(source: string, options: LintOptions = {}): readonly Finding[] {
  return lintPython(source, parse, options).findings;
}

export function lintCells(notebook: object, options: LintOptions = {}): readonly Finding[] {
  return lintNotebook(JSON.stringify(notebook), parse, options).findings;
}

/** `rule@line:text` for each finding, lines 1-based — what a reader checks a snippet against. */
export function summary(source: string, findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${source.slice(0, f.start).split('\n').length}:${source.slice(f.start, f.end)}`);
}

/** The findings of one rule in `source`. */
export function only(rule: RuleId, source: string): readonly Finding[] {
  return lint(source, { select: [rule] });
}

/** The source after the fix of the one finding of `rule`, and that fix's safety. */
export function fixOf(rule: RuleId, source: string): { text: string; safety: string; description: string } {
  const found = only(rule, source);
  assert.equal(found.length, 1, `expected one ${rule} finding, got ${JSON.stringify(summary(source, found))}`);
  const fix = found[0]!.fix;
  assert.ok(fix, `${rule} offers no fix here`);
  return { text: applyEdits(source, fix.edits), safety: fix.safety, description: fix.description };
}
