/**
 * The .npy reader: one array, a short text header, then the raw elements.
 *
 * ## Method
 * The magic `\x93NUMPY`, a major and minor version byte, a little-endian header length (u16 for
 * 1.0, u32 for 2.0 and 3.0), then the header: a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a newline.
 * The header is parsed by a small literal parser that accepts only strings, ints, True/False/None,
 * tuples and lists — never `eval`. The data follows the header; it is sliced out of the source, not
 * read, so a large file is only touched where a tensor is read.
 *
 * Reference: NumPy NEP 1 and the `numpy.lib.format` documentation (format versions 1.0–3.0).
 */
import { type ByteOrder, type DType, ITEM_SIZE } from './dtype';
import { checkBounds, columnMajorStrides, elementCount, rowMajorStrides, type TensorEntry } from './entry';
import { TensorFormatError } from './errors';
import { type ByteSource, sliceSource } from './source';

/** NumPy refuses headers longer than this (characters) unless told to trust the file. */
export const MAX_HEADER_CHARS = 10_000;

const FORMAT = 'npy';
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_DEPTH = 32;

const TYPES: Readonly<Record<string, DType>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
  '?': 'bool',
};

const KIND_NAMES: Readonly<Record<string, string>> = {
  c: 'complex',
  U: 'unicode string',
  S: 'byte string',
  a: 'byte string',
  V: 'void (raw bytes)',
  M: 'datetime64',
  m: 'timedelta64',
};

const SUPPORTED = 'f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8, b1';

function fail(message: string, at?: number): never {
  throw new TensorFormatError(FORMAT, message, at);
}

/**
 * Reads the header of an .npy file and describes its array as a TensorEntry whose storage is the
 * data region of `source` (a window, not a copy). Object arrays, structured dtypes and dtypes
 * other than bool and the 8–64-bit numbers are refused, like `np.load(allow_pickle=False)`.
 *
 * Reference: NumPy NEP 1, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * @example readNpy(memorySource(bytes, 'w.npy')) // { dtype: 'float32', shape: [3, 4], ... }
 */
export function readNpy(source: ByteSource, key = ''): TensorEntry {
  const size = source.size;
  const { headerStart, headerLength, major } = readPreamble(source);
  const dataStart = headerStart + headerLength;
  const headerBytes = source.read(headerStart, headerLength);
  if (major === 3) checkUtf8(headerBytes, headerStart);

  const header = parseHeader(headerBytes, headerStart);
  const { dtype, order } = header.type;
  const count = elementCount(header.shape, FORMAT, header.shapeAt);
  const dataLength = count * ITEM_SIZE[dtype];
  if (!Number.isSafeInteger(dataLength)) fail(`shape ${shapeText(header.shape)} of ${dtype} needs more bytes than can be addressed`, header.shapeAt);
  const available = size - dataStart;
  if (available < dataLength) {
    fail(
      `data of shape ${shapeText(header.shape)} ${dtype} needs ${dataLength} bytes at ${dataStart}..${dataStart + dataLength} but the file has ${available} after the header; it is truncated or its shape lies`,
      size,
    );
  }
  if (available > dataLength) {
    fail(
      `${available - dataLength} unexpected bytes after the ${dataLength} bytes of data that shape ${shapeText(header.shape)} ${dtype} needs; the header lies or the file has trailing garbage`,
      dataStart + dataLength,
    );
  }
  const shape = header.shape;
  const entry: TensorEntry = {
    key,
    dtype,
    order,
    shape,
    strides: header.fortran ? columnMajorStrides(shape) : rowMajorStrides(shape),
    offset: 0,
    storage: sliceSource(source, dataStart, dataLength, source.name),
  };
  checkBounds(entry, FORMAT);
  return entry;
}

