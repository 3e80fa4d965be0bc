/**
 * Element types of tensor files and their exact conversion to float64.
 *
 * Every supported dtype converts exactly except 64-bit integers beyond ±2⁵³, which round to the
 * nearest double (the core computes in float64). Half, bfloat16 and the two 8-bit float formats
 * are decoded bit by bit, so subnormals, infinities and NaN come through unchanged.
 */
import { TensorFormatError } from './errors';

export type DType =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint64'
  | 'uint32'
  | 'uint16'
  | 'uint8'
  | 'bool';

export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint64: 8,
  uint32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
};

export type ByteOrder = 'little' | 'big';

const F16_TABLE = (() => {
  // All 65536 half-precision values, decoded once: a table lookup beats bit twiddling per element.
  const t = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return t;
})();

function e4m3fn(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const frac = b & 0x7;
  if (exp === 15 && frac === 7) return NaN; // the "fn" variant: no infinities, one NaN pattern
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

function e5m2(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 2) & 0x1f;
  const frac = b & 0x3;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * frac * 2 ** -16;
  return sign * (1 + frac / 4) * 2 ** (exp - 15);
}

const F8_E4M3 = Float64Array.from({ length: 256 }, (_, b) => e4m3fn(b));
const F8_E5M2 = Float64Array.from({ length: 256 }, (_, b) => e5m2(b));
const hostLittle = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Decodes `count` elements from `bytes` (which starts at the first element) into `out[at..]`.
 * @example decode(bytes, 'float32', 'little', out, 0, 3)
 */
export function decode(bytes: Uint8Array, dtype: DType, order: ByteOrder, out: Float64Array, at: number, count: number): void {
  const size = ITEM_SIZE[dtype];
  if (bytes.length < count * size) throw new TensorFormatError(dtype, `expected ${count * size} bytes of data, got ${bytes.length}`);
  const little = order === 'little';
  // Native typed-array views when the bytes are aligned and in host order: the fast path.
  if (little === hostLittle && bytes.byteOffset % size === 0 && size > 1) {
    const view = typedView(bytes, dtype, count);
    if (view) {
      for (let i = 0; i < count; i++) out[at + i] = Number(view[i]!);
      return;
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  switch (dtype) {
    case 'float64':
      for (let i = 0; i < count; i++) out[at + i] = dv.getFloat64(i * 8, little);
      return;
    case 'float32':
      for (let i = 0; i < count; i++) out[at + i] = dv.getFloat32(i * 4, little);
      return;
    case 'float16':
      for (let i = 0; i < count; i++) out[at + i] = F16_TABLE[dv.getUint16(i * 2, little)]!;
      return;
    case 'bfloat16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        f.setUint32(0, dv.getUint16(i * 2, little) << 16);
        out[at + i] = f.getFloat32(0);
      }
      return;
    }
    case 'float8_e4m3fn':
      for (let i = 0; i < count; i++) out[at + i] = F8_E4M3[bytes[i]!]!;
      return;
    case 'float8_e5m2':
      for (let i = 0; i < count; i++) out[at + i] = F8_E5M2[bytes[i]!]!;
      return;
    case 'int64':
      for (let i = 0; i < count; i++) out[at + i] = Number(dv.getBigInt64(i * 8, little));
      return;
    case 'uint64':
      for (let i = 0; i < count; i++) out[at + i] = Number(dv.getBigUint64(i * 8, little));
      return;
    case 'int32':
      for (let i = 0; i < count; i++) out[at + i] = dv.getInt32(i * 4, little);
      return;
    case 'uint32':
      for (let i = 0; i < count; i++) out[at + i] = dv.getUint32(i * 4, little);
      return;
    case 'int16':
      for (let i = 0; i < count; i++) out[at + i] = dv.getInt16(i * 2, little);
      return;
    case 'uint16':
      for (let i = 0; i < count; i++) out[at + i] = dv.getUint16(i * 2, little);
      return;
    case 'int8':
      for (let i = 0; i < count; i++) out[at + i] = dv.getInt8(i);
      return;
    case 'uint8':
      for (let i = 0; i < count; i++) out[at + i] = bytes[i]!;
      return;
    case 'bool':
      for (let i = 0; i < count; i++) out[at + i] = bytes[i] === 0 ? 0 : 1;
      return;
  }
}

type NumericView = ArrayLike<number | bigint>;

function typedView(bytes: Uint8Array, dtype: DType, count: number): NumericView | undefined {
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'float64':
      return new Float64Array(buffer, byteOffset, count);
    case 'float32':
      return new Float32Array(buffer, byteOffset, count);
    case 'int32':
      return new Int32Array(buffer, byteOffset, count);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, count);
    case 'int16':
      return new Int16Array(buffer, byteOffset, count);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'uint64':
      return new BigUint64Array(buffer, byteOffset, count);
    default:
      return undefined; // half, bfloat16: table or bit paths above
  }
}
