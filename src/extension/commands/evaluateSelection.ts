/**
 * "KL Lens: Evaluate Selection": a KL program, or one array (entropy and a chart), or two arrays
 * (KL both ways) written in Python, NumPy, PyTorch, JS or JSON syntax.
 */
import * as vscode from 'vscode';
import { parseSelection, selectionProgram } from '../../core/selection/parse';
import type { ResultsPanel } from '../panel/resultsPanel';
import { baseDirFor, makeRequest, plain } from './request';

export async function evaluateSelection(panel: ResultsPanel): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('KL Lens: open a file and select a KL expression or arrays to evaluate.');
    return;
  }
  const selected = editor.selections.map((s) => editor.document.getText(s)).join('\n');
  const text = selected.trim() === '' ? editor.document.lineAt(editor.selection.active.line).text : selected;
  const content = parseSelection(text);
  const baseDir = baseDirFor(editor.document.uri);
  if (content.kind === 'none') {
    void vscode.window.showWarningMessage(`KL Lens: nothing to evaluate in the selection — ${content.reason}`);
    return;
  }
  if (content.kind === 'program') {
    await panel.show(makeRequest(content.source, { baseDir }));
    return;
  }
  const program = selectionProgram(content);
  await panel.show(makeRequest(program.source, { baseDir, bindings: plain(program.bindings) }));
}