/** Magic, version and header length: where the header is, checked against the file size. */
function readPreamble(source: ByteSource): { headerStart: number; headerLength: number; major: number } {
  const size = source.size;
  const magic = source.read(0, Math.min(size, 8));
  for (let i = 0; i < MAGIC.length; i++) {
    if (i >= magic.length) fail(`file is ${size} bytes, shorter than the magic string \\x93NUMPY; it is truncated or not an .npy file`, size);
    if (magic[i] !== MAGIC[i]) fail(`not an .npy file: expected the magic string \\x93NUMPY, byte ${i} is 0x${hex(magic[i]!)}`, i);
  }
  if (magic.length < 8) fail(`file ends after the magic string; expected the format version at bytes 6..8`, size);
  const major = magic[6]!;
  const minor = magic[7]!;
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    fail(`format version ${major}.${minor} is not supported; expected 1.0, 2.0 or 3.0`, 6);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lengthBytes;
  if (size < headerStart) fail(`file ends inside the header length; expected ${lengthBytes} bytes at 8..${headerStart} but the file has ${size}`, size);
  const lb = source.read(8, lengthBytes);
  const headerLength = major === 1 ? lb[0]! | (lb[1]! << 8) : (lb[0]! | (lb[1]! << 8) | (lb[2]! << 16) | (lb[3]! << 24)) >>> 0;
  // A UTF-8 character takes at most 4 bytes; NumPy's limit counts characters.
  const maxBytes = major === 3 ? 4 * MAX_HEADER_CHARS : MAX_HEADER_CHARS;
  if (headerLength > maxBytes) {
    fail(
      `header is ${headerLength} bytes, more than NumPy's ${MAX_HEADER_CHARS}-character limit (np.load refuses it without max_header_size); not read`,
      8,
    );
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > size) fail(`header of ${headerLength} bytes at ${headerStart}..${dataStart} runs past the end of the file (${size} bytes); it is truncated or its length lies`, 8);
  return { headerStart, headerLength, major };
}

/** Long header text shortened for a message. */
function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function shapeText(shape: readonly number[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(', ')}, … (${shape.length} dimensions)]` : `[${shape.join(', ')}]`;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function checkUtf8(bytes: Uint8Array, at: number): void {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('a version 3.0 header must be UTF-8 but is not', at);
  }
  let chars = 0;
  for (const b of bytes) if ((b & 0xc0) !== 0x80) chars++; // continuation bytes start no character
  if (chars > MAX_HEADER_CHARS) {
    fail(`header is ${chars} characters, more than NumPy's ${MAX_HEADER_CHARS}-character limit (np.load refuses it without max_header_size); not read`, at - 4);
  }
}

// ---------------------------------------------------------------------------------------------
// The header literal

type Literal =
  | { kind: 'str'; value: string; at: number }
  | { kind: 'int'; value: number; text: string; at: number }
  | { kind: 'bool'; value: boolean; at: number }
  | { kind: 'none'; at: number }
  | { kind: 'tuple' | 'list'; items: Literal[]; at: number; text: string };

interface Header {
  type: { dtype: DType; order: ByteOrder };
  fortran: boolean;
  shape: number[];
  shapeAt: number;
}

/** Parses the header dict and checks its three keys, with byte offsets into the file. */
function parseHeader(bytes: Uint8Array, base: number): Header {
  const p = new LiteralParser(bytes, base);
  const dict = p.dict();
  p.skipSpace();
  if (p.pos < bytes.length) p.error(`expected only spaces and a newline after the header dict, found ${p.describe()}`);

  const unknown = [...dict.keys()].filter((k) => k !== 'descr' && k !== 'fortran_order' && k !== 'shape');
  if (unknown.length > 0) {
    const names = unknown.map((k) => `'${clip(k)}'`).join(', ');
    fail(`header has unknown key${unknown.length > 1 ? 's' : ''} ${names}; expected exactly 'descr', 'fortran_order' and 'shape'`, dict.get(unknown[0]!)!.keyAt);
  }
  const get = (k: string): Literal => dict.get(k)?.value ?? fail(`header has no '${k}' key; expected exactly 'descr', 'fortran_order' and 'shape'`, base);
  const descr = get('descr');
  const fortran = get('fortran_order');
  const shape = get('shape');

  const type = dtypeOf(descr);
  if (fortran.kind !== 'bool') fail(`'fortran_order' must be True or False, found ${show(fortran)}`, fortran.at);
  if (shape.kind !== 'tuple') {
    const hint = shape.kind === 'int' ? ' (a 1-d shape is written with a trailing comma, as (5,))' : '';
    fail(`'shape' must be a tuple of ints, found ${show(shape)}${hint}`, shape.at);
  }
  const dims = shape.items.map((d) => {
    if (d.kind !== 'int') fail(`'shape' must be a tuple of ints, found ${show(d)} in it`, d.at);
    if (d.value < 0) fail(`'shape' has the negative dimension ${clip(d.text)}`, d.at);
    if (!Number.isSafeInteger(d.value)) fail(`'shape' has the dimension ${clip(d.text)}, beyond 2^53`, d.at);
    return d.value;
  });
  return { type, fortran: fortran.value, shape: dims, shapeAt: shape.at };
}

