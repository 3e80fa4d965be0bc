/**
 * The outputs of `kl-lens lint`: ruff-style text lines, a JSON array, and SARIF 2.1.0 for code
 * scanning. Lines and columns are 1-based (columns in code points); for notebooks they count
 * within the cell, and `cell` is its 0-based index.
 */
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { type Finding, RULES } from '../../core/lint/index';
import { LineIndex } from '../../core/positions';
import { RULE_DOCS } from '../../core/lint/rules/docs';
import type { SourceUnit } from '../../core/lint/source';

/** One linted file: its findings and the text their offsets refer to. */
export interface LintedFile {
  readonly path: string;
  readonly units: readonly SourceUnit[];
  readonly findings: readonly Finding[];
  /** The whole file's text (for locating notebook cells in it). */
  readonly text: string;
  readonly kind: 'python' | 'notebook';
}

export interface JsonEdit {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly text: string;
}

export interface JsonFinding {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly name: string;
  readonly severity: string;
  readonly message: string;
  readonly cell?: number;
  readonly fix?: { readonly description: string; readonly safety: string; readonly edits: readonly JsonEdit[] };
}

/** Each finding with its positions resolved, in file order. */
export function located(file: LintedFile): JsonFinding[] {
  const indexes = new Map<number | undefined, LineIndex>();
  const index = (cell: number | undefined): LineIndex => {
    let i = indexes.get(cell);
    if (!i) {
      const unit = file.units.find((u) => u.cell === cell) ?? file.units[0]!;
      i = new LineIndex(unit.source);
      indexes.set(cell, i);
    }
    return i;
  };
  return file.findings.map((f) => {
    const ix = index(f.cell);
    const start = ix.position(f.start);
    const end = ix.position(f.end);
    return {
      path: file.path,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      rule: f.rule,
      name: f.name,
      severity: f.severity,
      message: f.message,
      ...(f.cell !== undefined ? { cell: f.cell } : {}),
      ...(f.fix
        ? {
            fix: {
              description: f.fix.description,
              safety: f.fix.safety,
              edits: f.fix.edits.map((e) => {
                const s = ix.position(e.start);
                const t = ix.position(e.end);
                return { line: s.line, column: s.column, endLine: t.line, endColumn: t.column, text: e.text };
              }),
            },
          }
        : {}),
    };
  });
}

/** `path:line:col: KL003 message`, and `path:cell 3:line:col: ...` in notebooks (cells counted from 1, as Jupyter shows them). */
export function textLine(f: JsonFinding): string {
  const where = f.cell !== undefined ? `${f.path}:cell ${f.cell + 1}:${f.line}:${f.column}` : `${f.path}:${f.line}:${f.column}`;
  return `${where}: ${f.rule} ${oneLine(f.message)}${f.fix?.safety === 'safe' ? ' [*]' : ''}`;
}

/** Messages quote code; a name with a newline must not start a forged line of output. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

export interface SarifInput {
  readonly files: readonly LintedFile[];
  readonly version: string;
  /** The folder paths are relative to, as a file: URI ending in '/'. */
  readonly baseUri: string;
  readonly errors: readonly { readonly path: string; readonly message: string; readonly line?: number; readonly column?: number }[];
}

/** A SARIF 2.1.0 log of one run of kl-lens lint. */
export function sarif(input: SarifInput): object {
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: RULE_DOCS[r.id].summary },
    fullDescription: { text: RULE_DOCS[r.id].summary },
    help: { text: RULE_DOCS[r.id].markdown, markdown: RULE_DOCS[r.id].markdown },
    defaultConfiguration: { level: level(r.severity) },
    properties: { tags: ['correctness', 'kl-divergence'] },
  }));
  const results = input.files.flatMap((file) => {
    const cellLines = file.kind === 'notebook' ? notebookLines(file.text) : undefined;
    return located(file).map((f) => {
      // Code scanning reads line numbers of the file; in a notebook, the cell's line in the JSON.
      const region =
        cellLines && f.cell !== undefined
          ? { startLine: cellLines(f.cell, f.line), endLine: cellLines(f.cell, f.endLine) }
          : { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn };
      const location = { physicalLocation: { artifactLocation: artifact(f.path), region } };
      return {
        ruleId: f.rule,
        ruleIndex: RULES.findIndex((r) => r.id === f.rule),
        level: level(f.severity as 'warning' | 'information'),
        message: { text: f.message },
        locations: [location],
        ...(f.cell !== undefined ? { properties: { cell: f.cell, line: f.line, column: f.column } } : {}),
        ...(f.fix && f.cell === undefined
          ? {
              fixes: [
                {
                  description: { text: f.fix.description },
                  artifactChanges: [
                    {
                      artifactLocation: artifact(f.path),
                      replacements: f.fix.edits.map((e) => ({
                        deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                        insertedContent: { text: e.text },
                      })),
                    },
                  ],
                },
              ],
            }
          : {}),
      };
    });
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kl-lens', semanticVersion: input.version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: input.baseUri } },
        invocations: [
          {
            executionSuccessful: input.errors.length === 0,
            toolExecutionNotifications: input.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: artifact(e.path),
                    ...(e.line !== undefined ? { region: { startLine: e.line, ...(e.column !== undefined ? { startColumn: e.column } : {}) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
        results,
      },
    ],
  };
}

function level(severity: 'warning' | 'information'): 'warning' | 'note' {
  return severity === 'warning' ? 'warning' : 'note';
}

/**
 * Where a file is, for SARIF: a relative path as a URI reference against %SRCROOT% (forward
 * slashes, each segment percent-encoded), an absolute one as a file: URI.
 */
function artifact(path: string): { uri: string; uriBaseId?: string } {
  if (path.startsWith('/')) return { uri: `file://${path.split('/').map(encodeURIComponent).join('/')}` };
  return { uri: path.split(/[\\/]/).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** For a notebook's JSON text: the file line (1-based) of line `line` of cell `cell`'s source. */
function notebookLines(text: string): (cell: number, line: number) => number {
  const index = new LineIndex(text);
  const root = parseTree(text);
  return (cell, line) => {
    const source = root ? findNodeAtLocation(root, ['cells', cell, 'source']) : undefined;
    if (!source) return 1;
    // nbformat stores the source as a list of strings, one per line; or as one string.
    const pieces = source.type === 'array' ? (source.children ?? []) : [source];
    const piece = pieces[Math.min(line - 1, pieces.length - 1)] ?? source;
    return index.position(piece.offset).line;
  };
}
