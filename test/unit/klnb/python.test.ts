/**
 * The Python helper (python/kl_lens.py): its own unit tests, and its bundles read back by the
 * TypeScript payload decoder byte for byte. Needs Debian's /usr/bin/python3 with NumPy, SciPy and
 * PyTorch; skipped, with a note saying so, when it is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateProgram } from '../../../src/core/lang/evaluate';
import { BUILTINS, CONSTANTS } from '../../../src/core/lang/builtins';
import { KL_LENS_MIME, parsePayload } from '../../../src/core/notebook/payload';
import type { Value } from '../../../src/core/result';

const PYTHON = '/usr/bin/python3';
const ROOT = join(__dirname, '..', '..', '..');
const skip = existsSync(PYTHON) ? false : `${PYTHON} not found: the Python helper tests need Debian's python3 with numpy, scipy and torch`;

interface Case {
  name: string;
  bundle: Record<string, unknown>;
  exact: Record<string, { shape: number[]; float64: string }>;
  expected: number | null;
}

function python(args: string[]): string {
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${PYTHON} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('python/kl_lens.py', { skip }, () => {
  it('passes its own unit tests', () => {
    const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'python', '-v'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^OK/m);
    assert.doesNotMatch(r.stderr, /skipped/, 'NumPy and PyTorch cases must run here');
  });

  it('makes bundles the TypeScript decoder reads byte for byte, and their values match SciPy', () => {
    const out = JSON.parse(python([join('test', 'unit', 'klnb', 'python_bundles.py')])) as { torch: boolean; cases: Case[] };
    assert.ok(out.torch, 'PyTorch present');
    assert.ok(out.cases.length >= 9);
    for (const c of out.cases) {
      assert.match(String(c.bundle['text/plain']), /^KL Lens output: .* — open in VS Code with the KL Lens extension to see it$/);
      const payload = parsePayload(c.bundle[KL_LENS_MIME]);
      assert.deepEqual([...payload.variables.keys()].sort(), Object.keys(c.exact).sort(), c.name);
      for (const [name, want] of Object.entries(c.exact)) {
        const t = payload.variables.get(name)!;
        assert.deepEqual(t.shape, want.shape, `${c.name}: ${name} shape`);
        const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        assert.equal(bytes.toString('base64'), want.float64, `${c.name}: ${name} bytes`);
      }
      const env = new Map<string, Value>([...payload.variables].map(([k, t]) => [k, { type: 'tensor', tensor: t } as Value]));
      const v = evaluateProgram(payload.expression, { env }).value;
      assert.equal(v?.type, 'result', c.name);
      if (c.expected !== null) {
        const got = (v as Extract<Value, { type: 'result' }>).result.value.data[0]!;
        assert.ok(Math.abs(got - c.expected) <= 1e-12 * Math.abs(c.expected), `${c.name}: ${got} vs SciPy ${c.expected}`);
      }
    }
  });

  it('refuses exactly the names the language reserves', () => {
    const reserved = python(['-c', 'import sys; sys.path.insert(0, "python"); import kl_lens; print(" ".join(sorted(kl_lens.RESERVED)))']).trim().split(' ');
    assert.deepEqual(reserved, [...Object.keys(BUILTINS), ...Object.keys(CONSTANTS)].sort());
  });
});
