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
    for (const call of ['KL(p || q', 'KL(N(0, 1)', 'vae_kl(', 'distill(', 'T=4', 'kl_penalty(', 'KL(bimodal || broad)', 'KL(one_mode || bimodal)']) {
      assert.ok(text.includes(call), call);
    }
    assert.ok(STARTER_CELLS.some((c) => c.kind === 'markdown' && /mode-seeking/.test(c.source)));
  });
});
