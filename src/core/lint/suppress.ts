/**
 * Suppression comments: `# noqa: KL003` or `# kl-lens: ignore[KL003]` on a line of the
 * statement (a bare `# noqa` or `# kl-lens: ignore` silences every rule there, as in ruff), and
 * `# kl-lens: ignore-file[KL003]` (or bare `# kl-lens: ignore-file`) anywhere for the whole file
 * or notebook.
 */
import { RULE_IDS, type RuleId, type TextEdit } from './finding';
import type { SyntaxNode } from './syntax';

/** The rules a comment silences: 'all', a set of ids, or nothing (other linters' codes). */
type Silenced = 'all' | ReadonlySet<RuleId>;

export interface Suppressions {
  /** 0-based line → what is silenced there. */
  readonly lines: ReadonlyMap<number, Silenced>;
  readonly file: Silenced | undefined;
}

const KNOWN = new Set<string>(RULE_IDS);

/** What one comment silences on its line and in the file. */
export function parseSuppression(comment: string): { line?: Silenced; file?: Silenced } {
  const out: { line?: Silenced; file?: Silenced } = {};
  const klLens = /#\s*kl-lens:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?/i.exec(comment);
  if (klLens) {
    const silenced = codes(klLens[2]);
    if (silenced) out[klLens[1]!.toLowerCase() === 'ignore-file' ? 'file' : 'line'] = silenced;
  }
  const noqa = /#\s*noqa\b(?:\s*:\s*([A-Za-z0-9_,\s]+))?/i.exec(comment);
  if (noqa && !out.line) {
    const silenced = codes(noqa[1]);
    if (silenced) out.line = silenced;
  }
  return out;
}

/** `KL003, KL001` → those ids; absent → 'all'; only other tools' codes → undefined. */
function codes(list: string | undefined): Silenced | undefined {
  if (list === undefined || list.trim() === '') return 'all';
  const ids = list
    .split(/[\s,]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c): c is RuleId => KNOWN.has(c));
  return ids.length > 0 ? new Set(ids) : undefined;
}

export function collectSuppressions(comments: readonly SyntaxNode[]): Suppressions {
  const lines = new Map<number, Silenced>();
  let file: Silenced | undefined;
  for (const c of comments) {
    const s = parseSuppression(c.text);
    if (s.line) lines.set(c.startPosition.row, merge(lines.get(c.startPosition.row), s.line));
    if (s.file) file = merge(file, s.file);
  }
  return { lines, file };
}

function merge(a: Silenced | undefined, b: Silenced): Silenced {
  if (a === 'all' || b === 'all') return 'all';
  return a ? new Set([...a, ...b]) : b;
}

export function silences(s: Silenced | undefined, rule: RuleId): boolean {
  return s === 'all' || (s !== undefined && s.has(rule));
}

/** Simple statements, whose every line may carry the suppression of a finding in them. */
const SIMPLE_STATEMENTS = new Set([
  'expression_statement',
  'return_statement',
  'assert_statement',
  'delete_statement',
  'raise_statement',
]);

/** The lines a suppression comment for a finding at `node` may sit on: the statement's. */
export function suppressionLines(node: SyntaxNode): [number, number] {
  let n: SyntaxNode | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  if (n && SIMPLE_STATEMENTS.has(n.type)) return [n.startPosition.row, n.endPosition.row];
  return [node.startPosition.row, node.endPosition.row];
}

/**
 * The edit that silences `rule` on the line of `offset`: `  # noqa: KL003` at the end of the line,
 * or the id added to a `# noqa:` / `# kl-lens: ignore[...]` comment already there.
 */
export function ignoreLineEdit(source: string, comments: readonly SyntaxNode[], offset: number, rule: RuleId): TextEdit {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = source.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = source.length;
  if (source[lineEnd - 1] === '\r') lineEnd--;
  const comment = comments.find((c) => c.startIndex >= lineStart && c.startIndex < lineEnd);
  if (comment) {
    const text = comment.text;
    const listed = /(#\s*noqa\s*:\s*)([A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)/i.exec(text) ?? /(#\s*kl-lens:\s*ignore\[)([^\]]*)/i.exec(text);
    if (listed) {
      const at = comment.startIndex + listed.index + listed[0].length;
      return { start: at, end: at, text: `, ${rule}` };
    }
    return { start: comment.endIndex, end: comment.endIndex, text: `  # noqa: ${rule}` };
  }
  // Before trailing spaces, after the code.
  let end = lineEnd;
  while (end > lineStart && (source[end - 1] === ' ' || source[end - 1] === '\t')) end--;
  return { start: end, end: lineEnd, text: `  # noqa: ${rule}` };
}

/**
 * The edit that silences `rule` in the whole file: the id added to a `# kl-lens: ignore-file[...]`
 * comment, or such a comment put on a line of its own after the shebang and coding lines.
 */
export function ignoreFileEdit(source: string, comments: readonly SyntaxNode[], rule: RuleId): TextEdit {
  for (const c of comments) {
    const m = /#\s*kl-lens:\s*ignore-file\[([^\]]*)/i.exec(c.text);
    if (m) {
      const at = c.startIndex + m.index + m[0].length;
      return { start: at, end: at, text: m[1]!.trim() ? `, ${rule}` : rule };
    }
  }
  let at = 0;
  for (let i = 0; i < 2; i++) {
    const end = source.indexOf('\n', at);
    const line = source.slice(at, end < 0 ? source.length : end);
    if (!(line.startsWith('#!') || /^[ \t\f]*#.*?coding[:=]/.test(line)) || end < 0) break;
    at = end + 1;
  }
  return { start: at, end: at, text: `# kl-lens: ignore-file[${rule}]\n` };
}
