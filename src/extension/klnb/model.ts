/**
 * The .klnb format to and from plain records shaped like VS Code's notebook model (NotebookData,
 * NotebookCellData, NotebookCellOutput), so the mapping is testable without `vscode`: serializer.ts
 * only turns these records into VS Code's classes and back.
 *
 * @example
 * const model = readModel(bytes);  // what VS Code opens
 * writeModel(model);                // the bytes Ctrl+S writes
 */
import { type Cell, type CellExecution, type CellOutput, type KlNotebook, KlnbFormatError, parseNotebook, serializeNotebook } from './format';

/** NotebookCellKind's two members by name; the adapter maps them to the enum's numbers. */
export type ModelCellKind = 'code' | 'markup';

export interface ModelOutputItem {
  readonly mime: string;
  readonly data: Uint8Array;
}

export interface ModelOutput {
  readonly items: readonly ModelOutputItem[];
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** NotebookCellExecutionSummary without timing: timing is a property of one session, not of the file. */
export interface ModelExecutionSummary {
  readonly executionOrder?: number | undefined;
  readonly success?: boolean | undefined;
}

export interface ModelCell {
  readonly kind: ModelCellKind;
  readonly languageId: string;
  readonly value: string;
  readonly outputs?: readonly ModelOutput[] | undefined;
  readonly executionSummary?: ModelExecutionSummary | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

export interface ModelNotebook {
  readonly cells: readonly ModelCell[];
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** A .klnb file's bytes as the model VS Code opens; throws KlnbFormatError for a file that is not one. */
export function readModel(bytes: Uint8Array): ModelNotebook {
  return toModel(parseNotebook(bytes));
}

/** The bytes of a .klnb file for the model VS Code saves. */
export function writeModel(model: ModelNotebook): Uint8Array {
  return serializeNotebook(fromModel(model));
}

/** The one line VS Code shows in place of a notebook it could not open. */
export function openErrorMessage(error: unknown): string {
  if (error instanceof KlnbFormatError) return `This is not a valid KL notebook: ${error.message}`;
  return `Could not read the KL notebook: ${error instanceof Error ? error.message : String(error)}`;
}

/** What VS Code opens: one model cell per file cell, outputs and execution summary kept. */
export function toModel(notebook: KlNotebook): ModelNotebook {
  const cells = notebook.cells.map(toModelCell);
  return notEmpty(notebook.metadata) ? { cells, metadata: { ...notebook.metadata } } : { cells };
}

function toModelCell(cell: Cell): ModelCell {
  const summary = cell.execution ? executionSummary(cell.execution) : undefined;
  return {
    kind: cell.kind === 'code' ? 'code' : 'markup',
    languageId: cell.language,
    value: cell.source,
    outputs: cell.outputs.map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), ...(notEmpty(o.metadata) ? { metadata: { ...o.metadata } } : {}) })),
    ...(summary ? { executionSummary: summary } : {}),
    ...(notEmpty(cell.metadata) ? { metadata: { ...cell.metadata } } : {}),
  };
}

/** What Ctrl+S writes. Markup cells drop outputs (the format has none for them); empty metadata is left out. */
export function fromModel(model: ModelNotebook): KlNotebook {
  const cells = model.cells.map(fromModelCell);
  return notEmpty(model.metadata) ? { cells, metadata: model.metadata } : { cells };
}

function fromModelCell(cell: ModelCell): Cell {
  const code = cell.kind === 'code';
  const outputs: CellOutput[] = code ? (cell.outputs ?? []).map(fromModelOutput) : [];
  const execution = code && cell.executionSummary ? fileExecution(cell.executionSummary) : undefined;
  return {
    kind: code ? 'code' : 'markdown',
    language: cell.languageId,
    source: cell.value,
    outputs,
    ...(execution ? { execution } : {}),
    ...(notEmpty(cell.metadata) ? { metadata: cell.metadata } : {}),
  };
}

function fromModelOutput(output: ModelOutput): CellOutput {
  const items = output.items.map((i) => ({ mime: i.mime, data: i.data }));
  return notEmpty(output.metadata) ? { items, metadata: output.metadata } : { items };
}

function executionSummary(execution: CellExecution): ModelExecutionSummary | undefined {
  if (execution.order === undefined && execution.success === undefined) return undefined;
  return { ...(execution.order !== undefined ? { executionOrder: execution.order } : {}), ...(execution.success !== undefined ? { success: execution.success } : {}) };
}

function fileExecution(summary: ModelExecutionSummary): CellExecution | undefined {
  const { executionOrder: order, success } = summary;
  if (order === undefined && success === undefined) return undefined;
  return { ...(order !== undefined ? { order } : {}), ...(success !== undefined ? { success } : {}) };
}

function notEmpty(metadata: Readonly<Record<string, unknown>> | undefined): metadata is Readonly<Record<string, unknown>> {
  return metadata !== undefined && Object.keys(metadata).length > 0;
}
