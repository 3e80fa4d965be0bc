/** KL008 epsilon-clipped-kl: an epsilon that hides an infinite divergence. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL008 epsilon-clipped-kl', () => {
  it('reports q + eps in a hand-written KL, in torch and numpy, as information with no fix', () => {
    const src = `${IMPORTS}import numpy as np\nk = (p * (torch.log(p + eps) - torch.log(q + eps))).sum(-1)\nj = np.sum(p * (np.log(p + 1e-12) - np.log(q + 1e-12)))\nm = torch.sum(p * torch.log(p / q.clamp(min=1e-8)))\n`;
    const found = only('KL008', src);
    assert.deepEqual(summary(src, found), ['KL008@5:q + eps', 'KL008@6:q + 1e-12', 'KL008@7:q.clamp(min=1e-8)']);
    assert.ok(found.every((f) => f.severity === 'information' && f.fix === undefined));
    assert.match(found[1]!.message, /27\.6·p nats/);
  });

  it('reports an eps-clipped log in the input of kl_div', () => {
    const src = `${IMPORTS}l = F.kl_div(torch.log(q + 1e-10), p, reduction="batchmean")\n`;
    assert.deepEqual(summary(src, only('KL008', src)), ['KL008@4:q + 1e-10']);
  });

  it('says nothing for the eps of the first distribution, a mixture, an entropy, or a large constant', () => {
    const cases = [
      'h1 = q * torch.log(q + eps)',
      'ent = -(p * torch.log(p + 1e-12)).sum()',
      'l = F.kl_div(torch.clamp((p1 + p2 + p3) / 3.0, 1e-7, 1).log(), p1, reduction="batchmean")',
      'l = F.kl_div(torch.log(q + 1.0), p, reduction="batchmean")',
      'k = (p * (torch.log(p) - torch.log(q))).sum()',
      'eps = 0.0\nk = (p * (torch.log(p + eps) - torch.log(q + eps))).sum()',
    ];
    for (const body of cases) assert.equal(only('KL008', `${IMPORTS}${body}\n`).length, 0, body);
  });
});
