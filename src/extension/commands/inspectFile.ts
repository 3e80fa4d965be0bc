/**
 * "KL Lens: Inspect Tensor File": every tensor with dtype, shape and a summary; choosing one
 * evaluates what fits it (entropy of a distribution, of softmax(logits), ...).
 */
import * as vscode from 'vscode';
import { formatNumber } from '../../core/format';
import { summarize, type TensorSummary } from '../../io/inspect';
import type { ResultsPanel } from '../panel/resultsPanel';
import { baseDirFor, makeRequest, quote } from './request';
import { describe, TENSOR_FILTERS, withTensorFile } from './tensorFiles';

function program(path: string, s: TensorSummary): string {
  const x = s.key === '' ? `load(${quote(path)})` : `load(${quote(path)}, ${quote(s.key)})`;
  switch (s.stats?.looksLike) {
    case 'logits':
      return `H(softmax(${x}))`;
    case 'log-probs':
      return `H(exp(${x}))`;
    case 'per-token log-probs':
      return `exp(${x})`;
    default:
      return `H(${x})`;
  }
}

export async function inspectFile(panel: ResultsPanel, uri?: vscode.Uri): Promise<void> {
  const target =
    uri ??
    (vscode.window.activeTextEditor?.document.uri.scheme === 'file' && /\.(npy|npz|safetensors|pt|pth|csv|tsv|json)$/i.test(vscode.window.activeTextEditor.document.uri.fsPath)
      ? vscode.window.activeTextEditor.document.uri
      : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: TENSOR_FILTERS, title: 'KL Lens: inspect which file?' }))?.[0]);
  if (!target) return;
  const { format, summaries } = await withTensorFile(target, (f) => ({ format: f.format, summaries: f.entries.map((e) => summarize(e)) }));
  const path = target.scheme === 'file' ? target.fsPath : target.path;
  const items = summaries.map((s) => ({
    label: s.key === '' ? '(whole file)' : s.key,
    description: describe(s),
    detail: s.stats
      ? `min ${formatNumber(s.stats.min)} · max ${formatNumber(s.stats.max)} · sum ${formatNumber(s.stats.sum)} · ${s.stats.problem === undefined ? `last axis looks like ${s.stats.looksLike}` : `not a distribution: ${s.stats.problem}`} — choose to evaluate`
      : `${s.elements} elements — choose to evaluate`,
    summary: s,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `${target.path.split('/').pop()} — ${format}, ${summaries.length} tensor${summaries.length === 1 ? '' : 's'}`,
    placeHolder: 'Choose a tensor to evaluate',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  await panel.show(makeRequest(program(path, picked.summary), { baseDir: baseDirFor(target) }));
}
