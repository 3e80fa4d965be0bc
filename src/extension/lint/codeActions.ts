/**
 * Quick fixes for KL Lint findings: the rule's fix (preferred when it is safe), and "ignore on
 * this line" / "ignore in this file", which write the suppression comments the linter reads.
 */
import * as vscode from 'vscode';
import type { Finding, TextEdit } from '../../core/lint/index';
import { ignoreFileEdit, ignoreLineEdit } from '../../core/lint/suppress';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { Linter } from './linter';

function workspaceEdit(document: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.text);
  return edit;
}

export function klLintCodeActions(linter: Linter): vscode.CodeActionProvider {
  return {
    provideCodeActions(document, _range, context) {
      const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      if (ours.length === 0) return [];
      const linted = linter.lint(document).get(document.uri.toString());
      if (!linted) return [];
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of ours) {
        const rule = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
        const start = document.offsetAt(diagnostic.range.start);
        const finding = linted.findings.find((f: Finding) => f.rule === rule && f.start === start);
        if (!finding) continue;
        if (finding.fix) {
          const a = new vscode.CodeAction(`${finding.fix.description} (${rule})`, vscode.CodeActionKind.QuickFix);
          a.edit = workspaceEdit(document, finding.fix.edits);
          a.diagnostics = [diagnostic];
          a.isPreferred = finding.fix.safety === 'safe';
          actions.push(a);
        }
        const comments = linted.model.scopes.comments;
        const line = new vscode.CodeAction(`Ignore ${rule} on this line`, vscode.CodeActionKind.QuickFix);
        line.edit = workspaceEdit(document, [ignoreLineEdit(linted.source, comments, finding.start, finding.rule)]);
        line.diagnostics = [diagnostic];
        const file = new vscode.CodeAction(`Ignore ${rule} in this ${document.uri.scheme === 'vscode-notebook-cell' ? 'notebook' : 'file'}`, vscode.CodeActionKind.QuickFix);
        file.edit = workspaceEdit(document, [ignoreFileEdit(linted.source, comments, finding.rule)]);
        file.diagnostics = [diagnostic];
        actions.push(line, file);
      }
      return actions;
    },
  };
}
