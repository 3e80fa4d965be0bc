/** Building evaluation requests from editor context: the folder load() resolves against, settings. */
import { dirname } from 'node:path';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { EvaluationRequest, PlainTensor } from '../evaluation/protocol';
import { settings } from '../settings';

/** The workspace folder of `uri` (or of the active editor), else the file's own folder. */
export function baseDirFor(uri?: vscode.Uri): string {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  const folder = target ? vscode.workspace.getWorkspaceFolder(target) : vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme === 'file') return folder.uri.fsPath;
  if (target?.scheme === 'file') return dirname(target.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
}

export function makeRequest(source: string, extra: Partial<EvaluationRequest> & { baseDir?: string } = {}): EvaluationRequest {
  const s = settings();
  return { source, baseDir: extra.baseDir ?? baseDirFor(), defaultBase: s.base, digits: s.digits, topK: s.topK, ...extra } as EvaluationRequest;
}

export function plain(bindings: ReadonlyMap<string, { shape: readonly number[]; data: Float64Array }>): Record<string, PlainTensor> {
  return Object.fromEntries([...bindings].map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }]));
}

/** A path as a KL string literal. */
export function quote(path: string): string {
  return JSON.stringify(path);
}
