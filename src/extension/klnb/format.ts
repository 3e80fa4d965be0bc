/**
 * The .klnb file format: a readable JSON document that keeps outputs.
 *
 *   { "format": "klnb", "version": 1, "metadata": {...},
 *     "cells": [ { "kind": "markdown", "source": "..." },
 *                { "kind": "code", "language": "kl", "source": "...", "execution": { "order": 3, "success": true },
 *                  "outputs": [ { "items": [ { "mime": "text/plain", "data": "..." } ] } ] } ] }
 *
 * Output data is stored as what it is, so diffs stay readable: JSON mime types as JSON, text as a
 * string, anything else as base64 with `"encoding": "base64"`. Files are written with a fixed key
 * order (and sorted metadata keys), so saving an unchanged notebook rewrites the same bytes.
 * Plain data only: the VS Code serializer maps it to and from NotebookData.
 */

import { type ParseError, type ParseErrorCode, parse as parseJson, printParseErrorCode } from 'jsonc-parser';

export const KLNB_FORMAT = 'klnb';
export const KLNB_VERSION = 1;

export type CellKind = 'code' | 'markdown';

export interface OutputItem {
  readonly mime: string;
  readonly data: Uint8Array;
}

export interface CellOutput {
  readonly items: readonly OutputItem[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface CellExecution {
  readonly order?: number;
  readonly success?: boolean;
}

export interface Cell {
  readonly kind: CellKind;
  readonly language: string;
  readonly source: string;
  readonly outputs: readonly CellOutput[];
  readonly execution?: CellExecution;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface KlNotebook {
  readonly cells: readonly Cell[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A file that is not a valid notebook; `where` names the part (`cells[2].outputs[0].items[1].mime`). */
export class KlnbFormatError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(where ? `${where}: ${problem}` : problem);
    this.name = 'KlnbFormatError';
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Mime types whose data is JSON text: stored as a JSON value rather than an escaped string. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json') || mime === 'application/vnd.code.notebook.error';
}

/** Mime types whose data is text: stored as a string. */
export function isTextMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript' || mime.startsWith('application/vnd.code.notebook.std');
}

export function parseNotebook(bytes: Uint8Array): KlNotebook {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw new KlnbFormatError('', 'the file is not valid UTF-8 text');
  }
  if (text.trim() === '') return { cells: [] };
  // jsonc-parser (VS Code's own) reports where a file breaks; JSON.parse's message often does not.
  const errors: ParseError[] = [];
  const json: unknown = parseJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const { error, offset } = errors[0]!;
    throw new KlnbFormatError('', `not valid JSON (${describeJsonError(error)} at ${lineColumnOf(text, offset)})`);
  }
  const root = object(json, '', 'the notebook must be a JSON object with "format": "klnb" and "cells"');
  if (root['format'] !== KLNB_FORMAT) throw new KlnbFormatError('format', `expected "${KLNB_FORMAT}", got ${describe(root['format'])}`);
  const version = root['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new KlnbFormatError('version', `expected an integer, got ${describe(version)}`);
  if (version > KLNB_VERSION) throw new KlnbFormatError('version', `version ${version} is newer than this KL Lens reads (${KLNB_VERSION}); update the extension`);
  if (version < 1) throw new KlnbFormatError('version', `expected 1, got ${version}`);
  const cells = array(root['cells'], 'cells').map((c, i) => parseCell(c, `cells[${i}]`));
  const metadata = optionalObject(root['metadata'], 'metadata');
  return metadata ? { cells, metadata } : { cells };
}

function parseCell(value: unknown, where: string): Cell {
  const c = object(value, where, 'expected a cell object');
  const kind = c['kind'];
  if (kind !== 'code' && kind !== 'markdown') throw new KlnbFormatError(`${where}.kind`, `expected "code" or "markdown", got ${describe(kind)}`);
  const language = c['language'] === undefined ? (kind === 'code' ? 'kl' : 'markdown') : string(c['language'], `${where}.language`);
  const source = string(c['source'], `${where}.source`);
  const outputs = c['outputs'] === undefined ? [] : array(c['outputs'], `${where}.outputs`).map((o, i) => parseOutput(o, `${where}.outputs[${i}]`));
  if (kind === 'markdown' && outputs.length > 0) throw new KlnbFormatError(`${where}.outputs`, 'a markdown cell has no outputs');
  const exec = optionalObject(c['execution'], `${where}.execution`);
  let execution: CellExecution | undefined;
  if (exec) {
    const order = exec['order'];
    const success = exec['success'];
    if (order !== undefined && (typeof order !== 'number' || !Number.isInteger(order) || order < 0)) {
      throw new KlnbFormatError(`${where}.execution.order`, `expected a non-negative integer, got ${describe(order)}`);
    }
    if (success !== undefined && typeof success !== 'boolean') throw new KlnbFormatError(`${where}.execution.success`, `expected true or false, got ${describe(success)}`);
    execution = { ...(order !== undefined ? { order } : {}), ...(success !== undefined ? { success } : {}) };
  }
  const metadata = optionalObject(c['metadata'], `${where}.metadata`);
  return { kind, language, source, outputs, ...(execution ? { execution } : {}), ...(metadata ? { metadata } : {}) };
}

function parseOutput(value: unknown, where: string): CellOutput {
  const o = object(value, where, 'expected an output object with "items"');
  const items = array(o['items'], `${where}.items`).map((item, i) => parseItem(item, `${where}.items[${i}]`));
  const metadata = optionalObject(o['metadata'], `${where}.metadata`);
  return metadata ? { items, metadata } : { items };
}

function parseItem(value: unknown, where: string): OutputItem {
  const o = object(value, where, 'expected an output item with "mime" and "data"');
  const mime = string(o['mime'], `${where}.mime`);
  if (mime === '') throw new KlnbFormatError(`${where}.mime`, 'the mime type is empty');
  const encoding = o['encoding'];
  const data = o['data'];
  if (encoding !== undefined && encoding !== 'base64') throw new KlnbFormatError(`${where}.encoding`, `expected "base64" or no encoding, got ${describe(encoding)}`);
  if (encoding === 'base64') {
    const text = string(data, `${where}.data`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new KlnbFormatError(`${where}.data`, 'not valid base64');
    return { mime, data: Uint8Array.from(Buffer.from(text, 'base64')) };
  }
  if (data === undefined) throw new KlnbFormatError(`${where}.data`, 'missing');
  // Text is stored as a string; JSON mime data as the JSON value itself.
  const asText = typeof data === 'string' && !isJsonMime(mime) ? data : JSON.stringify(data);
  return { mime, data: utf8Encoder.encode(asText) };
}

/** The notebook as pretty-printed JSON with a fixed key order and a final newline. */
export function serializeNotebook(notebook: KlNotebook): Uint8Array {
  const doc = {
    format: KLNB_FORMAT,
    version: KLNB_VERSION,
    ...(notebook.metadata && Object.keys(notebook.metadata).length > 0 ? { metadata: sortKeys(notebook.metadata) } : {}),
    cells: notebook.cells.map(cellJson),
  };
  return utf8Encoder.encode(`${JSON.stringify(doc, null, 2)}\n`);
}

function cellJson(cell: Cell): Record<string, unknown> {
  const defaultLanguage = cell.kind === 'code' ? 'kl' : 'markdown';
  return {
    kind: cell.kind,
    ...(cell.language !== defaultLanguage ? { language: cell.language } : {}),
    source: cell.source,
    ...(cell.execution && (cell.execution.order !== undefined || cell.execution.success !== undefined)
      ? { execution: { ...(cell.execution.order !== undefined ? { order: cell.execution.order } : {}), ...(cell.execution.success !== undefined ? { success: cell.execution.success } : {}) } }
      : {}),
    ...(cell.metadata && Object.keys(cell.metadata).length > 0 ? { metadata: sortKeys(cell.metadata) } : {}),
    ...(cell.kind === 'code' ? { outputs: cell.outputs.map(outputJson) } : {}),
  };
}

function outputJson(output: CellOutput): Record<string, unknown> {
  return {
    items: output.items.map(itemJson),
    ...(output.metadata && Object.keys(output.metadata).length > 0 ? { metadata: sortKeys(output.metadata) } : {}),
  };
}

function itemJson(item: OutputItem): Record<string, unknown> {
  const text = decodeText(item.data);
  if (text !== undefined && isJsonMime(item.mime)) {
    try {
      return { mime: item.mime, data: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: kept byte-exact below.
    }
  }
  if (text !== undefined && isTextMime(item.mime)) return { mime: item.mime, data: text };
  return { mime: item.mime, encoding: 'base64', data: Buffer.from(item.data).toString('base64') };
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function object(value: unknown, where: string, expected: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new KlnbFormatError(where, `${expected}, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function optionalObject(value: unknown, where: string): Record<string, unknown> | undefined {
  return value === undefined ? undefined : object(value, where, 'expected an object');
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new KlnbFormatError(where, `expected an array, got ${describe(value)}`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new KlnbFormatError(where, `expected a string, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function describeJsonError(code: ParseErrorCode): string {
  const name = printParseErrorCode(code); // e.g. "ValueExpected"
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lineColumnOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}
