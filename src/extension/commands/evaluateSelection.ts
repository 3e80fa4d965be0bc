/**
 * "KL Lens: Evaluate Selection": a KL program, or one array (entropy and a chart), or two arrays
 * (KL both ways) written in Python, NumPy, PyTorch, JS or JSON syntax.
 */
import * as vscode from 'vscode';
import { findNamedArrays } from '../../core/selection/find';
import { MAX_SELECTION_CHARS, parseSelection, selectionProgram } from '../../core/selection/parse';
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
  let content = parseSelection(text);
  const baseDir = baseDirFor(editor.document.uri);
  if (content.kind === 'none') {
    // A selection of code around the arrays (imports, other statements): use the named arrays in it.
    const named = findNamedArrays(text, MAX_SELECTION_CHARS).slice(0, 2);
    if (named.length > 0) content = { kind: 'arrays', arrays: named.map((n) => ({ name: n.name, tensor: n.tensor, span: n.span })) };
  }
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
