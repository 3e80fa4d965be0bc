// The benchmark's inputs without NumPy: the same files as generate.py (names, dtypes, shapes,
// distributions), written in blocks by a small seeded generator. Used only when /usr/bin/python3
// with NumPy is missing.
import { Buffer } from 'node:buffer';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const BIG = 100_000_000;
const ROWS = 512;
const VOCAB = 50257;

/** mulberry32: uniform [0, 1) from a seed. */
function uniform(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeNpy(path, descr, shape, fill) {
  const n = shape.reduce((a, b) => a * b, 1);
  const Array = descr === '<f8' ? Float64Array : Float32Array;
  if (existsSync(path) && statSync(path).size >= n * Array.BYTES_PER_ELEMENT) return;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  writeSync(fd, prefix);
  writeSync(fd, header, null, 'latin1');
  const block = new Array(1 << 20);
  for (let start = 0; start < n; start += block.length) {
    const count = Math.min(block.length, n - start);
    for (let i = 0; i < count; i++) block[i] = fill();
    writeSync(fd, new Uint8Array(block.buffer, 0, count * block.BYTES_PER_ELEMENT));
  }
  closeSync(fd);
  renameSync(tmp, path);
}

function normal(seed) {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function writeInputs(dir) {
  mkdirSync(dir, { recursive: true });
  const positive = (seed) => {
    const u = uniform(seed);
    return () => u() + 0.01;
  };
  writeNpy(join(dir, 'big_p.npy'), '<f4', [BIG], positive(1));
  writeNpy(join(dir, 'big_q.npy'), '<f4', [BIG], positive(2));
  for (const [name, seed] of [['logits_a.npy', 3], ['logits_b.npy', 4]]) {
    const z = normal(seed);
    writeNpy(join(dir, name), '<f4', [ROWS, VOCAB], () => 2 * z());
  }
  writeNpy(join(dir, 'f64_p.npy'), '<f8', [20_000_000], positive(5));
  writeNpy(join(dir, 'f64_q.npy'), '<f8', [20_000_000], positive(6));
}
