/**
 * .klnb files to and from VS Code's notebook model. The file format lives in format.ts and the
 * mapping in model.ts; this adapter only builds and reads VS Code's classes.
 */
import * as vscode from 'vscode';
import { log } from '../log';
import type { KlNotebook } from './format';
import { type ModelCell, type ModelNotebook, openErrorMessage, readModel, toModel, writeModel } from './model';

export const KL_NOTEBOOK_TYPE = 'kl-notebook';

export class KlNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let model: ModelNotebook;
    try {
      model = readModel(content);
    } catch (e) {
      // VS Code shows this message in place of the editor; the file is left untouched.
      const message = openErrorMessage(e);
      log(message);
      throw new Error(message);
    }
    return modelToNotebookData(model);
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return writeModel(fromNotebookData(data));
  }
}

/** A notebook held in memory (the starter) as VS Code's NotebookData. */
export function toNotebookData(notebook: KlNotebook): vscode.NotebookData {
  return modelToNotebookData(toModel(notebook));
}

function modelToNotebookData(model: ModelNotebook): vscode.NotebookData {
  const data = new vscode.NotebookData(model.cells.map(toCellData));
  if (model.metadata) data.metadata = { ...model.metadata };
  return data;
}

function toCellData(c: ModelCell): vscode.NotebookCellData {
  const cell = new vscode.NotebookCellData(c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup, c.value, c.languageId);
  cell.outputs = (c.outputs ?? []).map((o) => new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata ? { ...o.metadata } : undefined));
  if (c.executionSummary) cell.executionSummary = { ...c.executionSummary };
  if (c.metadata) cell.metadata = { ...c.metadata };
  return cell;
}

function fromNotebookData(data: vscode.NotebookData): ModelNotebook {
  const cells = data.cells.map(
    (c): ModelCell => ({
      kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
      languageId: c.languageId,
      value: c.value,
      outputs: c.outputs?.map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata })),
      executionSummary: c.executionSummary,
      metadata: c.metadata,
    }),
  );
  return { cells, metadata: data.metadata };
}
