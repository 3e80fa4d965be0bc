/**
 * A reader for Hugging Face .safetensors files.
 *
 * ## Method
 * The file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then one byte buffer.
 * The header is checked as the reference does (`SafeTensors::read_metadata`, `Metadata::validate`):
 * a bounded length that fits in the file, a JSON object whose `__metadata__` maps strings to strings
 * and whose other keys each hold exactly `{dtype, shape, data_offsets}`; sorted by offset, the
 * tensors tile the buffer from 0 to its end with no hole or overlap, each spanning exactly
 * elements × itemsize bytes. Tensor data is never read here: each entry is a window of the file.
 *
 * Reference: huggingface/safetensors, README "Format" and `safetensors/src/tensor.rs`.
 */
import { type DType, ITEM_SIZE } from './dtype';
import { checkBounds, rowMajorStrides, type TensorEntry } from './entry';
import { TensorFormatError } from './errors';
import { type ByteSource, sliceSource } from './source';

/** The reference's MAX_HEADER_SIZE: a longer header is refused before it is read. */
export const MAX_HEADER_SIZE = 100_000_000;
/** A valid header nests three deep (object → tensor → shape); deeper than this is hostile. */
export const MAX_HEADER_DEPTH = 64;

const FORMAT = 'safetensors';
const PREFIX = 8;
const FIELDS = ['dtype', 'shape', 'data_offsets'] as const;

const DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ['F64', 'float64'],
  ['F32', 'float32'],
  ['F16', 'float16'],
  ['BF16', 'bfloat16'],
  ['F8_E4M3', 'float8_e4m3fn'],
  ['F8_E5M2', 'float8_e5m2'],
  ['I64', 'int64'],
  ['I32', 'int32'],
  ['I16', 'int16'],
  ['I8', 'int8'],
  ['U64', 'uint64'],
  ['U32', 'uint32'],
  ['U16', 'uint16'],
  ['U8', 'uint8'],
  ['BOOL', 'bool'],
]);

interface HeaderKey {
  readonly name: string;
  /** File offset of the key's opening quote. */
  readonly at: number;
}

interface TensorInfo {
  readonly key: string;
  readonly at: number;
  readonly dtypeName: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function fail(message: string, at: number): never {
  throw new TensorFormatError(FORMAT, message, at);
}

/** A short rendering of a JSON value for messages. */
function show(value: unknown): string {
  const s = value === undefined ? 'nothing' : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The index of the first byte that is not part of well-formed UTF-8 (as Rust's `from_utf8`), or -1. */
function invalidUtf8At(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // beyond U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Walks the header's bytes once before JSON.parse: refuses nesting deeper than MAX_HEADER_DEPTH (a
 * recursive parser would overflow the stack) and collects the top-level keys in written order —
 * Object.keys would move integer-like keys first and hide duplicates.
 */
function scanHeader(bytes: Uint8Array, decode: (b: Uint8Array) => string): HeaderKey[] {
  const keys: HeaderKey[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < bytes.length && bytes[i] !== 0x22; i++) if (bytes[i] === 0x5c /* \ */) i++;
      if (depth === 1 && expectKey && i < bytes.length) {
        let name: unknown;
        try {
          name = JSON.parse(decode(bytes.subarray(start, i + 1)));
        } catch {
          name = undefined; // a malformed key: JSON.parse of the whole header reports it
        }
        if (typeof name === 'string') keys.push({ name, at: PREFIX + start });
      }
      expectKey = false;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_HEADER_DEPTH) fail(`header JSON is nested more than ${MAX_HEADER_DEPTH} levels deep`, PREFIX + i);
      expectKey = depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      expectKey = false;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function parseHeader(bytes: Uint8Array): { root: Record<string, unknown>; keys: HeaderKey[] } {
  if (bytes.length === 0 || bytes[0] !== 0x7b) {
    fail(`header must be a JSON object starting with '{', found ${bytes.length === 0 ? 'an empty header' : `byte 0x${bytes[0]!.toString(16).padStart(2, '0')}`}`, PREFIX);
  }
  const bad = invalidUtf8At(bytes);
  if (bad >= 0) fail('header is not valid UTF-8', PREFIX + bad);
  const decoder = new TextDecoder('utf-8');
  const keys = scanHeader(bytes, (b) => decoder.decode(b));
  const text = decoder.decode(bytes);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const position = /position (\d+)/.exec(message);
    // JSON.parse counts UTF-16 code units; the error carries a byte offset.
    let at = PREFIX;
    if (position) at += new TextEncoder().encode(text.slice(0, Number(position[1]))).length;
    else if (/end of JSON/.test(message)) at += bytes.length;
    fail(`header is not valid JSON (${message})`, at);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) fail(`header must be a JSON object, got ${show(root)}`, PREFIX);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.name)) fail(`key '${k.name}' appears more than once in the header`, k.at);
    seen.add(k.name);
  }
  return { root: root as Record<string, unknown>, keys };
}

