/**
 * Pieces of a fast KL pass spread over kernel threads (the built dist/kernelWorker.js) give what
 * one thread gives and what the reference path gives: values, infinite indices, the first bad
 * element, cancellation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type LazyArg, type Runtime, streamMeasure } from '../../../src/core/divergence/stream';
import { KlError } from '../../../src/core/errors';
import { lazySoftmax, type LazyTensor } from '../../../src/core/lazy';
import type { DiscreteResult } from '../../../src/core/result';
import { lazyEntry, openLocated } from '../../../src/host/load';
import { threadScheduler } from '../../../src/host/threads';
import { npyBytes } from '../../helpers/io';

const workerPath = join(__dirname, '..', '..', '..', 'dist', 'kernelWorker.js');
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-threads-'));
const opened: { close(): void }[] = [];
after(() => {
  for (const s of opened) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the array as an .npy file and opens it as load() opens a large file. */
function file(name: string, data: Float32Array | Float64Array, shape: readonly number[]): LazyTensor {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const path = join(dir, name);
  writeFileSync(path, npyBytes(header.padEnd(118) + '\n', new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  const { entry, source } = openLocated({ path });
  opened.push(source);
  return lazyEntry(entry, name, { path });
}

const arg = (role: string, lazy: LazyTensor): LazyArg => ({ role, text: role.toLowerCase(), span: undefined, lazy });
const small: Runtime = { chunkElements: 4096, pieceElements: 8192 };
const threaded: Runtime = { ...small, scheduler: threadScheduler({ threads: 2, workerPath, minPieces: 1 }) };

function random(n: number, seed: number, zeroEvery = 0): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return zeroEvery > 0 && i % zeroEvery === zeroEvery - 1 ? 0 : 0.01 + s / 2147483648;
  });
}

function kl(p: LazyTensor, q: LazyTensor, runtime: Runtime, reduction: 'none' | 'mean' = 'none'): DiscreteResult {
  return streamMeasure('KL', arg('P', p), arg('Q', q), { reduction }, runtime);
}

function close(got: number, want: number, rtol: number, what: string): void {
  assert.ok(got === want || Math.abs(got - want) <= rtol * Math.abs(want), `${what}: ${got} vs ${want}`);
}

