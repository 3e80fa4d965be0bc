/**
 * Opening any supported tensor file: format detection (extension, then magic bytes), one list of
 * entries, and key selection with messages that list what exists.
 */
import type { TensorEntry } from './entry';
import { TensorFormatError } from './errors';
import { readNpy } from './npy';
import { readNpz } from './npz';
import { readPt } from './pt';
import { readSafetensors } from './safetensors';
import type { ByteSource } from './source';
import { readDelimited, readJson } from './text';
import { isZip, readZipDirectory } from './zip';

export type TensorFormat = 'npy' | 'npz' | 'safetensors' | 'pt' | 'csv' | 'tsv' | 'json';

export interface TensorFile {
  readonly format: TensorFormat;
  readonly entries: readonly TensorEntry[];
  readonly metadata?: Readonly<Record<string, string>>;
}

const BY_EXTENSION: Record<string, TensorFormat> = {
  npy: 'npy',
  npz: 'npz',
  safetensors: 'safetensors',
  pt: 'pt',
  pth: 'pt',
  ckpt: 'pt',
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
};

export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The format from the file's first bytes, when its name does not say. */
export function sniffFormat(source: ByteSource): TensorFormat | undefined {
  if (source.size >= 6) {
    const head = source.read(0, Math.min(source.size, 16));
    if (head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
    if (isZip(source)) {
      const names = readZipDirectory(source).map((m) => m.name);
      if (names.some((n) => n.endsWith('/data.pkl') || n === 'data.pkl')) return 'pt';
      return 'npz';
    }
    if (source.size >= 9 && head[8] === 0x7b /* { */) return 'safetensors';
  }
  return undefined;
}

export function openTensorFile(source: ByteSource): TensorFile {
  const ext = extensionOf(source.name);
  const format = BY_EXTENSION[ext] ?? sniffFormat(source);
  if (!format) {
    throw new TensorFormatError(
      source.name,
      `unsupported file type${ext ? ` '.${ext}'` : ''}; KL Lens reads ${SUPPORTED_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
    );
  }
  switch (format) {
    case 'npy':
      return { format, entries: [readNpy(source)] };
    case 'npz':
      return readNpz(source);
    case 'safetensors':
      return readSafetensors(source);
    case 'pt':
      return readPt(source);
    case 'csv':
    case 'tsv':
      return readDelimited(source.read(0, source.size), format === 'csv' ? ',' : '\t', source.name);
    case 'json':
      return readJson(source.read(0, source.size), source.name);
  }
}

/** How many keys a "did you mean" listing shows. */
const LISTED_KEYS = 20;

export function listKeys(file: TensorFile): string {
  const keys = file.entries.map((e) => e.key || '(unnamed)');
  const shown = keys.slice(0, LISTED_KEYS).join(', ');
  return keys.length > LISTED_KEYS ? `${shown}, … (${keys.length} in all)` : shown;
}

/**
 * The entry a key names. Without a key the file must hold one tensor (text tables count their
 * whole table as that one). Errors list the keys that exist.
 */
export function selectEntry(file: TensorFile, key: string | undefined, name: string): TensorEntry {
  if (key === undefined || key === '') {
    const whole = file.entries.find((e) => e.key === '');
    if (whole) return whole;
    if (file.entries.length === 1) return file.entries[0]!;
    throw new TensorFormatError(name, `holds ${file.entries.length} tensors; pick one with ${name}#KEY. Keys: ${listKeys(file)}`);
  }
  const entry = file.entries.find((e) => e.key === key);
  if (entry) return entry;
  const under = file.entries.filter((e) => e.key.startsWith(`${key}.`));
  if (under.length > 0) {
    throw new TensorFormatError(name, `'${key}' is a group of ${under.length} tensors, not one tensor; pick one: ${under.slice(0, LISTED_KEYS).map((e) => e.key).join(', ')}`);
  }
  throw new TensorFormatError(name, `has no tensor '${key}'. Keys: ${listKeys(file)}`);
}