function readMetadata(value: unknown, at: number): Record<string, string> {
  // The reference types it Option<HashMap<String, String>>, so null means absent.
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail(`'__metadata__' must be an object of string values, got ${show(value)}`, at);
  const pairs = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of pairs) {
    if (typeof v !== 'string') fail(`'__metadata__' value for '${k}' must be a string, got ${show(v)}`, at);
  }
  // fromEntries defines own properties, so a '__proto__' key stays data.
  return Object.fromEntries(pairs) as Record<string, string>;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function readTensorInfo(key: string, value: unknown, at: number): TensorInfo {
  const where = `tensor '${key}'`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`${where} must be an object {dtype, shape, data_offsets}, got ${show(value)}`, at);
  }
  const info = value as Record<string, unknown>;
  for (const field of Object.keys(info)) {
    if (!(FIELDS as readonly string[]).includes(field)) fail(`${where} has unknown field '${field}'; expected only dtype, shape, data_offsets`, at);
  }
  for (const field of FIELDS) if (!Object.hasOwn(info, field)) fail(`${where} is missing '${field}'`, at);
  const { dtype: dtypeName, shape, data_offsets: offsets } = info;
  if (typeof dtypeName !== 'string') fail(`${where}: dtype must be a string, got ${show(dtypeName)}`, at);
  const dtype = DTYPES.get(dtypeName);
  if (dtype === undefined) fail(`${where} has unsupported dtype '${dtypeName}'; supported: ${[...DTYPES.keys()].join(', ')}`, at);
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    fail(`${where}: shape must be an array of non-negative integers, got ${show(shape)}`, at);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(`${where}: data_offsets must be two non-negative integers [begin, end], got ${show(offsets)}`, at);
  }
  const [begin, end] = offsets as [number, number];
  return { key, at, dtypeName, dtype, shape: shape as number[], begin, end };
}

/** Bytes a tensor needs; overflow past 2^53 is refused like the reference's checked_mul. */
function byteSize(t: TensorInfo): number {
  let n = ITEM_SIZE[t.dtype];
  for (const d of t.shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) fail(`tensor '${t.key}' with shape [${t.shape.join(', ')}] of ${t.dtypeName} has more bytes than can be addressed`, t.at);
  }
  return n;
}

/**
 * Reads a .safetensors header and returns one entry per tensor, in the order the header lists
 * them (the reference sorts by offset; files it writes list tensors in offset order anyway), plus
 * the `__metadata__` strings. Tensor data stays in the source: each entry's storage is a window.
 *
 * Stricter than the reference where it is lenient: a tensor with unknown fields and duplicate keys
 * are refused (the format spec disallows duplicates), and the header must begin with '{'.
 *
 * Reference: https://github.com/huggingface/safetensors (README "Format"; `tensor.rs`).
 * @example readSafetensors(memorySource(bytes, 'model.safetensors')).entries.map((e) => e.key)
 */
export function readSafetensors(source: ByteSource): { format: 'safetensors'; entries: TensorEntry[]; metadata: Record<string, string> } {
  if (source.size < PREFIX) fail(`file is ${source.size} bytes, too short for the 8-byte header length`, 0);
  const prefix = source.read(0, PREFIX);
  const n = new DataView(prefix.buffer, prefix.byteOffset, PREFIX).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) fail(`header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit`, 0);
  const headerLength = Number(n);
  if (PREFIX + headerLength > source.size) {
    fail(`header length ${headerLength} runs past the end of the file (${source.size} bytes, ${source.size - PREFIX} after the length)`, 0);
  }
  const { root, keys } = parseHeader(source.read(PREFIX, headerLength));

  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const { name, at } of keys) {
    if (name === '__metadata__') metadata = readMetadata(root[name], at);
    else tensors.push(readTensorInfo(name, root[name], at));
  }

  // Metadata::validate: sorted by offsets, each tensor starts where the previous one ended.
  const dataStart = PREFIX + headerLength;
  const byOffset = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorInfo | undefined;
  for (const t of byOffset) {
    const span = `data_offsets [${t.begin}, ${t.end}]`;
    if (t.end < t.begin) fail(`tensor '${t.key}' has ${span} that end before they begin`, t.at);
    if (t.begin < covered) {
      fail(`tensor '${t.key}' ${span} overlaps tensor '${previous!.key}', which ends at data byte ${covered}`, dataStart + t.begin);
    }
    if (t.begin > covered) {
      const what = previous ? `tensor '${previous.key}' ends at data byte ${covered}` : 'the data buffer starts at 0';
      fail(`tensor '${t.key}' ${span} leaves a hole of ${t.begin - covered} bytes: ${what}`, dataStart + covered);
    }
    const expected = byteSize(t);
    if (t.end - t.begin !== expected) {
      fail(`tensor '${t.key}' of ${t.dtypeName} with shape [${t.shape.join(', ')}] needs ${expected} bytes but its ${span} span ${t.end - t.begin}`, t.at);
    }
    covered = t.end;
    previous = t;
  }
  const available = source.size - dataStart;
  if (covered > available) fail(`tensors need ${covered} data bytes but the file has ${available} after the header; it is truncated`, source.size);
  if (covered < available) fail(`${available - covered} bytes after the last tensor are not covered by any tensor (the data buffer must end with the last tensor)`, dataStart + covered);

  const entries = tensors.map((t): TensorEntry => {
    const entry: TensorEntry = {
      key: t.key,
      dtype: t.dtype,
      shape: t.shape,
      order: 'little',
      strides: rowMajorStrides(t.shape),
      offset: 0,
      storage: sliceSource(source, dataStart + t.begin, t.end - t.begin, `${source.name}:${t.key}`),
    };
    checkBounds(entry, FORMAT);
    return entry;
  });
  return { format: 'safetensors', entries, metadata };
}
