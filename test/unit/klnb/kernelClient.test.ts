/**
 * The host's side of a notebook kernel, with real worker threads: variables live in the worker
 * between cells, an interrupt stops a streamed computation and keeps the variables, and a worker
 * that does not stop is ended after the grace period and replaced by a fresh one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TERMS_LIMIT } from '../../../src/core/divergence/rowwise';
import type { CellRequest } from '../../../src/extension/klnb/kernel';
import { INTERRUPT_GRACE_MS, KernelClient, kernelWorkerPath } from '../../../src/extension/klnb/kernelClient';

const ROOT = join(__dirname, '..', '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'kl-lens-kernel-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const cell = (source: string): CellRequest => ({ source, baseDir: temp, defaultBase: Math.E, digits: 5, topK: 20 });

/** A float32 .npy of n ones: large enough that KL over it streams in chunks (dist/klnbKernel.js is built by pretest). */
function writeOnes(path: string, n: number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]), Buffer.from(Uint16Array.of(header.length).buffer), Buffer.from(header, 'latin1')]);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(new Float32Array(n).fill(1).buffer)]));
}

describe('KernelClient', () => {
  it('keeps variables in the worker between cells', async () => {
    const k = new KernelClient(kernelWorkerPath(ROOT));
    try {
      assert.equal((await k.run(cell('a = [0.25, 0.75]'))).kind, 'assigned');
      const out = await k.run(cell('H(a, base=2)'));
      assert.equal(out.kind, 'value');
      assert.match((out as { text: string }).text, /^H\(P\) = 0\.81128 bits$/);
    } finally {
      k.dispose();
    }
  });

  it('interrupts a streamed computation between chunks, and keeps the variables', async () => {
    const n = TERMS_LIMIT + 1;
    writeOnes(join(temp, 'big.npy'), n);
    const k = new KernelClient(kernelWorkerPath(ROOT));
    try {
      await k.run(cell('a = [0.5, 0.5]'));
      const running = k.run(cell('KL(load("big.npy") || load("big.npy"))'));
      k.interrupt();
      const out = await running;
      assert.equal(out.kind, 'error', JSON.stringify(out));
      assert.equal((out as { name: string }).name, 'Cancelled');
      assert.match((out as { message: string }).message, /cancelled after \d+ of \d+ elements/);
      const after = await k.run(cell('H(a)'));
      assert.match((after as { text: string }).text, /^H\(P\) = 0\.69315 nats$/);
      // Not interrupted, the same cell runs to the end.
      const full = await k.run(cell('KL(load("big.npy") || load("big.npy"))'));
      assert.match((full as { text: string }).text, /^KL\(P‖Q\) = 0 nats/);
    } finally {
      k.dispose();
    }
  });

  it('ends a worker that does not stop, says the variables are gone, and starts a fresh one', async () => {
    const hanging = join(temp, 'hanging-worker.js');
    writeFileSync(
      hanging,
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (m) => {
         if (m.request.source === 'spin') for (;;) {}
         parentPort.postMessage({ type: 'done', id: m.id, outcome: { kind: 'assigned', text: 'fresh' } });
       });`,
    );
    const k = new KernelClient(hanging);
    try {
      const started = Date.now();
      const running = k.run(cell('spin'));
      assert.equal(k.busy, true);
      await assert.rejects(k.run(cell('x = 1')), /already running/);
      k.interrupt();
      const out = await running;
      assert.ok(Date.now() - started >= INTERRUPT_GRACE_MS - 50);
      assert.equal(out.kind, 'error');
      assert.match((out as { message: string }).message, /kernel was restarted and its variables were cleared/);
      assert.deepEqual(await k.run(cell('x = 1')), { kind: 'assigned', text: 'fresh' });
    } finally {
      k.dispose();
    }
  });

  it('answers a pending cell when the notebook closes', async () => {
    const hanging = join(temp, 'silent-worker.js');
    writeFileSync(hanging, `require('node:worker_threads').parentPort.on('message', () => {});`);
    const k = new KernelClient(hanging);
    const running = k.run(cell('x = 1'));
    k.dispose();
    assert.deepEqual(await running, { kind: 'error', name: 'Interrupted', message: 'the notebook was closed' });
  });
});
