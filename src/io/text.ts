/**
 * Tensors written as text: CSV/TSV tables of numbers and JSON arrays. Both are parsed into float64
 * in memory (text files are small next to binary dumps), with errors that give line and column.
 */
import { memorySource } from './source';
import { TensorFormatError } from './errors';
import { rowMajorStrides, type TensorEntry } from './entry';

/** Text tensor files larger than this are refused: a binary format streams, text cannot. */
export const MAX_TEXT_BYTES = 256 * 1024 * 1024;
/** JSON nested deeper than this is refused before parsing. */
export const MAX_JSON_DEPTH = 64;

const hostLittle = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** An in-memory float64 tensor as an entry, so text files read like every other format. */
export function memoryEntry(key: string, shape: readonly number[], data: Float64Array, name: string): TensorEntry {
  return {
    key,
    dtype: 'float64',
    shape: [...shape],
    order: hostLittle ? 'little' : 'big',
    strides: rowMajorStrides(shape),
    offset: 0,
    storage: memorySource(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), name),
  };
}

function decodeText(bytes: Uint8Array, format: string): string {
  if (bytes.length > MAX_TEXT_BYTES) throw new TensorFormatError(format, `file is ${bytes.length} bytes; text tensors are limited to ${MAX_TEXT_BYTES} (save large arrays as .npy)`, 0);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new TensorFormatError(format, 'file is not valid UTF-8 text', 0);
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

function parseCell(cell: string): number | undefined {
  const s = cell.trim().replace(/^"(.*)"$/, '$1').trim();
  if (!NUMBER.test(s)) return undefined;
  const lower = s.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return Number(s);
}

/**
 * CSV (comma) or TSV (tab) of numbers; an optional first row of column names. The whole table is
 * the entry '' (a single row or column reads as a vector); with a header, each column is also an
 * entry named by its header.
 */
export function readDelimited(bytes: Uint8Array, delimiter: ',' | '\t', name: string): { format: 'csv' | 'tsv'; entries: TensorEntry[] } {
  const format = delimiter === ',' ? 'csv' : 'tsv';
  const text = decodeText(bytes, format);
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  let header: string[] | undefined;
  let width = -1;
  let lineStart = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const start = lineStart;
    lineStart += line.length + (text[lineStart + line.length] === '\r' ? 2 : 1);
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const cells = line.split(delimiter);
    const values = cells.map(parseCell);
    if (rows.length === 0 && header === undefined && values.some((v) => v === undefined)) {
      header = cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
      width = cells.length;
      continue;
    }
    if (width >= 0 && cells.length !== width) {
      throw new TensorFormatError(format, `line ${li + 1} has ${cells.length} fields but the ${header ? 'header' : 'first row'} has ${width}`, start);
    }
    width = cells.length;
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) {
      const column = cells.slice(0, bad).reduce((n, c) => n + c.length + 1, 0) + 1;
      throw new TensorFormatError(format, `line ${li + 1}, column ${column}: '${cells[bad]!.trim().slice(0, 40)}' is not a number`, start + column - 1);
    }
    rows.push(values as number[]);
  }
  if (rows.length === 0) throw new TensorFormatError(format, header ? 'the file has a header but no rows of numbers' : 'the file holds no numbers', 0);
  const cols = width;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  const shape = rows.length === 1 ? [cols] : cols === 1 ? [rows.length] : [rows.length, cols];
  const entries = [memoryEntry('', shape, data, name)];
  if (header && cols > 1) {
    const seen = new Set<string>();
    header.forEach((h, c) => {
      if (h === '' || seen.has(h)) return;
      seen.add(h);
      entries.push(memoryEntry(h, [rows.length], Float64Array.from(rows, (r) => r[c]!), name));
    });
  }
  return { format, entries };
}

/** Nested arrays of numbers, or an object whose values are such arrays (nested objects → dotted keys). */
export function readJson(bytes: Uint8Array, name: string): { format: 'json'; entries: TensorEntry[] } {
  const text = decodeText(bytes, 'json');
  checkDepth(text);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new TensorFormatError('json', `not valid JSON (${e instanceof Error ? e.message : String(e)})`, m ? Number(m[1]) : undefined);
  }
  const entries: TensorEntry[] = [];
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value) || typeof value === 'number' || typeof value === 'string') {
      const t = toTensor(value, key);
      entries.push(memoryEntry(key, t.shape, t.data, name));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, key === '' ? k : `${key}.${k}`);
    } else {
      throw new TensorFormatError('json', `${key === '' ? 'the document' : `'${key}'`} is ${value === null ? 'null' : typeof value}, not an array of numbers`);
    }
  };
  visit(root, '');
  if (entries.length === 0) throw new TensorFormatError('json', 'the document holds no arrays of numbers', 0);
  return { format: 'json', entries };
}

function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) throw new TensorFormatError('json', `nested more than ${MAX_JSON_DEPTH} levels deep`, i);
    } else if (c === 93 || c === 125) depth--;
  }
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function toTensor(value: unknown, key: string): { shape: number[]; data: Float64Array } {
  const where = key === '' ? '' : ` in '${key}'`;
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const out: number[] = [];
  const walk = (v: unknown, axis: number, path: number[]): void => {
    const at = path.length > 0 ? ` at [${path.join(', ')}]` : '';
    if (axis === shape.length) {
      if (typeof v === 'number') out.push(v);
      else if (typeof v === 'string' && v in SPECIAL) out.push(SPECIAL[v]!);
      else throw new TensorFormatError('json', `${JSON.stringify(v)?.slice(0, 40) ?? String(v)}${at}${where} is not a number`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new TensorFormatError('json', `ragged array${where}${at}: expected ${shape[axis]} entries, found ${Array.isArray(v) ? v.length : 'a scalar'}`);
    }
    v.forEach((x, i) => walk(x, axis + 1, [...path, i]));
  };
  walk(value, 0, []);
  return { shape, data: Float64Array.from(out) };
}
