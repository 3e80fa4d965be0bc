/** Hover over a `kl_div` / `KLDivLoss` call: what it computes, from the lint of the document. */
import * as vscode from 'vscode';
import { explainAt } from '../../core/lint/explain';
import { buildLintHover } from './buildHover';
import type { Linter } from './linter';

export function klLintHover(linter: Linter): vscode.HoverProvider {
  return {
    provideHover(document, position) {
      const linted = linter.lint(document).get(document.uri.toString());
      if (!linted) return undefined;
      const e = explainAt(linted.model, document.offsetAt(position));
      if (!e) return undefined;
      const md = new vscode.MarkdownString(buildLintHover(e));
      md.supportHtml = false;
      return new vscode.Hover(md, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)));
    },
  };
}
