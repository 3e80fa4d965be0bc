/**
 * A zip reader for the containers tensors come in: NumPy's .npz and PyTorch's .pt/.pth.
 *
 * ## Method
 * Reads the end-of-central-directory record (and its Zip64 locator and record, which NumPy writes
 * for every member), then the central directory. A member's data starts after its local header,
 * whose own name and extra lengths are read from the local header itself (they can differ from
 * the central copy). Stored members are byte ranges of the archive — never copied, so a 4 GB
 * stored .npz streams; deflated members are inflated with fflate into exactly the size the
 * directory declares, so a zip bomb cannot grow past it.
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.10, §4.3 (structure) and §4.5.3 (Zip64 extra field).
 */
import { inflateSync } from 'fflate';
import { TensorFormatError } from './errors';
import { type ByteSource, memorySource, sliceSource } from './source';

export interface ZipMember {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** Inflated members larger than this are refused (they would be held in memory). */
export const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;
/** A directory with more entries than this is not a tensor archive. */
export const MAX_MEMBERS = 1_000_000;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(source: ByteSource): boolean {
  return source.size >= 4 && readU32(source.read(0, 4), 0) === LOCAL;
}

function readU16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function readU64(b: Uint8Array, at: number, format: string, offset: number): number {
  const v = readU32(b, at) + readU32(b, at + 4) * 2 ** 32;
  if (!Number.isSafeInteger(v)) throw new TensorFormatError(format, 'a Zip64 size or offset is beyond 2^53', offset);
  return v;
}

export function readZipDirectory(source: ByteSource, format = 'zip'): ZipMember[] {
  const fail = (message: string, at?: number): never => {
    throw new TensorFormatError(format, message, at);
  };
  if (source.size < 22) fail(`file is ${source.size} bytes, too short for a zip archive`, 0);
  // The EOCD record is in the last 22 + 65535 (comment) bytes.
  const tailLength = Math.min(source.size, 22 + 65535);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (readU32(tail, i) === EOCD && i + 22 + readU16(tail, i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record: the archive is truncated or not a zip', source.size);
  let count = readU16(tail, eocd + 10);
  let dirSize = readU32(tail, eocd + 12);
  let dirOffset = readU32(tail, eocd + 16);
  const eocdAt = tailStart + eocd;
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff || (eocdAt >= 20 && readU32(source.read(eocdAt - 20, 4), 0) === ZIP64_LOCATOR)) {
    if (eocdAt < 20) fail('Zip64 locator missing', eocdAt);
    const locator = source.read(eocdAt - 20, 20);
    if (readU32(locator, 0) === ZIP64_LOCATOR) {
      const recordAt = readU64(locator, 8, format, eocdAt - 20);
      if (recordAt + 56 > source.size) fail('Zip64 end-of-central-directory record is past the end of the file', eocdAt - 20);
      const record = source.read(recordAt, 56);
      if (readU32(record, 0) !== ZIP64_EOCD) fail('bad Zip64 end-of-central-directory signature', recordAt);
      count = readU64(record, 32, format, recordAt);
      dirSize = readU64(record, 40, format, recordAt);
      dirOffset = readU64(record, 48, format, recordAt);
    }
  }
  if (count > MAX_MEMBERS) fail(`the directory declares ${count} members`, eocdAt);
  if (dirOffset + dirSize > source.size) fail(`the central directory (${dirSize} bytes at ${dirOffset}) is past the end of the file`, eocdAt);
  const dir = source.read(dirOffset, dirSize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    const at = dirOffset + p;
    if (p + 46 > dir.length || readU32(dir, p) !== CENTRAL) fail(`bad central directory entry ${k}`, at);
    const flags = readU16(dir, p + 8);
    const method = readU16(dir, p + 10);
    let compressedSize = readU32(dir, p + 20);
    let size = readU32(dir, p + 24);
    const nameLength = readU16(dir, p + 28);
    const extraLength = readU16(dir, p + 30);
    const commentLength = readU16(dir, p + 32);
    let localHeaderOffset = readU32(dir, p + 42);
    if (p + 46 + nameLength + extraLength + commentLength > dir.length) fail(`central directory entry ${k} runs past the directory`, at);
    if (flags & 1) fail(`member ${k} is encrypted`, at);
    const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength));
    // Zip64 extended information: only the fields whose 32-bit value is saturated are present.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = readU16(dir, e);
      const len = readU16(dir, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len || q + 8 > extraEnd) fail(`member '${name}' has a short Zip64 extra field`, at);
          const v = readU64(dir, q, format, at);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    members.push({ name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** The bytes of one member: a window of the archive when stored, inflated (bounded) when deflated. */
export function openMember(source: ByteSource, m: ZipMember, format = 'zip'): ByteSource {
  const name = `${source.name}:${m.name}`;
  if (m.localHeaderOffset + 30 > source.size) throw new TensorFormatError(format, `member '${m.name}' has its header past the end of the file`, m.localHeaderOffset);
  const local = source.read(m.localHeaderOffset, 30);
  if (readU32(local, 0) !== LOCAL) throw new TensorFormatError(format, `member '${m.name}' has a bad local header signature`, m.localHeaderOffset);
  const dataStart = m.localHeaderOffset + 30 + readU16(local, 26) + readU16(local, 28);
  if (dataStart + m.compressedSize > source.size) {
    throw new TensorFormatError(format, `member '${m.name}' (${m.compressedSize} bytes at ${dataStart}) runs past the end of the file`, dataStart);
  }
  if (m.method === 0) {
    if (m.size !== m.compressedSize) throw new TensorFormatError(format, `stored member '${m.name}' declares ${m.size} bytes but occupies ${m.compressedSize}`, m.localHeaderOffset);
    return sliceSource(source, dataStart, m.size, name);
  }
  if (m.method !== 8) throw new TensorFormatError(format, `member '${m.name}' uses compression method ${m.method}; only stored (0) and deflate (8) are supported`, m.localHeaderOffset);
  // Deflate expands at most ~1032:1; a member declaring more than that is lying before we allocate.
  if (m.size > m.compressedSize * 1032 + 1024) {
    throw new TensorFormatError(format, `member '${m.name}' declares ${m.size} bytes from ${m.compressedSize} compressed, more than deflate can produce`, m.localHeaderOffset);
  }
  if (m.size > MAX_INFLATED_BYTES) {
    throw new TensorFormatError(format, `member '${m.name}' inflates to ${m.size} bytes, more than the ${MAX_INFLATED_BYTES}-byte limit for compressed members; save it uncompressed (np.savez)`, m.localHeaderOffset);
  }
  // With `out` given, fflate stops at its end instead of growing; one spare byte reveals a member
  // that inflates to more than it declares (a zip bomb) without ever holding more than that.
  const out = new Uint8Array(m.size + 1);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(source.read(dataStart, m.compressedSize), { out });
  } catch (e) {
    throw new TensorFormatError(format, `member '${m.name}' is not valid deflate data (${e instanceof Error ? e.message : String(e)})`, dataStart);
  }
  if (inflated.length !== m.size) {
    const actual = inflated.length > m.size ? `more than the ${m.size} bytes it declares` : `${inflated.length} bytes but declares ${m.size}`;
    throw new TensorFormatError(format, `member '${m.name}' inflates to ${actual}`, dataStart);
  }
  return memorySource(inflated, name);
}