function dtypeOf(descr: Literal): { dtype: DType; order: ByteOrder } {
  if (descr.kind === 'list') {
    fail(`structured (record) arrays, whose 'descr' is a list of fields, are not read; save each field as its own array`, descr.at);
  }
  if (descr.kind !== 'str') fail(`'descr' must be a dtype string such as '<f4', found ${show(descr)}`, descr.at);
  const s = descr.value;
  const prefix = s[0] === '<' || s[0] === '>' || s[0] === '|' || s[0] === '=' ? s[0] : '';
  const code = s.slice(prefix.length);
  if (code.startsWith('O')) {
    fail(`object arrays (dtype ${clip(s)}) hold pickled Python objects and are not read; save a numeric array`, descr.at);
  }
  const dtype = TYPES[code];
  if (dtype === undefined) {
    const kind = KIND_NAMES[code[0] ?? ''];
    fail(`dtype '${clip(s)}'${kind ? ` (${kind})` : ''} is not supported; expected one of ${SUPPORTED} with byte order < > | or =`, descr.at);
  }
  // '|' (not applicable) and '=' (native) are written by little-endian machines in practice.
  return { dtype, order: prefix === '>' && ITEM_SIZE[dtype] > 1 ? 'big' : 'little' };
}

function show(v: Literal): string {
  switch (v.kind) {
    case 'str':
      return `the string '${clip(v.value)}'`;
    case 'int':
      return `the int ${clip(v.text)}`;
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    default:
      return `the ${v.kind} ${clip(v.text)}`;
  }
}

/**
 * A parser for the Python literals an .npy header holds. Structure must be ASCII; string contents
 * are kept as bytes decoded as UTF-8 (or Latin-1 when not valid UTF-8, as versions 1.0/2.0 are).
 */
