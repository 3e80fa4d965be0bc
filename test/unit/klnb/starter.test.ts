/** Every cell of the starter notebook runs without error, in order, in one kernel, and says what it computes. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { NotebookKernel } from '../../../src/extension/klnb/kernel';
import { STARTER_CELLS } from '../../../src/extension/klnb/starter';

describe('starter notebook', () => {
  it('runs every kl cell without an error', () => {
    const kernel = new NotebookKernel();
    const code = STARTER_CELLS.filter((c) => c.kind === 'code');
    assert.ok(code.length >= 8);
    for (const cell of code) {
      assert.equal(cell.language, 'kl');
      const out = kernel.run({ source: cell.source, baseDir: tmpdir(), defaultBase: Math.E, digits: 5, topK: 20 });
      assert.equal(out.kind, 'value', `${cell.source}\n→ ${JSON.stringify(out)}`);
      assert.equal((out as { embedding?: { kind: string } }).embedding?.kind, 'payload', cell.source);
    }
    kernel.dispose();
  });

  it('covers the seed examples: discrete KL, Gaussians, VAE, distillation, RLHF, forward vs reverse', () => {
    const text = STARTER_CELLS.map((c) => c.source).join('\n');
    for (const call of ['KL(p || q', 'KL(N(0, 1)', 'vae_kl(', 'distill(', 'T=4', 'kl_penalty(', 'KL(bimodal || broad)', 'KL(bimodal || one_mode)']) {
      assert.ok(text.includes(call), call);
    }
    assert.ok(STARTER_CELLS.some((c) => c.kind === 'markdown' && /mode-seeking/.test(c.source)));
  });

  it('states the forward vs reverse comparison as the cells compute it', () => {
    const kernel = new NotebookKernel();
    const texts = STARTER_CELLS.filter((c) => c.kind === 'code').map((c) => kernel.run({ source: c.source, baseDir: tmpdir(), defaultBase: Math.E, digits: 2, topK: 20 }));
    const [broad, oneMode] = texts.slice(-2).map((o) => (o as { text: string }).text);
    // "KL(P‖Q) = forward nats  (reverse KL(Q‖P) = reverse nats)", as the markdown cell quotes them.
    assert.match(broad!, /^KL\(P‖Q\) = 0\.46 nats {2}\(reverse KL\(Q‖P\) = 0\.51 nats\)$/);
    assert.match(oneMode!, /^KL\(P‖Q\) = 0\.8 nats {2}\(reverse KL\(Q‖P\) = 0\.45 nats\)$/);
    const prose = STARTER_CELLS.at(-1)!.source;
    assert.match(prose, /0\.46 against 0\.80 nats/);
    assert.match(prose, /0\.45 against 0\.51 nats/);
  });
});
