/** A CodeLens "Evaluate" above each statement of a .kl file. */
import * as vscode from 'vscode';
import { parse } from '../../core/lang/parser';
import { CommandId } from '../commandIds';

export function registerCodeLens(): vscode.Disposable {
  const provider: vscode.CodeLensProvider = {
    provideCodeLenses(document) {
      // Notebook cells run with the notebook's own controller, in the order of the notebook.
      if (document.uri.scheme === 'vscode-notebook-cell') return [];
      let statements;
      try {
        statements = parse(document.getText()).statements;
      } catch {
        return []; // the diagnostic says what is wrong; nothing can be evaluated meanwhile
      }
      return statements.map((s, i) => {
        const line = document.positionAt(s.span.start).line;
        return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: 'Evaluate',
          tooltip: 'Evaluate the file up to this statement and show its value',
          command: CommandId.EvaluateFile,
          arguments: [document.uri, i],
        });
      });
    },
  };
  return vscode.languages.registerCodeLensProvider({ language: 'kl' }, provider);
}
