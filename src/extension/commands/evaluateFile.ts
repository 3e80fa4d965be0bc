/** Evaluating a .kl file (editor title button), or one statement of it (CodeLens). */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ResultsPanel } from '../panel/resultsPanel';
import { makeRequest } from './request';

export async function evaluateFile(panel: ResultsPanel, uri?: vscode.Uri, statement?: number): Promise<void> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document) return;
  // load() paths in a .kl file are relative to the file itself.
  const baseDir = document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined;
  await panel.show(makeRequest(document.getText(), { ...(baseDir ? { baseDir } : {}), ...(statement !== undefined ? { uptoStatement: statement } : {}) }));
}
