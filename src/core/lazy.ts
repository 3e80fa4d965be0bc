/**
 * Tensors that stay where they are — in a file — until read in chunks. A 4 GB logits dump is a
 * LazyTensor: its shape is known from the header, and consumers pull row-major element ranges
 * into buffers they reuse, so memory is bounded by the chunk, not the file.
 */
import { KlError, type Span } from './errors';
import { logSumExp } from './numeric/logsumexp';
import { shapeString, size, type Tensor } from './tensor';

export interface LazyTensor {
  readonly shape: readonly number[];
  /** Where it comes from, for messages: `logits.npy`, `ckpt.pt#model.fc.weight`. */
  readonly label: string;
  readonly dtype: string;
  /** Reads row-major elements [start, start + count) into out[0..count). */
  read(start: number, count: number, out: Float64Array): void;
  /** Present when the elements are stored row-major as little-endian float32 or float64. */
  readonly raw?: RawElements;
  /** Present when this is softmax(source / temperature) along the last axis. */
  readonly softmaxOf?: { readonly source: LazyTensor; readonly temperature: number };
}

/**
 * The stored bytes of a tensor, for kernels that read float32/float64 in place rather than
 * through a float64 copy.
 */
export interface RawElements {
  readonly dtype: 'float32' | 'float64';
  /** Copies the bytes of row-major elements [start, start + count) into out (count × itemsize bytes). */
  read(start: number, count: number, out: Uint8Array): void;
  /**
   * What a host needs to open the same elements on another thread (for files: path and key);
   * structured-cloneable. Absent when only this thread can read them.
   */
  readonly locator?: unknown;
}

/** Lazy tensors up to this many elements are read whole when an operation needs all of it. */
export const MATERIALIZE_LIMIT = 1 << 25;

export function lazySize(l: LazyTensor): number {
  return size(l.shape);
}

export function materialize(l: LazyTensor, what: string, span: Span | undefined, limit = MATERIALIZE_LIMIT): Tensor {
  const n = lazySize(l);
  if (n > limit) {
    throw new KlError(
      'evaluation',
      `${what} (${l.label}, shape ${shapeString(l.shape)}, ${n} elements) is too large to load whole; divergences (KL, JS, H, CE, Jeffreys, TV, Hellinger) and softmax / log_softmax read it in chunks, other operations need it smaller than ${limit} elements`,
      span,
    );
  }
  const data = new Float64Array(n);
  l.read(0, n, data);
  return { shape: [...l.shape], data };
}

/**
 * A lazy row-wise transform (softmax, log_softmax): reads whole rows from the source and maps each.
 * Consumers ask for row-aligned ranges, so nothing is read twice.
 */
export function mapRows(source: LazyTensor, label: string, f: (row: Float64Array, out: Float64Array) => void): LazyTensor {
  const n = source.shape.length === 0 ? 1 : source.shape[source.shape.length - 1]!;
  let buffer = new Float64Array(0);
  let outRow = new Float64Array(n);
  return {
    shape: source.shape,
    label,
    dtype: 'float64',
    read(start, count, out) {
      if (count === 0) return;
      const firstRow = Math.floor(start / n);
      const lastRow = Math.floor((start + count - 1) / n);
      const rows = lastRow - firstRow + 1;
      if (buffer.length < rows * n) buffer = new Float64Array(rows * n);
      if (outRow.length !== n) outRow = new Float64Array(n);
      source.read(firstRow * n, rows * n, buffer);
      for (let r = 0; r < rows; r++) {
        f(buffer.subarray(r * n, (r + 1) * n), outRow);
        const rowStart = (firstRow + r) * n;
        const from = Math.max(start, rowStart);
        const to = Math.min(start + count, rowStart + n);
        out.set(outRow.subarray(from - rowStart, to - rowStart), from - start);
      }
    },
  };
}

/** log_softmax(x / T) of each row, lazily. */
export function lazyLogSoftmax(source: LazyTensor, temperature: number, label: string): LazyTensor {
  return mapRows(source, label, (row, out) => {
    const lse = logSumExp(row, 0, row.length, temperature);
    for (let i = 0; i < row.length; i++) out[i] = row[i]! / temperature - lse;
  });
}

/** softmax(x / T) of each row, lazily. */
export function lazySoftmax(source: LazyTensor, temperature: number, label: string): LazyTensor {
  const rows = mapRows(source, label, (row, out) => {
    const lse = logSumExp(row, 0, row.length, temperature);
    for (let i = 0; i < row.length; i++) out[i] = Math.exp(row[i]! / temperature - lse);
  });
  // Divergences of two softmaxes can then work from the logits (kernels/softmaxPieces.ts).
  return { ...rows, softmaxOf: { source, temperature } };
}

/** An in-memory tensor seen through the lazy interface (to mix a literal with a file). */
export function lazyOf(t: Tensor, label: string): LazyTensor {
  return {
    shape: t.shape,
    label,
    dtype: 'float64',
    read(start, count, out) {
      out.set(t.data.subarray(start, start + count));
    },
  };
}
