/**
 * Workspaces that are not on the local disk (remote, virtual): the worker cannot open their files,
 * so the files a program load()s are read through vscode.workspace.fs first and passed as bytes.
 */
import * as vscode from 'vscode';
import { loadPaths } from '../../core/lang/loads';

export async function preloadFiles(source: string, folder: vscode.Uri | undefined): Promise<Record<string, Uint8Array> | undefined> {
  if (!folder || folder.scheme === 'file') return undefined;
  const out: Record<string, Uint8Array> = {};
  for (const path of loadPaths(source)) {
    const uri = path.startsWith('/') ? folder.with({ path }) : vscode.Uri.joinPath(folder, path);
    try {
      out[path] = await vscode.workspace.fs.readFile(uri);
    } catch {
      // Left out: load() then reports the missing file with its own message.
    }
  }
  return out;
}
