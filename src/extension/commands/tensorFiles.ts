/** Reading the list of tensors in a file from the extension host (headers only), for pickers. */
import * as vscode from 'vscode';
import { openFileSource } from '../../host/fileSource';
import { summarize, type TensorSummary } from '../../io/inspect';
import { openTensorFile, type TensorFile } from '../../io/open';
import { memorySource } from '../../io/source';

export const TENSOR_FILTERS = { 'Tensor files': ['npy', 'npz', 'safetensors', 'pt', 'pth', 'csv', 'tsv', 'json'] };

/** Opens a file (local: positioned reads; other schemes: read through vscode.workspace.fs) and lists it. */
export async function withTensorFile<T>(uri: vscode.Uri, use: (file: TensorFile) => T): Promise<T> {
  if (uri.scheme === 'file') {
    const source = openFileSource(uri.fsPath);
    try {
      return use(openTensorFile(source));
    } finally {
      source.close();
    }
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  return use(openTensorFile(memorySource(bytes, uri.path.split('/').pop() ?? 'file')));
}

export function describe(s: TensorSummary): string {
  return `${s.dtype} [${s.shape.join(', ')}]`;
}

/** The key of the tensor to use in a file: none needed for one tensor, a picker otherwise. */
export async function pickKey(uri: vscode.Uri, title: string): Promise<string | undefined | null> {
  const summaries = await withTensorFile(uri, (f) => f.entries.map((e) => summarize(e, 0)));
  if (summaries.length === 1) return undefined;
  const picked = await vscode.window.showQuickPick(
    summaries.map((s) => ({ label: s.key === '' ? '(whole file)' : s.key, description: describe(s), key: s.key })),
    { title, placeHolder: 'Which tensor?' },
  );
  return picked ? picked.key : null;
}
