/** "KL Lens: New KL Notebook": an untitled .klnb with the starter cells, ready to run. */
import * as vscode from 'vscode';
import { KL_NOTEBOOK_TYPE, toNotebookData } from './serializer';
import { starterNotebook } from './starter';

export async function newNotebook(): Promise<void> {
  const document = await vscode.workspace.openNotebookDocument(KL_NOTEBOOK_TYPE, toNotebookData(starterNotebook()));
  await vscode.window.showNotebookDocument(document);
}
