/**
 * Suppression comments: `# noqa: KL003` or `# kl-lens: ignore[KL003]` on a line of the
 * statement (a bare `# noqa` or `# kl-lens: ignore` silences every rule there, as in ruff), and
 * `# kl-lens: ignore-file[KL003]` (or bare `# kl-lens: ignore-file`) anywhere for the whole file
 * or notebook.
 */
import { RULE_IDS, type RuleId } from './finding';
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

export function merge(a: Silenced | undefined, b: Silenced): Silenced {
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
