/** "KL Lens: Copy Python Helper": kl_lens.py on the clipboard, or written next to the active notebook. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const HELPER_FILE = 'kl_lens.py';

export async function copyPythonHelper(extensionPath: string): Promise<void> {
  const text = await readFile(join(extensionPath, 'python', HELPER_FILE), 'utf8');
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const folder = notebook && notebook.uri.scheme !== 'untitled' ? vscode.Uri.joinPath(notebook.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  interface Choice extends vscode.QuickPickItem {
    readonly target?: vscode.Uri;
  }
  const clipboard: Choice = { label: 'Copy to the clipboard', detail: `Paste it into a cell, then call kl_lens.show("KL(p || q)", p=p, q=q)` };
  const target = folder ? vscode.Uri.joinPath(folder, HELPER_FILE) : undefined;
  const choices: Choice[] = target ? [clipboard, { label: `Write ${HELPER_FILE} next to the notebook`, detail: target.fsPath, target }] : [clipboard];
  const pick = choices.length > 1 ? await vscode.window.showQuickPick(choices, { title: 'KL Lens: Python helper' }) : clipboard;
  if (!pick) return;
  if (pick.target) {
    const target = pick.target;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`KL Lens: wrote ${target.fsPath}; in the notebook: import kl_lens`);
  } else {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage('KL Lens: the Python helper is on the clipboard');
  }
}
