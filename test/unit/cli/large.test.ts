/**
 * A file far larger than the chunk size is streamed, not loaded: the CLI's peak memory stays well
 * below the size of the data it reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a float32 .npy (format 1.0) of `n` elements, element i = f(i), in 1 M-element blocks. */
function writeNpy(path: string, n: number, f: (i: number) => number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const fd = openSync(path, 'w');
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  writeSync(fd, prefix);
  writeSync(fd, header, null, 'latin1');
  const block = new Float32Array(1 << 20);
  for (let start = 0; start < n; start += block.length) {
    const count = Math.min(block.length, n - start);
    for (let i = 0; i < count; i++) block[i] = f(start + i);
    writeSync(fd, new Uint8Array(block.buffer, 0, count * 4));
  }
  closeSync(fd);
}

const N = 24_000_000; // 96 MB per file as float32; 192 MB of float64 if both were loaded
const p = (i: number): number => 1 + (i % 7);
const q = (i: number): number => 1 + (i % 5);

describe('streaming large files', { skip: !existsSync('/usr/bin/time') && 'needs /usr/bin/time to measure peak memory' }, () => {
  it('computes KL of two 24M-element .npy files in bounded memory', () => {
    writeNpy(join(dir, 'p.npy'), N, p);
    writeNpy(join(dir, 'q.npy'), N, q);
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
