/**
 * The CLI over tensor files: --var and load() with every container format, keys, per-row
 * reductions and distillation, against values SciPy and PyTorch computed
 * (test/fixtures/io/gen_cli.py), and one clear line for every bad file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allClose } from '../../helpers/values';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures', 'io');
const expected = JSON.parse(readFileSync(join(fixtures, 'cli', 'expected.json'), 'utf8')) as Record<string, number | number[] | number[][]>;

function run(args: string[], cwd = join(fixtures, 'cli')) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], cwd?: string): Record<string, unknown> {
  const r = run([...args, '--json'], cwd);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function failsWith(args: string[], pattern: RegExp, cwd?: string): void {
  const r = run(args, cwd);
  assert.equal(r.status, 1, `expected failure for ${args.join(' ')}; stdout ${r.stdout}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('kl-lens eval over files', () => {
  it('binds .npy files with --var (float64 and float32)', () => {
    const out = json(['eval', 'KL(p || q)', '--var', 'p=p.npy', '--var', 'q=q32.npy']);
    allClose(out['value'] as number, expected['KL(p || q)'] as number, 1e-12);
    allClose(out['reverse'] as number, expected['KL(q || p)'] as number, 1e-12);
  });

  it('reads npz members by key, per row and with batchmean', () => {
    const rows = json(['eval', 'KL(P || Q)', '--var', 'P=batch.npz#P', '--var', 'Q=batch.npz#Q']);
    allClose(rows['value'] as number[], expected['KL(P || Q)'] as number[], 1e-12);
    const bm = json(['eval', 'KL(P || Q, reduction="batchmean")', '--var', 'P=batch.npz#P', '--var', 'Q=batch.npz#Q']);
    allClose(bm['value'] as number, expected['KL(P || Q, reduction="batchmean")'] as number, 1e-12);
  });

  it('computes distillation on logits from a safetensors file', () => {
    const out = json(['eval', 'distill(s, t, T=4)', '--var', 's=logits.safetensors#student', '--var', 't=logits.safetensors#teacher']);
    allClose(out['value'] as number, expected['distill(s, t, T=4)'] as number, 1e-12);
    const mean = json(['eval', 'KL(softmax(t) || softmax(s), reduction="mean")', '--var', 's=logits.safetensors#student', '--var', 't=logits.safetensors#teacher']);
    allClose(mean['value'] as number, expected['KL(softmax(t) || softmax(s), reduction="mean")'] as number, 1e-12);
  });

  it('navigates nested checkpoints by dotted keys with load()', () => {
    const program = 'lp = load("rollout.pt", "rollout.logp"); lr = load("rollout.pt", "rollout.logref")\nkl_penalty(lp, lr, beta=0.1, estimator="k3")';
    const out = json(['eval', program]);
    allClose(out['value'] as number[][], expected['kl_penalty(lp, lr, beta=0.1, estimator="k3")'] as number[][], 1e-12, 1e-15);
  });

  it('reads CSV and JSON, and resolves relative paths against the current directory', () => {
    const h = json(['eval', 'H(load("cli/p.csv"))'], fixtures);
    allClose(h['value'] as number, expected['H(p_csv)'] as number, 1e-12);
    const js = json(['eval', 'JS(p, q)', '--var', 'p=pq.json#p', '--var', 'q=q32.npy']);
    allClose(js['value'] as number, expected['JS(p, q)'] as number, 1e-12);
  });

  it('gives one clear line for every bad file or key', () => {
    failsWith(['eval', 'KL(p || p)', '--var', 'p=missing.npy'], /--var p: missing\.npy: no such file/);
    failsWith(['eval', 'KL(p || p)', '--var', 'p=batch.npz'], /holds 2 tensors; pick one with batch\.npz#KEY\. Keys: P, Q/);
    failsWith(['eval', 'KL(p || p)', '--var', 'p=batch.npz#R'], /has no tensor 'R'\. Keys: P, Q/);
    failsWith(['eval', 'KL(p || p)', '--var', 'p=rollout.pt#rollout'], /'rollout' is a group of 2 tensors/);
    failsWith(['eval', 'load("nope.safetensors")'], /evaluation error at 1:6: load: nope\.safetensors: no such file/);
    failsWith(['eval', 'load(3)'], /path must be a string/);
    const dir = mkdtempSync(join(tmpdir(), 'kl-lens-'));
    writeFileSync(join(dir, 'bad.npy'), Buffer.from('\x93NUMPY\x01\x00\x10\x00{"descr": bad}  \n'));
    failsWith(['eval', 'H(x)', '--var', 'x=bad.npy'], /--var x: .*npy.*at byte \d+/, dir);
    writeFileSync(join(dir, 'trunc.safetensors'), readFileSync(join(fixtures, 'cli', 'logits.safetensors')).subarray(0, 100));
    failsWith(['eval', 'H(x)', '--var', 'x=trunc.safetensors#student'], /safetensors/, dir);
    writeFileSync(join(dir, 'x.xyz'), 'hello');
    failsWith(['eval', 'H(x)', '--var', 'x=x.xyz'], /unsupported file type '\.xyz'/, dir);
  });
});

describe('kl-lens inspect', () => {
  it('lists every tensor with dtype, shape, size and what it looks like', () => {
    const out = json(['inspect', 'logits.safetensors']);
    assert.equal(out['format'], 'safetensors');
    const tensors = out['tensors'] as { key: string; dtype: string; shape: number[]; bytes: number; looksLike: string }[];
    assert.deepEqual(tensors.map((t) => [t.key, t.dtype, t.shape, t.bytes, t.looksLike]), [
      ['student', 'float32', [4, 10], 160, 'logits'],
      ['teacher', 'float32', [4, 10], 160, 'logits'],
    ]);
    const batch = json(['inspect', 'batch.npz'])['tensors'] as { looksLike: string }[];
    assert.deepEqual(batch.map((t) => t.looksLike), ['distribution', 'distribution']);
    const rollout = json(['inspect', 'rollout.pt'])['tensors'] as { key: string; looksLike: string }[];
    assert.deepEqual(rollout.map((t) => [t.key, t.looksLike]), [['rollout.logp', 'per-token log-probs'], ['rollout.logref', 'per-token log-probs']]);
  });

  it('prints a readable table', () => {
    const r = run(['inspect', 'batch.npz']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^batch\.npz: npz, 2 tensors\n/);
    assert.match(r.stdout, /P\s+float64\s+\[6, 16\]\s+768 B\s+[\d.e-]+\s+[\d.e-]+\s+6\s+distribution/);
  });

  it('fails cleanly on a malformed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl-lens-'));
    writeFileSync(join(dir, 'z.npz'), Buffer.from('PK\x03\x04 not really a zip'));
    failsWith(['inspect', 'z.npz'], /npz|zip/, dir);
  });
});
