/**
 * The "KL Lens" controller for KL notebooks: runs kl cells in order in the notebook's kernel worker,
 * with execution order, timing, and interrupts.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { preloadFiles } from '../commands/preload';
import { baseDirFor } from '../commands/request';
import { settings } from '../settings';
import type { CellRequest } from './kernel';
import { KernelClient, kernelWorkerPath } from './kernelClient';
import { cellOutputs, type OutputSpec } from './outputs';
import { KL_NOTEBOOK_TYPE } from './serializer';

export const CONTROLLER_ID = 'kl-lens-kernel';

export function registerController(context: vscode.ExtensionContext): vscode.Disposable {
  const kernels = new Map<string, KernelClient>();
  const order = new Map<string, number>();
  const interrupted = new Set<string>();
  const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, KL_NOTEBOOK_TYPE, 'KL Lens');
  controller.supportedLanguages = ['kl'];
  controller.supportsExecutionOrder = true;
  controller.description = 'KL divergences, Gaussians, distillation and RLHF penalties';

  const kernelFor = (notebook: vscode.NotebookDocument): KernelClient => {
    const key = notebook.uri.toString();
    let k = kernels.get(key);
    if (!k) {
      k = new KernelClient(kernelWorkerPath(context.extensionPath));
      kernels.set(key, k);
    }
    return k;
  };

  controller.executeHandler = async (cells, notebook) => {
    const key = notebook.uri.toString();
    interrupted.delete(key);
    for (const cell of cells) {
      if (interrupted.has(key)) break;
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      const execution = controller.createNotebookCellExecution(cell);
      const n = (order.get(key) ?? 0) + 1;
      order.set(key, n);
      execution.executionOrder = n;
      execution.start(Date.now());
      await execution.clearOutput();
      const kernel = kernelFor(notebook);
      const cancel = execution.token.onCancellationRequested(() => {
        interrupted.add(key);
        kernel.interrupt();
      });
      try {
        const outcome = await kernel.run(await requestFor(cell, notebook));
        await execution.replaceOutput(cellOutputs(outcome).map(toOutput));
        if (outcome.kind === 'error' && outcome.name === 'Cancelled') interrupted.add(key);
        execution.end(outcome.kind !== 'error', Date.now());
      } catch (e) {
        await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(e instanceof Error ? e : new Error(String(e)))])]);
        execution.end(false, Date.now());
      } finally {
        cancel.dispose();
      }
    }
  };
  controller.interruptHandler = (notebook) => {
    const key = notebook.uri.toString();
    interrupted.add(key);
    kernels.get(key)?.interrupt();
  };

  // Preferred: VS Code selects this controller for a KL notebook without asking.
  const prefer = (notebook: vscode.NotebookDocument): void => {
    if (notebook.notebookType === KL_NOTEBOOK_TYPE) controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  };
  vscode.workspace.notebookDocuments.forEach(prefer);
  const opened = vscode.workspace.onDidOpenNotebookDocument(prefer);
  const closed = vscode.workspace.onDidCloseNotebookDocument((notebook) => {
    const key = notebook.uri.toString();
    kernels.get(key)?.dispose();
    kernels.delete(key);
    order.delete(key);
  });
  return vscode.Disposable.from(controller, opened, closed, {
    dispose: () => {
      for (const k of kernels.values()) k.dispose();
      kernels.clear();
    },
  });
}

/** load() paths are relative to the notebook's own folder (the workspace's, for an untitled one). */
async function requestFor(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): Promise<CellRequest> {
  const s = settings();
  const source = cell.document.getText();
  const uri = notebook.uri;
  const onDisk = uri.scheme === 'file';
  const baseDir = onDisk ? dirname(uri.fsPath) : baseDirFor(uri);
  const folder = onDisk || uri.scheme === 'untitled' ? undefined : vscode.Uri.joinPath(uri, '..');
  const preloaded = await preloadFiles(source, folder);
  return { source, baseDir, defaultBase: s.base, digits: s.digits, topK: s.topK, ...(preloaded ? { preloaded } : {}) };
}

function toOutput(spec: OutputSpec): vscode.NotebookCellOutput {
  if (spec.kind === 'error') {
    // The stack is what VS Code's error renderer shows as preformatted text: here the located message
    // and the offending line with its span underlined.
    const [header = spec.message] = spec.message.split('\n');
    return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: spec.name, message: header, stack: spec.message })]);
  }
  return new vscode.NotebookCellOutput(spec.items.map((i) => vscode.NotebookCellOutputItem.text(i.text, i.mime)));
}
