/** .klnb files to and from VS Code's notebook model; the format itself lives in format.ts. */
import * as vscode from 'vscode';
import { log } from '../log';
import { type Cell, type CellOutput, type KlNotebook, KlnbFormatError, parseNotebook, serializeNotebook } from './format';

export const KL_NOTEBOOK_TYPE = 'kl-notebook';

export class KlNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let notebook: KlNotebook;
    try {
      notebook = parseNotebook(content);
    } catch (e) {
      // VS Code shows this message in place of the editor; the file is left untouched.
      const message = e instanceof KlnbFormatError ? `This is not a valid KL notebook: ${e.message}` : `Could not read the KL notebook: ${String(e)}`;
      log(message);
      throw new Error(message);
    }
    return toNotebookData(notebook);
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return serializeNotebook(fromNotebookData(data));
  }
}

export function toNotebookData(notebook: KlNotebook): vscode.NotebookData {
  const cells = notebook.cells.map((c) => {
    const cell = new vscode.NotebookCellData(c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup, c.source, c.language);
    cell.outputs = c.outputs.map((o) => new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata ? { ...o.metadata } : undefined));
    if (c.execution) cell.executionSummary = { ...(c.execution.order !== undefined ? { executionOrder: c.execution.order } : {}), ...(c.execution.success !== undefined ? { success: c.execution.success } : {}) };
    if (c.metadata) cell.metadata = { ...c.metadata };
    return cell;
  });
  const data = new vscode.NotebookData(cells);
  if (notebook.metadata) data.metadata = { ...notebook.metadata };
  return data;
}

export function fromNotebookData(data: vscode.NotebookData): KlNotebook {
  const cells: Cell[] = data.cells.map((c) => {
    const code = c.kind === vscode.NotebookCellKind.Code;
    const outputs: CellOutput[] = code ? (c.outputs ?? []).map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), ...(o.metadata ? { metadata: o.metadata } : {}) })) : [];
    const summary = c.executionSummary;
    const execution = summary && (summary.executionOrder !== undefined || summary.success !== undefined) ? { ...(summary.executionOrder !== undefined ? { order: summary.executionOrder } : {}), ...(summary.success !== undefined ? { success: summary.success } : {}) } : undefined;
    return { kind: code ? 'code' : 'markdown', language: c.languageId, source: c.value, outputs, ...(execution ? { execution } : {}), ...(c.metadata && Object.keys(c.metadata).length > 0 ? { metadata: c.metadata } : {}) };
  });
  return { cells, ...(data.metadata && Object.keys(data.metadata).length > 0 ? { metadata: data.metadata } : {}) };
}
