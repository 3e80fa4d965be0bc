/**
 * KL Lint squiggles in Python files and notebook cells: debounced after typing stops, each with
 * its rule id as the code, linking to the rule's page shipped with the extension.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/index';
import { log } from '../log';
import type { Linter } from './linter';

const DEBOUNCE_MS = 250;

export const DIAGNOSTIC_SOURCE = 'KL Lens';

export function toDiagnostic(document: vscode.TextDocument, finding: Finding, extensionUri: vscode.Uri): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(Math.max(finding.end, finding.start + 1)));
  const severity = finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(range, finding.message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: finding.rule, target: vscode.Uri.joinPath(extensionUri, 'docs', 'rules', `${finding.rule}.md`) };
  return d;
}

/** Python files and the Python cells of any notebook. */
export function isPython(document: vscode.TextDocument): boolean {
  return document.languageId === 'python';
}

export class LintDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('kl-lint');
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly linter: Linter,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** Lints the document's target (its notebook, for a cell) after the debounce delay. */
  schedule(document: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!isPython(document)) return;
    const key = this.linter.targetOf(document).uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.update(document);
      }, delay),
    );
  }

  update(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    try {
      for (const linted of this.linter.lint(document).values()) {
        this.collection.set(linted.document.uri, linted.findings.map((f) => toDiagnostic(linted.document, f, this.extensionUri)));
      }
    } catch (e) {
      // A document the linter cannot handle keeps the editor working: the reason goes to the log.
      log(`KL Lint could not check ${document.uri.toString()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
  }
}
