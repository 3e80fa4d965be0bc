/**
 * Lints what is open in the editor: a Python file, or all Python cells of the notebook a cell
 * belongs to (in order, as they share one namespace). Results are kept per document version, so
 * diagnostics, quick fixes and hovers of one version share one run.
 */
import * as vscode from 'vscode';
import { type Finding, type LintOptions, lintUnits, type LintUnit, type RuleId } from '../../core/lint/index';
import type { Model } from '../../core/lint/model';
import type { Trees } from './trees';

export interface LintedDocument {
  readonly document: vscode.TextDocument;
  readonly findings: readonly Finding[];
  /** The semantic model of the document (the cell, for notebooks). */
  readonly model: Model;
  /** The text the findings' offsets refer to (a cell's Python with magics blanked). */
  readonly source: string;
}

export interface LintSettings {
  readonly enabled: boolean;
  readonly ignore: readonly RuleId[];
}

export class Linter {
  private cache = new Map<string, { key: string; result: Map<string, LintedDocument> }>();

  constructor(
    private readonly trees: Trees,
    private readonly settings: () => LintSettings,
  ) {}

  /** Drops cached results (the settings changed). */
  reset(): void {
    this.cache.clear();
  }

  /** The target a document is linted as part of: itself, or its notebook. */
  targetOf(document: vscode.TextDocument): vscode.NotebookDocument | vscode.TextDocument {
    if (document.uri.scheme !== 'vscode-notebook-cell') return document;
    return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document)) ?? document;
  }

  /** Lint results for every document of the target `document` belongs to, by URI. */
  lint(document: vscode.TextDocument): Map<string, LintedDocument> {
    const target = this.targetOf(document);
    const documents = 'getCells' in target ? pythonCells(target) : [target];
    const key = documents.map((d) => `${d.uri.toString()}@${d.version}`).join('|');
    const targetKey = target.uri.toString();
    const cached = this.cache.get(targetKey);
    if (cached?.key === key) return cached.result;
    const result = new Map<string, LintedDocument>();
    const s = this.settings();
    if (s.enabled) {
      const units: (LintUnit & { document: vscode.TextDocument })[] = [];
      documents.forEach((d, i) => {
        const parsed = this.trees.treeOf(d);
        if (parsed) units.push({ tree: parsed.tree, source: parsed.source, document: d, ...('getCells' in target ? { cell: i } : {}) });
      });
      const options: LintOptions = { ignore: s.ignore };
      const { findings, models } = lintUnits(units, options);
      units.forEach((u, i) => {
        result.set(u.document.uri.toString(), {
          document: u.document,
          findings: findings.filter((f) => (f.cell ?? 0) === (u.cell ?? 0)),
          model: models[i]!,
          source: u.source,
        });
      });
    }
    this.cache.set(targetKey, { key, result });
    return result;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

/** The notebook's Python code cells, in order. */
export function pythonCells(notebook: vscode.NotebookDocument): vscode.TextDocument[] {
  return notebook
    .getCells()
    .filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python')
    .map((c) => c.document);
}
