/**
 * The streaming .npy writer shared by the benchmark and the large-file tests, read back by NumPy
 * (Debian's /usr/bin/python3; skipped, with a note saying so, when it is absent).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeNpy } from '../../../scripts/write-npy.mjs';

const PYTHON = '/usr/bin/python3';
const skip = existsSync(PYTHON) ? false : `${PYTHON} not found: reading the files back needs Debian's python3 with numpy`;
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-write-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What NumPy makes of the file, and whether it equals `expected` (a NumPy expression of the same values). */
function numpyReads(path: string, expected: string): { dtype: string; shape: number[]; fortran: boolean; equal: boolean; dataOffset: number } {
  const script = `
import json, sys, numpy as np
path = sys.argv[1]
a = np.load(path, allow_pickle=False)
with open(path, 'rb') as f:
    major, _ = np.lib.format.read_magic(f)
    np.lib.format.read_array_header_1_0(f)
    offset = f.tell()
want = ${expected}
print(json.dumps({'dtype': a.dtype.str, 'shape': list(a.shape), 'fortran': bool(np.isfortran(a)) and a.ndim > 1,
                  'equal': bool(a.shape == want.shape and np.array_equal(a, want.astype(a.dtype))), 'dataOffset': offset}))
`;
  const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof numpyReads>;
}

describe('writeNpy', { skip }, () => {
  it('writes float32 vectors longer than one block, element i = fill(i)', () => {
    const n = (1 << 20) + 3;
    const path = join(dir, 'v.npy');
    writeNpy(path, '<f4', [n], (i) => (i % 1000) * 0.25);
    const got = numpyReads(path, `(np.arange(${n}) % 1000) * 0.25`);
    assert.deepEqual(got, { dtype: '<f4', shape: [n], fortran: false, equal: true, dataOffset: 128 });
  });

  it('writes float64 matrices in row-major order, the data aligned to 64 bytes', () => {
    const path = join(dir, 'm.npy');
    writeNpy(path, '<f8', [3, 5], (i) => i / 7);
    const got = numpyReads(path, 'np.arange(15, dtype=np.float64).reshape(3, 5) / 7');
    assert.equal(got.dataOffset % 64, 0);
    assert.deepEqual(got, { dtype: '<f8', shape: [3, 5], fortran: false, equal: true, dataOffset: got.dataOffset });
  });

  it('leaves only the finished file in the folder', () => {
    const sub = mkdtempSync(join(dir, 'only-'));
    writeNpy(join(sub, 'x.npy'), '<f4', [4], (i) => i);
    assert.deepEqual(readdirSync(sub), ['x.npy']);
  });
});
