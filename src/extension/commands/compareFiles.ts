/** "KL Lens: Compare Tensor Files…": pick P and Q (files, then keys), choose the quantity. */
import * as vscode from 'vscode';
import type { ResultsPanel } from '../panel/resultsPanel';
import { baseDirFor, makeRequest, quote } from './request';
import { pickKey, TENSOR_FILTERS } from './tensorFiles';

const QUANTITIES = [
  { label: 'KL(P ‖ Q)', detail: 'Kullback–Leibler divergence, with the reverse direction beside it', call: 'KL(P || Q)' },
  { label: 'KL(softmax(P) ‖ softmax(Q))', detail: 'for logits: per row along the last axis', call: 'KL(softmax(P) || softmax(Q))' },
  { label: 'JS(P, Q)', detail: 'Jensen–Shannon divergence: symmetric, finite', call: 'JS(P, Q)' },
  { label: 'H(P, Q)', detail: 'cross-entropy = H(P) + KL(P ‖ Q)', call: 'H(P, Q)' },
  { label: 'Jeffreys(P, Q)', detail: 'KL(P ‖ Q) + KL(Q ‖ P)', call: 'Jeffreys(P, Q)' },
  { label: 'TV(P, Q)', detail: 'total variation distance', call: 'TV(P, Q)' },
  { label: 'Hellinger(P, Q)', detail: 'Hellinger distance', call: 'Hellinger(P, Q)' },
];

async function pickFile(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: TENSOR_FILTERS, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0];
}

function load(uri: vscode.Uri, key: string | undefined): string {
  const path = uri.scheme === 'file' ? uri.fsPath : uri.path;
  return key === undefined ? `load(${quote(path)})` : `load(${quote(path)}, ${quote(key)})`;
}

export async function compareFiles(panel: ResultsPanel, clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<void> {
  const chosen = selected && selected.length >= 2 ? selected.slice(0, 2) : clicked ? [clicked] : [];
  const p = chosen[0] ?? (await pickFile('KL Lens: choose P'));
  if (!p) return;
  const pKey = await pickKey(p, 'P: which tensor?');
  if (pKey === null) return;
  const q = chosen[1] ?? (await pickFile('KL Lens: choose Q'));
  if (!q) return;
  const qKey = await pickKey(q, 'Q: which tensor?');
  if (qKey === null) return;
  const quantity = await vscode.window.showQuickPick(QUANTITIES, { title: 'KL Lens: which quantity?' });
  if (!quantity) return;
  const source = `P = ${load(p, pKey)}\nQ = ${load(q, qKey)}\n${quantity.call}`;
  await panel.show(makeRequest(source, { baseDir: baseDirFor(p) }));
}