describe('kernel threads', { skip: !existsSync(workerPath) && 'needs the build (npm run build)' }, () => {
  it('two threads agree with one thread and with the reference path on 200k float32 pairs', () => {
    const p = file('p.npy', random(200_003, 1), [200_003]);
    const q = file('q.npy', random(200_003, 2), [200_003]);
    const two = kl(p, q, threaded);
    const one = kl(p, q, small);
    const reference = kl(p, q, { ...small, fastPaths: false });
    for (const [what, r] of [['one thread', one], ['reference', reference]] as const) {
      close(two.value.data[0]!, r.value.data[0]!, 1e-13, `KL vs ${what}`);
      close(two.reverse!.value.data[0]!, r.reverse!.value.data[0]!, 1e-13, `reverse KL vs ${what}`);
      close(two.operands[0]!.sums!.data[0]!, r.operands[0]!.sums!.data[0]!, 1e-14, `Σp vs ${what}`);
    }
  });

  it('lists infinite indices in order across pieces run by different threads', () => {
    const p = file('pz.npy', random(100_000, 3, 997), [100_000]);
    const q = file('qz.npy', random(100_000, 4, 1009), [100_000]);
    const two = kl(p, q, threaded);
    const reference = kl(p, q, { ...small, fastPaths: false });
    assert.deepEqual(two.infinite, reference.infinite);
    assert.deepEqual(two.reverse!.infinite, reference.reverse!.infinite);
    assert.equal(two.infinite!.count, Math.floor(100_000 / 1009) - Math.floor(100_000 / (997 * 1009)));
  });

  it('rows and softmaxes of logits: threaded, fused and reference agree', () => {
    const a = file('a.npy', random(60 * 999, 5), [60, 999]);
    const b = file('b.npy', random(60 * 999, 6), [60, 999]);
    const soft = (l: LazyTensor, label: string) => lazySoftmax(l, 2, label);
    const two = kl(soft(a, 'sa'), soft(b, 'sb'), threaded, 'mean');
    const reference = kl(soft(a, 'sa'), soft(b, 'sb'), { ...small, fastPaths: false }, 'mean');
    close(two.value.data[0]!, reference.value.data[0]!, 1e-12, 'mean KL of softmaxes');
    for (let r = 0; r < 60; r++) close(two.rows!.data[r]!, reference.rows!.data[r]!, 1e-11, `row ${r}`);
    const plain = kl(a, b, threaded);
    const plainReference = kl(a, b, { ...small, fastPaths: false });
    for (let r = 0; r < 60; r++) close(plain.rows!.data[r]!, plainReference.rows!.data[r]!, 1e-12, `row ${r}`);
  });

  for (const m of ['Jeffreys', 'CE', 'H', 'JS'] as const) {
    it(`${m}: two threads agree with one thread and with the reference path, value and parts`, () => {
      // Zeros in both, so Jeffreys and the cross-entropy are infinite in some rows.
      const p = file(`p${m}.npy`, random(40 * 5001, 15, 4999), [40, 5001]);
      const q = file(`q${m}.npy`, random(40 * 5001, 16, 7919), [40, 5001]);
      const run = (runtime: Runtime) => streamMeasure(m, arg('P', p), m === 'H' ? undefined : arg('Q', q), {}, runtime);
      const two = run(threaded);
      for (const [what, r] of [['one thread', run(small)], ['reference', run({ ...small, fastPaths: false })]] as const) {
        for (let row = 0; row < 40; row++) close(two.rows!.data[row]!, r.rows!.data[row]!, 1e-12, `${m} row ${row} vs ${what}`);
        for (const [name, part] of Object.entries(r.parts ?? {})) part.data.forEach((x, row) => close(two.parts![name]!.data[row]!, x, 1e-12, `${name} row ${row} vs ${what}`));
        assert.deepEqual(two.infinite, r.infinite);
      }
      if (m === 'Jeffreys' || m === 'CE') assert.ok(two.infinite!.count > 0);
    });
  }

  it('entropy: the first bad element is reported, whichever thread met it', () => {
    const data = random(150_000, 17);
    data[120_007] = -1;
    const p = file('phbad.npy', data, [150_000]);
    assert.throws(() => streamMeasure('H', arg('P', p), undefined, {}, threaded), /^KlError: H: argument P has a negative entry -1 at index 120007; probabilities must be ≥ 0$/);
  });

  it('reports the first bad element in the tensor, whichever thread met it', () => {
    const data = random(150_000, 7);
    data[140_001] = -2;
    data[90_000] = NaN;
    const p = file('pbad.npy', data, [150_000]);
    const q = file('qbad.npy', random(150_000, 8), [150_000]);
    const message = (runtime: Runtime) => {
      try {
        kl(p, q, runtime);
      } catch (e) {
        assert.ok(e instanceof KlError);
        return e.message;
      }
      assert.fail('expected an error');
    };
    assert.equal(message(threaded), 'KL: argument P has NaN at index 90000');
    assert.equal(message(threaded), message({ ...small, fastPaths: false }));
  });

  it('stops with a cancelled error when asked to, and reports progress up to the total', () => {
    const p = file('pc.npy', random(100_000, 9), [100_000]);
    const q = file('qc.npy', random(100_000, 10), [100_000]);
    const seen: number[] = [];
    kl(p, q, { ...threaded, progress: (done, total) => seen.push(done / total) });
    assert.ok(seen.length > 0 && seen.every((x, i) => x > 0 && x <= 1 && (i === 0 || x >= seen[i - 1]!)), `progress ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 1);
    let calls = 0;
    assert.throws(
      () => kl(p, q, { ...threaded, isCancelled: () => ++calls > 1 }),
      (e: unknown) => e instanceof KlError && e.kind === 'cancelled',
    );
  });

  it('JS reads twice: progress rises to the total over both passes, and cancelling stops it', () => {
    const p = file('pjs.npy', random(100_000, 18), [100_000]);
    const q = file('qjs.npy', random(100_000, 19), [100_000]);
    const seen: number[] = [];
    streamMeasure('JS', arg('P', p), arg('Q', q), {}, { ...threaded, progress: (done, total) => seen.push(done / total) });
    assert.ok(seen.every((x, i) => x >= 0 && x <= 1 && (i === 0 || x >= seen[i - 1]!)), `progress ${seen.join(', ')}`);
    assert.ok(seen.some((x) => x > 0 && x <= 0.5) && seen.some((x) => x > 0.5));
    assert.equal(seen.at(-1), 1);
    let calls = 0;
    assert.throws(
      () => streamMeasure('JS', arg('P', p), arg('Q', q), {}, { ...threaded, isCancelled: () => ++calls > 3 }),
      (e: unknown) => e instanceof KlError && e.kind === 'cancelled',
    );
  });

  it('runs the pieces of a worker that dies without replying here', () => {
    const crash = join(dir, 'crash.js');
    writeFileSync(crash, "throw new Error('a kernel worker that cannot start');\n");
    const p = file('pd.npy', random(60_000, 13), [60_000]);
    const q = file('qd.npy', random(60_000, 14), [60_000]);
    const survived = kl(p, q, { ...small, scheduler: threadScheduler({ threads: 2, workerPath: crash, minPieces: 1 }) });
    close(survived.value.data[0]!, kl(p, q, small).value.data[0]!, 1e-15, 'KL');
  });

  it('runs every piece here when the worker script is missing', () => {
    const p = file('pm.npy', random(50_000, 11), [50_000]);
    const q = file('qm.npy', random(50_000, 12), [50_000]);
    const missing = kl(p, q, { ...small, scheduler: threadScheduler({ threads: 2, workerPath: join(dir, 'none.js'), minPieces: 1 }) });
    close(missing.value.data[0]!, kl(p, q, small).value.data[0]!, 0, 'KL');
  });
});
