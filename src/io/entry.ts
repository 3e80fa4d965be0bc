/**
 * A tensor inside a file, described by its header and not yet read: dtype, shape, and where its
 * elements live (a storage, a first element, strides). npy (C or Fortran order), safetensors and
 * saved PyTorch views all fit this one model, so reading is written once.
 */
import type { Tensor } from '../core/tensor';
import { type ByteOrder, decode, type DType, ITEM_SIZE } from './dtype';
import { TensorFormatError } from './errors';
import type { ByteSource } from './source';

export interface TensorEntry {
  /** The key that picks it in its container (`arr_0`, `model.fc.weight`); '' for a lone tensor. */
  readonly key: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly order: ByteOrder;
  /** Strides in elements over the storage; row-major for a C-contiguous tensor. */
  readonly strides: readonly number[];
  /** Index of the first element in the storage, in elements. */
  readonly offset: number;
  /** The storage: element i is at byte i × itemsize. */
  readonly storage: ByteSource;
}

/** Strided reads that are not row-major gather from a span of the storage at most this large. */
export const MAX_GATHER_BYTES = 512 * 1024 * 1024;

export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function columnMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = 0; i < shape.length; i++) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * The number of elements of a shape, refusing negative or fractional dimensions and products that
 * are not exact in a double (a header declaring 2⁴⁰ × 2⁴⁰ elements is lying, not large).
 */
export function elementCount(shape: readonly number[], format: string, at?: number): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TensorFormatError(format, `invalid dimension ${d} in shape ${shortShape(shape)}`, at);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new TensorFormatError(format, `shape ${shortShape(shape)} has more elements than can be addressed`, at);
  }
  return n;
}

/** A shape for messages, elided when a hostile header declares thousands of dimensions. */
export function shortShape(shape: readonly number[]): string {
  return shape.length <= 8 ? `[${shape.join(', ')}]` : `[${shape.slice(0, 6).join(', ')}, … ${shape.length} dimensions]`;
}

export function entrySize(e: TensorEntry): number {
  return elementCount(e.shape, e.storage.name);
}

export function byteLength(e: TensorEntry): number {
  return entrySize(e) * ITEM_SIZE[e.dtype];
}

export function isRowMajor(e: TensorEntry): boolean {
  const expected = rowMajorStrides(e.shape);
  return e.shape.every((d, i) => d <= 1 || e.strides[i] === expected[i]);
}

/**
 * Checks that every element the strides can reach lies inside the storage — once, when the entry
 * is made, so reads never go out of bounds.
 */
export function checkBounds(e: TensorEntry, format: string): void {
  const n = entrySize(e);
  if (n === 0) return;
  let lo = e.offset;
  let hi = e.offset;
  e.shape.forEach((d, i) => {
    const s = e.strides[i]!;
    if (!Number.isSafeInteger(s)) throw new TensorFormatError(format, `invalid stride ${s} for '${e.key}'`);
    if (s >= 0) hi += s * (d - 1);
    else lo += s * (d - 1);
  });
  const items = Math.floor(e.storage.size / ITEM_SIZE[e.dtype]);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || hi >= items) {
    throw new TensorFormatError(
      format,
      `'${e.key || e.storage.name}' with shape [${e.shape.join(', ')}] needs storage elements ${lo}..${hi} but the storage holds ${items}`,
    );
  }
}

/** Reads `count` elements in row-major order starting at flat index `start` into `out[0..count)`. */
export function readElements(e: TensorEntry, start: number, count: number, out: Float64Array): void {
  if (count === 0) return;
  const size = ITEM_SIZE[e.dtype];
  if (isRowMajor(e)) {
    const bytes = e.storage.read((e.offset + start) * size, count * size);
    decode(bytes, e.dtype, e.order, out, 0, count);
    return;
  }
  gather(e, start, count, out);
}

/**
 * The stored bytes of a row-major little-endian float32/float64 tensor whose storage can read into
 * a caller's buffer; undefined for anything a kernel cannot read in place.
 */
export function rawElements(e: TensorEntry): { dtype: 'float32' | 'float64'; read(start: number, count: number, out: Uint8Array): void } | undefined {
  const storage = e.storage;
  if ((e.dtype !== 'float32' && e.dtype !== 'float64') || e.order !== 'little' || !HOST_LITTLE || !isRowMajor(e) || !storage.readInto) return undefined;
  const size = ITEM_SIZE[e.dtype];
  return {
    dtype: e.dtype,
    read(start, count, out) {
      storage.readInto!((e.offset + start) * size, count === out.length / size ? out : out.subarray(0, count * size));
    },
  };
}

/** Kernels view the bytes as typed arrays, which use the host's byte order. */
const HOST_LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Strided (Fortran order, transposed views): decode the storage span the range touches, then pick. */
function gather(e: TensorEntry, start: number, count: number, out: Float64Array): void {
  const size = ITEM_SIZE[e.dtype];
  const rank = e.shape.length;
  const index = new Array<number>(rank).fill(0);
  let rest = start;
  for (let a = rank - 1; a >= 0; a--) {
    index[a] = rest % e.shape[a]!;
    rest = Math.floor(rest / e.shape[a]!);
  }
  const positions = new Float64Array(count);
  let pos = e.offset;
  for (let a = 0; a < rank; a++) pos += index[a]! * e.strides[a]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    positions[i] = pos;
    if (pos < lo) lo = pos;
    if (pos > hi) hi = pos;
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      pos += e.strides[a]!;
      if (index[a]! < e.shape[a]!) break;
      pos -= e.strides[a]! * index[a]!;
      index[a] = 0;
    }
  }
  const span = hi - lo + 1;
  if (span * size > MAX_GATHER_BYTES) {
    throw new TensorFormatError(
      e.storage.name,
      `'${e.key}' is not stored row by row (Fortran order or a strided view) and reading it would touch ${span * size} bytes at once; save it C-contiguous (np.ascontiguousarray / tensor.contiguous())`,
    );
  }
  const decoded = new Float64Array(span);
  decode(e.storage.read(lo * size, span * size), e.dtype, e.order, decoded, 0, span);
  for (let i = 0; i < count; i++) out[i] = decoded[positions[i]! - lo]!;
}

/** readTensor refuses more elements than this (1 GiB of float64); larger tensors are streamed. */
export const MAX_READ_ELEMENTS = 1 << 27;

/** The whole tensor as float64, row-major. */
export function readTensor(e: TensorEntry): Tensor {
  const n = entrySize(e);
  // Checked here, not only by the storage bounds: a stride of 0 (a saved expand()) can declare a
  // huge shape over a tiny storage.
  if (n > MAX_READ_ELEMENTS) {
    throw new TensorFormatError(e.storage.name, `'${e.key}' has ${n} elements, more than the ${MAX_READ_ELEMENTS} that can be read at once`);
  }
  const data = new Float64Array(n);
  readElements(e, 0, n, data);
  return { shape: [...e.shape], data };
}
