/**
 * The editor's evaluation worker (dist/worker.js, as the extension starts it) on files large
 * enough to stream: it takes the fast KL path with its own kernel threads, reports progress, and
 * stops when terminated.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { EvaluationRequest, WorkerReply } from '../../../src/extension/evaluation/protocol';
import { npyBytes } from '../../helpers/io';

const dist = join(__dirname, '..', '..', '..', 'dist');
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const N = 6_000_000; // above the 4M elements that are read into memory
function write(name: string, f: (i: number) => number): Float32Array {
  const data = Float32Array.from({ length: N }, (_, i) => f(i));
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${N},), }`;
  writeFileSync(join(dir, name), npyBytes(header.padEnd(118) + '\n', new Uint8Array(data.buffer)));
  return data;
}

function start(source: string): { worker: Worker; replies: WorkerReply[]; done: Promise<WorkerReply> } {
  const request: EvaluationRequest = { source, baseDir: dir, defaultBase: Math.E, digits: 5, topK: 20 };
  const worker = new Worker(join(dist, 'worker.js'), { workerData: request });
  const replies: WorkerReply[] = [];
  const done = new Promise<WorkerReply>((resolve, reject) => {
    worker.on('message', (r: WorkerReply) => {
      replies.push(r);
      if (r.type !== 'progress') resolve(r);
    });
    worker.on('error', reject);
    worker.on('exit', () => resolve({ type: 'error', message: 'exited' }));
  });
  return { worker, replies, done };
}

describe('evaluation worker on streamed files', { skip: !existsSync(join(dist, 'kernelWorker.js')) && 'needs the build (npm run build)' }, () => {
  const p = write('p.npy', (i) => 1 + ((i * 7) % 13));
  const q = write('q.npy', (i) => 2 + ((i * 5) % 11));

  it('gives KL as the definition does, with progress on the way', async () => {
    const { worker, replies, done } = start('KL(load("p.npy") || load("q.npy"))');
    const reply = await done;
    await worker.terminate();
    assert.equal(reply.type, 'done', JSON.stringify(reply));
    // The definition, summed in float64 in the simplest way.
    let sp = 0;
    let sq = 0;
    for (let i = 0; i < N; i++) {
      sp += p[i]!;
      sq += q[i]!;
    }
    let kl = 0;
    for (let i = 0; i < N; i++) kl += (p[i]! / sp) * Math.log(p[i]! / sp / (q[i]! / sq));
    if (reply.type === 'done') assert.ok(Math.abs(Number(reply.model.valueOnly) - kl) <= 1e-9 * kl, `${reply.model.valueOnly} vs ${kl}`);
    assert.ok(replies.every((r) => r.type !== 'progress' || (r.done > 0 && r.done <= r.total && r.total === N)));
  });

  it('stops when terminated mid-way (the editor cancels this way)', async () => {
    const { worker, done } = start(Array.from({ length: 8 }, (_, i) => (i % 2 ? 'KL(load("q.npy") || load("p.npy"))' : 'KL(load("p.npy") || load("q.npy"))')).join('\n'));
    setTimeout(() => void worker.terminate(), 30);
    const reply = await done;
    assert.notEqual(reply.type, 'done');
  });
});
