/**
 * Runs the KL rules over Python source — a file, or a notebook's cells in order — and returns
 * the findings that no suppression comment or option silences. Parsing is the host's job: it
 * hands in syntax trees, so the extension, the CLI and a web build share every rule.
 */
import type { Finding, RuleId } from './finding';
import { findKlCalls } from './klCalls';
import { Model } from './model';
import { Imports } from './names';
import type { Report } from './rule';
import { RULES } from './rules/index';
import { collectSuppressions, silences, suppressionLines } from './suppress';
import type { SyntaxNode, SyntaxTree } from './syntax';

export interface LintUnit {
  readonly tree: SyntaxTree;
  /** The text the tree was parsed from (for notebook cells, with IPython magics blanked out). */
  readonly source: string;
  /** The 0-based cell index, for notebooks. */
  readonly cell?: number;
}

export interface LintOptions {
  /** Only these rules (default: all). */
  readonly select?: readonly RuleId[];
  /** Never these rules. */
  readonly ignore?: readonly RuleId[];
}

export interface LintResult {
  readonly findings: readonly Finding[];
  /** One model per unit, for hovers that explain calls. */
  readonly models: readonly Model[];
}

/** Lints units that share one namespace in order: one file, or the code cells of a notebook. */
export function lintUnits(units: readonly LintUnit[], options: LintOptions = {}): LintResult {
  const rules = RULES.filter((r) => (!options.select || options.select.includes(r.id)) && !options.ignore?.includes(r.id));
  let imports = new Imports();
  const models: Model[] = [];
  const raw: { finding: Finding; node: SyntaxNode; unit: number }[] = [];
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    // A cell sees the imports of the cells before it, and its own.
    imports = imports.extend();
    const model = new Model(unit.tree.rootNode, unit.source, imports);
    // Notebook cells see the names earlier cells assigned at their top level.
    model.scopes.previous = models[models.length - 1]?.scopes;
    models.push(model);
    const klCalls = findKlCalls(model);
    for (const rule of rules) {
      const report = (r: Report): void => {
        raw.push({
          unit: u,
          node: r.node,
          finding: {
            rule: rule.id,
            name: rule.name,
            severity: rule.severity,
            message: r.message,
            start: r.node.startIndex,
            end: r.node.endIndex,
            ...(r.fix ? { fix: r.fix } : {}),
            ...(unit.cell !== undefined ? { cell: unit.cell } : {}),
          },
        });
      };
      rule.check({ model, klCalls, report });
    }
  }
  // Comments are read only when there is a finding they might silence.
  const suppressions = raw.length > 0 ? models.map((m) => collectSuppressions(m.scopes.comments)) : [];
  const fileWide = suppressions.map((s) => s.file);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const { finding, node, unit } of raw) {
    const key = `${unit}:${finding.rule}:${finding.start}:${finding.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (fileWide.some((f) => silences(f, finding.rule))) continue;
    const [from, to] = suppressionLines(node);
    const lines = suppressions[unit]!.lines;
    let silenced = false;
    for (let line = from; line <= to && !silenced; line++) silenced = silences(lines.get(line), finding.rule);
    if (silenced || inBrokenCode(node)) continue;
    findings.push(finding);
  }
  findings.sort((a, b) => (a.cell ?? 0) - (b.cell ?? 0) || a.start - b.start || a.rule.localeCompare(b.rule));
  return { findings, models };
}

/** Code the parser could not read: a finding there would rest on a guess of what was meant. */
function inBrokenCode(node: SyntaxNode): boolean {
  if (node.hasError) return true;
  for (let n = node.parent; n; n = n.parent) if (n.isError) return true;
  return false;
}

/** Where the first syntax error of a tree is, if it has one. */
export function firstSyntaxError(root: SyntaxNode): SyntaxNode | undefined {
  if (!root.hasError) return undefined;
  let node = root;
  for (;;) {
    const next = node.children.find((c): c is SyntaxNode => c !== null && (c.isError || c.isMissing || c.hasError));
    if (!next || next.isError || next.isMissing) return next ?? node;
    node = next;
  }
}
