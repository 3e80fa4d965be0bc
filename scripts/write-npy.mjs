// Writes large .npy files without holding them in memory: the benchmark's inputs (hundreds of MB)
// and the tests of streamed reading are both made this way.
import { Buffer } from 'node:buffer';
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

const BLOCK = 1 << 20;

/**
 * Writes a little-endian float .npy (format 1.0) whose element i is `fill(i)`, in 1 M-element
 * blocks. The file appears under its name only once complete, so an interrupted run leaves no
 * truncated file behind.
 *
 * @example
 * writeNpy('p.npy', '<f4', [3], (i) => i + 1); // the array [1, 2, 3] as float32
 */
export function writeNpy(path, descr, shape, fill) {
  const n = shape.reduce((a, b) => a * b, 1);
  const block = descr === '<f8' ? new Float64Array(BLOCK) : new Float32Array(BLOCK);
  // A one-dimensional shape is written (n,), as Python writes a one-element tuple.
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // The format pads the header with spaces so the data starts at a multiple of 64 bytes.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const prefix = Buffer.alloc(10);
    prefix.write('\x93NUMPY', 0, 'latin1');
    prefix[6] = 1;
    prefix.writeUInt16LE(header.length, 8);
    writeSync(fd, prefix);
    writeSync(fd, header, null, 'latin1');
    for (let start = 0; start < n; start += block.length) {
      const count = Math.min(block.length, n - start);
      for (let i = 0; i < count; i++) block[i] = fill(start + i);
      writeSync(fd, new Uint8Array(block.buffer, 0, count * block.BYTES_PER_ELEMENT));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
