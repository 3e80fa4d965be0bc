/**
 * The fast paths on files NumPy wrote, against SciPy's values (test/fixtures/kernels/generate.py):
 * float32 with zeros (an infinite reverse direction), float64 rows spanning 1e-200 .. 1e30, and
 * the mean KL of two softmaxes of float32 logits; entropy, cross-entropy, Jeffreys and JS on the same files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { streamMeasure, type LazyArg } from '../../../src/core/divergence/stream';
import { lazySoftmax, type LazyTensor } from '../../../src/core/lazy';
import { lazyEntry } from '../../../src/host/load';
import { readNpy } from '../../../src/io/npy';
import { memorySource } from '../../../src/io/source';

const dir = join(__dirname, '..', '..', 'fixtures', 'kernels');
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));

function file(name: string): LazyTensor {
  const lazy = lazyEntry(readNpy(memorySource(new Uint8Array(readFileSync(join(dir, name))), name)), name);
  assert.ok(lazy.raw, `${name} is open to the kernels`);
  return lazy;
}

const arg = (role: string, lazy: LazyTensor): LazyArg => ({ role, text: role.toLowerCase(), span: undefined, lazy });

function close(got: number, want: number, rtol: number, what: string): void {
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `${what}: ${got} vs SciPy ${want}`);
}

describe('fast KL against SciPy on NumPy files', () => {
  for (const chunkElements of [undefined, 333]) {
    const runtime = chunkElements ? { chunkElements, pieceElements: 1000 } : {};
    it(`float32 with zeros: KL both ways as scipy.stats.entropy${chunkElements ? ', small chunks and pieces' : ''}`, () => {
      const r = streamMeasure('KL', arg('P', file('p32.npy')), arg('Q', file('q32.npy')), {}, runtime);
      close(r.value.data[0]!, reference.p32_q32.forward, 1e-12, 'KL(p‖q)');
      assert.equal(r.infinite, undefined);
      assert.equal(r.reverse!.value.data[0], Infinity);
      assert.equal(r.reverse!.infinite!.count, reference.p32_q32.reverse_infinite_count);
      assert.deepEqual(r.reverse!.infinite!.indices.slice(0, 2), [[97], [194]]);
    });

    it(`float64 rows over thirty decades: per-row KL both ways${chunkElements ? ', small chunks and pieces' : ''}`, () => {
      const r = streamMeasure('KL', arg('P', file('p64.npy')), arg('Q', file('q64.npy')), {}, runtime);
      reference.p64_q64.forward_rows.forEach((want: number, i: number) => close(r.rows!.data[i]!, want, 1e-12, `row ${i}`));
      reference.p64_q64.reverse_rows.forEach((want: number, i: number) => close(r.reverse!.rows!.data[i]!, want, 1e-12, `reverse row ${i}`));
    });

    it(`float32 with zeros: H(p) and H(p, q) as scipy.stats.entropy${chunkElements ? ', small chunks and pieces' : ''}`, () => {
      const h = streamMeasure('H', arg('P', file('p32.npy')), undefined, {}, runtime);
      close(h.value.data[0]!, reference.p32_q32_more.H, 1e-12, 'H(p)');
      const ce = streamMeasure('CE', arg('P', file('p32.npy')), arg('Q', file('q32.npy')), {}, runtime);
      close(ce.value.data[0]!, reference.p32_q32_more.CE, 1e-12, 'H(p, q)');
      close(ce.parts!['H(P)']!.data[0]!, reference.p32_q32_more.H, 1e-12, 'part H(p)');
      close(ce.parts!['KL(P‖Q)']!.data[0]!, reference.p32_q32.forward, 1e-12, 'part KL(p‖q)');
    });

    it(`float64 rows over thirty decades: per-row H, cross-entropy and Jeffreys${chunkElements ? ', small chunks and pieces' : ''}`, () => {
      const rows = (m: 'H' | 'CE' | 'Jeffreys') => streamMeasure(m, arg('P', file('p64.npy')), m === 'H' ? undefined : arg('Q', file('q64.npy')), {}, runtime).rows!.data;
      for (const m of ['H', 'CE', 'Jeffreys'] as const) {
        const got = rows(m);
        (reference.p64_q64_more[`${m}_rows`] as number[]).forEach((want, i) => close(got[i]!, want, 1e-12, `${m} row ${i}`));
      }
    });

    it(`Jensen–Shannon as scipy.spatial.distance.jensenshannon squared${chunkElements ? ', small chunks and pieces' : ''}`, () => {
      const js32 = streamMeasure('JS', arg('P', file('p32.npy')), arg('Q', file('q32.npy')), {}, runtime);
      close(js32.value.data[0]!, reference.p32_q32_more.JS, 1e-12, 'JS float32');
      const js64 = streamMeasure('JS', arg('P', file('p64.npy')), arg('Q', file('q64.npy')), {}, runtime);
      (reference.p64_q64_more.JS_rows as number[]).forEach((want, i) => close(js64.rows!.data[i]!, want, 1e-12, `JS row ${i}`));
    });

    it(`softmax of float32 logits, reduction="mean"${chunkElements ? ', small pieces' : ''}`, () => {
      const r = streamMeasure('KL', arg('P', lazySoftmax(file('a.npy'), 1, 'softmax(a)')), arg('Q', lazySoftmax(file('b.npy'), 1, 'softmax(b)')), { reduction: 'mean' }, runtime);
      close(r.value.data[0]!, reference.softmax_a_b.mean, 1e-12, 'mean KL');
    });
  }
});
