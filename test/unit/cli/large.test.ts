/**
 * A file far larger than the chunk size is streamed, not loaded: the CLI's peak memory stays well
 * below the size of the data it reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeNpy } from '../../../scripts/write-npy.mjs';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const N = 24_000_000; // 96 MB per file as float32; 192 MB of float64 if both were loaded
const p = (i: number): number => 1 + (i % 7);
const q = (i: number): number => 1 + (i % 5);

describe('streaming large files', { skip: !existsSync('/usr/bin/time') && 'needs /usr/bin/time to measure peak memory' }, () => {
  it('computes KL of two 24M-element .npy files in bounded memory', () => {
    writeNpy(join(dir, 'p.npy'), '<f4', [N], p);
    writeNpy(join(dir, 'q.npy'), '<f4', [N], q);
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, cli, 'eval', 'KL(p || q)', '--var', 'p=p.npy', '--var', 'q=q.npy', '--json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { value: number; reverse: number };
    // Independent reference: the sequence is periodic with period 35, so the exact KL follows
    // from one period's counts (N is a multiple of 35 only approximately, so sum the tail too).
    let sp = 0;
    let sq = 0;
    for (let i = 0; i < N; i++) {
      sp += p(i);
      sq += q(i);
    }
    let kl = 0;
    for (let i = 0; i < 35; i++) {
      const count = Math.floor((N - i + 34) / 35);
      const a = p(i) / sp;
      const b = q(i) / sq;
      kl += count * a * Math.log(a / b);
    }
    assert.ok(Math.abs(out.value - kl) <= 1e-10 * kl, `KL ${out.value} vs ${kl}`);
    const rssKb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)![1]);
    // Node itself takes ~50 MB; loading either file whole as float64 would add 192 MB.
    assert.ok(rssKb < 150 * 1024, `peak RSS ${Math.round(rssKb / 1024)} MiB`);
  });
});
