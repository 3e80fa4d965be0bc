/**
 * Random access to bytes. Readers never hold a whole file: they ask for the ranges they need.
 * Reads are synchronous — the CLI reads with positioned `readSync`, the extension does heavy work
 * in a worker — so the evaluator stays synchronous too.
 */
import { TensorFormatError } from './errors';

export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Exactly `length` bytes from `offset`; throws TensorFormatError past the end. */
  read(offset: number, length: number): Uint8Array;
  /** A name for messages (file name, `archive.npz:arr_0.npy`). */
  readonly name: string;
  /** Like read, into a buffer the caller reuses (kernels read straight into their memory). */
  readInto?(offset: number, out: Uint8Array): void;
}

/** A source over bytes already in memory (small files, payloads, inflated zip members). */
export function memorySource(bytes: Uint8Array, name: string): ByteSource {
  return {
    size: bytes.length,
    name,
    read(offset, length) {
      checkRange(this, offset, length, 'read');
      return bytes.subarray(offset, offset + length);
    },
    readInto(offset, out) {
      checkRange(this, offset, out.length, 'read');
      out.set(bytes.subarray(offset, offset + out.length));
    },
  };
}

/** A window of another source: a stored zip member is a range inside the archive. */
export function sliceSource(parent: ByteSource, start: number, length: number, name: string): ByteSource {
  checkRange(parent, start, length, name);
  return {
    size: length,
    name,
    read(offset, n) {
      checkRange(this, offset, n, 'read');
      return parent.read(start + offset, n);
    },
    ...(parent.readInto
      ? {
          readInto(offset: number, out: Uint8Array) {
            checkRange(this, offset, out.length, 'read');
            parent.readInto!(start + offset, out);
          },
        }
      : {}),
  };
}

export function checkRange(source: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
    throw new TensorFormatError(
      source.name,
      `${what} needs bytes ${offset}..${offset + length} but the file has ${source.size}; it is truncated or its header lies`,
      Math.min(Math.max(offset, 0), source.size),
    );
  }
}