class LiteralParser {
  pos = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly base: number,
  ) {}

  error(message: string, pos = this.pos): never {
    fail(`header: ${message}`, this.base + pos);
  }

  describe(): string {
    if (this.pos >= this.b.length) return 'the end of the header';
    const c = this.b[this.pos]!;
    return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${hex(c)}`;
  }

  skipSpace(): void {
    while (this.pos < this.b.length) {
      const c = this.b[this.pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) break;
      this.pos++;
    }
  }

  private peek(): number | undefined {
    return this.b[this.pos];
  }

  private expect(ch: string, what: string): void {
    this.skipSpace();
    if (this.peek() !== ch.charCodeAt(0)) this.error(`expected '${ch}' ${what}, found ${this.describe()}`);
    this.pos++;
  }

  /** The dict's values by key, with where each key starts. */
  dict(): Map<string, { value: Literal; keyAt: number }> {
    this.skipSpace();
    if (this.peek() !== 0x7b) this.error(`expected the header dict to start with '{', found ${this.describe()}`);
    this.pos++;
    const out = new Map<string, { value: Literal; keyAt: number }>();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.b.length) this.error(`the dict is not closed: expected '}' before the end of the header`);
      if (this.peek() === 0x7d) {
        this.pos++;
        return out;
      }
      const keyAt = this.pos;
      const key = this.value(1);
      if (key.kind !== 'str') this.error(`dict keys must be strings, found ${show(key)}`, keyAt);
      if (out.has(key.value)) this.error(`key '${clip(key.value)}' appears twice`, keyAt);
      this.expect(':', `after the key '${clip(key.value)}'`);
      out.set(key.value, { value: this.value(1), keyAt: this.base + keyAt });
      this.skipSpace();
      if (this.peek() === 0x2c) this.pos++;
      else if (this.peek() !== 0x7d) {
        if (this.pos >= this.b.length) this.error(`the dict is not closed: expected '}' before the end of the header`);
        this.error(`expected ',' or '}' after the value of '${clip(key.value)}', found ${this.describe()}`);
      }
    }
  }

  private value(depth: number): Literal {
    if (depth > MAX_DEPTH) this.error(`literals nested more than ${MAX_DEPTH} deep`);
    this.skipSpace();
    const at = this.pos;
    const c = this.peek();
    if (c === undefined) this.error('expected a value, found the end of the header');
    if (c === 0x27 || c === 0x22) return this.string(c);
    if (c === 0x28 || c === 0x5b) return this.sequence(c === 0x28 ? 'tuple' : 'list', depth);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.int();
    const word = this.word();
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length;
      return word === 'None' ? { kind: 'none', at: this.base + at } : { kind: 'bool', value: word === 'True', at: this.base + at };
    }
    this.error(`expected a string, int, True, False, tuple or list, found ${this.describe()}`);
  }

  /** The identifier at the cursor (only as far as the longest keyword and one more), not consumed. */
  private word(): string {
    let end = this.pos;
    while (end < this.b.length && end - this.pos < 6 && isIdentByte(this.b[end]!)) end++;
    return ascii(this.b.subarray(this.pos, end));
  }

  private string(quote: number): Literal {
    const at = this.pos;
    this.pos++;
    const start = this.pos;
    while (this.pos < this.b.length && this.b[this.pos] !== quote) {
      const c = this.b[this.pos]!;
      if (c === 0x5c) this.error('escape sequences in header strings are not supported');
      if (c === 0x0a || c === 0x0d) this.error('unterminated string', at);
      this.pos++;
    }
    if (this.pos >= this.b.length) this.error('unterminated string', at);
    const raw = this.b.subarray(start, this.pos);
    this.pos++;
    let value: string;
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      value = ascii(raw);
    }
    return { kind: 'str', value, at: this.base + at };
  }

  private int(): Literal {
    const at = this.pos;
    if (this.peek() === 0x2d) this.pos++;
    const digitsAt = this.pos;
    while (this.pos < this.b.length && this.b[this.pos]! >= 0x30 && this.b[this.pos]! <= 0x39) this.pos++;
    const digits = ascii(this.b.subarray(digitsAt, this.pos));
    if (digits.length === 0) this.error(`expected digits after '-', found ${this.describe()}`);
    if (digits.length > 1 && digits[0] === '0') this.error(`integer ${digits} has a leading zero`, at);
    // Python 2 wrote long integers with an L suffix; NumPy still strips it from 1.0/2.0 headers.
    if (this.peek() === 0x4c) this.pos++;
    const next = this.peek();
    if (next !== undefined && (isIdentByte(next) || next === 0x2e)) this.error(`expected an integer, found ${this.describe()} in it (floats and other numbers are not dimensions)`);
    const text = ascii(this.b.subarray(at, digitsAt)) + digits;
    return { kind: 'int', value: Number(text) + 0, text, at: this.base + at };
  }

  private sequence(kind: 'tuple' | 'list', depth: number): Literal {
    const at = this.pos;
    const close = kind === 'tuple' ? 0x29 : 0x5d;
    this.pos++;
    const items: Literal[] = [];
    let commas = 0;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.b.length) this.error(`the ${kind} is not closed: expected '${String.fromCharCode(close)}'`, at);
      if (this.peek() === close) {
        this.pos++;
        break;
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.peek() === 0x2c) {
        this.pos++;
        commas++;
      } else if (this.peek() !== close) {
        if (this.pos >= this.b.length) this.error(`the ${kind} is not closed: expected '${String.fromCharCode(close)}'`, at);
        this.error(`expected ',' or '${String.fromCharCode(close)}' in the ${kind}, found ${this.describe()}`);
      }
    }
    const text = ascii(this.b.subarray(at, Math.min(this.pos, at + 41)));
    // `(5)` is the int 5 in Python, not a tuple: only a comma makes a 1-tuple.
    if (kind === 'tuple' && items.length === 1 && commas === 0) return { ...items[0]!, at: this.base + at };
    return { kind, items, at: this.base + at, text };
  }
}

/** Bytes as Latin-1 text, in chunks so a long run never overflows the argument list. */
function ascii(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

function isIdentByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}
