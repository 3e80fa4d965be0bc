// The benchmark's inputs without NumPy: the same files as generate.py (names, dtypes, shapes,
// distributions), written in blocks by a small seeded generator. Used only when /usr/bin/python3
// with NumPy is missing.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 as uniform } from '../scripts/mulberry32.mjs';
import { writeNpy as writeNpyFile } from '../scripts/write-npy.mjs';

const BIG = 100_000_000;
const ROWS = 512;
const VOCAB = 50257;

/** Reuses a complete file from an earlier run: the inputs take minutes to write. */
function writeNpy(path, descr, shape, fill) {
  const n = shape.reduce((a, b) => a * b, 1);
  if (existsSync(path) && statSync(path).size >= n * (descr === '<f8' ? 8 : 4)) return;
  writeNpyFile(path, descr, shape, fill);
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
