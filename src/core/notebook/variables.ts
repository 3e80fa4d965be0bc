/**
 * Variables of a notebook payload into tensors: nested number lists (rectangular, like np.array)
 * and binary tensors (base64 of little-endian bytes, as NumPy's `tobytes()` writes them).
 */
import { decode } from '../../io/dtype';
import { size, type Tensor } from '../tensor';
import { decodeBase64 } from './base64';
import { describeJson, PayloadError } from './errors';

/** The element types a binary tensor may have: what NumPy and PyTorch users hold their data in. */
export const PAYLOAD_DTYPES = ['float64', 'float32', 'float16', 'int64', 'int32'] as const;
export type PayloadDType = (typeof PAYLOAD_DTYPES)[number];

const ITEM_SIZE: Readonly<Record<PayloadDType, number>> = { float64: 8, float32: 4, float16: 2, int64: 8, int32: 4 };
/** NumPy's own limit; deeper nesting is a malformed payload, not data (and would exhaust the stack). */
const MAX_DIMS = 32;

/** The JSON form of a binary tensor. */
export interface BinaryTensorJson {
  readonly dtype: PayloadDType;
  readonly shape: readonly number[];
  /** Base64 of the C-order, little-endian element bytes. */
  readonly data: string;
}

export type NestedNumbers = number | readonly NestedNumbers[];

export type VariableJson = NestedNumbers | BinaryTensorJson;

/** A variable's JSON value as a float64 tensor; `path` (`variables.q`) names it in errors. */
export function decodeVariable(value: unknown, path: string): Tensor {
  if (typeof value === 'number' || Array.isArray(value)) return nestedTensor(value, path);
  if (value !== null && typeof value === 'object') return binaryTensor(value as Record<string, unknown>, path);
  throw new PayloadError(path, `expected a number, a nested list of numbers or a binary tensor {dtype, shape, data}, got ${describeJson(value)}`);
}

/**
 * Nested lists stack like np.array: the first element at each depth fixes the shape, and every
 * other list must match it. One pass; no intermediate arrays, so 10⁵ numbers stay cheap.
 */
function nestedTensor(value: number | unknown[], path: string): Tensor {
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    if (shape.length === MAX_DIMS) throw new PayloadError(path, `nested more than ${MAX_DIMS} lists deep (NumPy's limit on dimensions)`);
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const data = new Float64Array(size(shape));
  let at = 0;
  const walk = (v: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        const like = shape.length === 0 ? '' : ` (like ${path}${'[0]'.repeat(shape.length)})`;
        throw new PayloadError(where, `expected a number${like}, got ${describeJson(v)}`);
      }
      data[at++] = v;
      return;
    }
    if (!Array.isArray(v)) {
      throw new PayloadError(where, `expected a list of ${shape[depth]} (nested lists must be rectangular), got ${describeJson(v)}`);
    }
    if (v.length !== shape[depth]) {
      throw new PayloadError(where, `has ${v.length} ${v.length === 1 ? 'entry' : 'entries'} but ${path}${'[0]'.repeat(depth)} has ${shape[depth]} (nested lists must be rectangular)`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${where}[${i}]`);
  };
  walk(value, 0, path);
  return { shape, data };
}

const BINARY_FIELDS = ['dtype', 'shape', 'data'];

function binaryTensor(value: Record<string, unknown>, path: string): Tensor {
  for (const key of Object.keys(value)) {
    if (!BINARY_FIELDS.includes(key)) throw new PayloadError(`${path}.${key}`, 'unknown field; a binary tensor has dtype, shape and data');
  }
  for (const key of BINARY_FIELDS) {
    if (!(key in value)) throw new PayloadError(path, `a binary tensor needs ${key} (it has ${Object.keys(value).join(', ') || 'no fields'})`);
  }
  const { dtype, shape, data } = value;
  if (typeof dtype !== 'string' || !(PAYLOAD_DTYPES as readonly string[]).includes(dtype)) {
    throw new PayloadError(`${path}.dtype`, `expected one of ${PAYLOAD_DTYPES.join(', ')}, got ${describeJson(dtype)}`);
  }
  const dims = decodeShape(shape, `${path}.shape`);
  if (typeof data !== 'string') throw new PayloadError(`${path}.data`, `expected a base64 string, got ${describeJson(data)}`);
  const bytes = decodeBase64(data, `${path}.data`);
  const type = dtype as PayloadDType;
  const count = size(dims);
  const itemSize = ITEM_SIZE[type];
  if (bytes.length !== count * itemSize) {
    throw new PayloadError(
      `${path}.data`,
      `${bytes.length} bytes, but shape [${dims.join(', ')}] of ${type} needs ${count * itemSize} (${count} × ${itemSize} bytes)`,
    );
  }
  const out = new Float64Array(count);
  decode(bytes, type, 'little', out, 0, count);
  if (type === 'int64') checkInt64(bytes, out, `${path}.data`);
  return { shape: dims, data: out };
}

function decodeShape(shape: unknown, path: string): number[] {
  if (!Array.isArray(shape)) throw new PayloadError(path, `expected a list of dimensions like [3] or [2, 4], got ${describeJson(shape)}`);
  if (shape.length > MAX_DIMS) throw new PayloadError(path, `has ${shape.length} dimensions; at most ${MAX_DIMS} (NumPy's limit)`);
  let count = 1;
  return shape.map((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new PayloadError(`${path}[${i}]`, `expected a dimension (an integer ≥ 0), got ${describeJson(d)}`);
    count *= d;
    if (!Number.isSafeInteger(count)) throw new PayloadError(path, `[${shape.join(', ')}] has more elements than can be addressed`);
    return d;
  });
}

/**
 * The core computes in float64, which holds every integer only up to 2⁵³: a larger int64 would be
 * silently rounded, so it is refused with its exact value instead.
 */
function checkInt64(bytes: Uint8Array, out: Float64Array, path: string): void {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isSafeInteger(out[i]!)) {
      const exact = new DataView(bytes.buffer, bytes.byteOffset + i * 8, 8).getBigInt64(0, true);
      throw new PayloadError(path, `int64 element ${i} is ${exact}, beyond ±(2^53 − 1) where float64 stops holding every integer; send it as float64 if rounding is acceptable`);
    }
  }
}
