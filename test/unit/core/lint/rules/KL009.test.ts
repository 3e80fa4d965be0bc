/** KL009 vae-kl-reduction: the Gaussian KL averaged over latents, or log σ for log σ². */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL009 vae-kl-reduction', () => {
  it('reports a mean over every element and sums over the last axis first (unsafe)', () => {
    const src = `${IMPORTS}kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())\n`;
    assert.deepEqual(summary(src, only('KL009', src)), ['KL009@4:torch.mean(1 + logvar - mu.pow(2) - logvar.exp())']);
    const fix = fixOf('KL009', src);
    assert.equal(fix.safety, 'unsafe');
    assert.equal(fix.text.split('\n')[3], 'kld = -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1))');
  });

  it('reports the method form, any order of the terms, and a mean over dim 1', () => {
    const method = `${IMPORTS}kld = (-0.5 * (1 + log_var - mu ** 2 - log_var.exp())).mean()\n`;
    assert.equal(fixOf('KL009', method).text.split('\n')[3], 'kld = (-0.5 * (1 + log_var - mu ** 2 - log_var.exp())).sum(dim=-1).mean()');
    const order = `${IMPORTS}kld = torch.mean(0.5 * (torch.exp(lv) + m * m - 1 - lv))\n`;
    assert.equal(only('KL009', order).length, 1);
    const dim1 = `${IMPORTS}kld = -0.5 * torch.mean(torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), 1))\n`;
    assert.equal(only('KL009', dim1).length, 1);
  });

  it('reports log σ used as log σ² only where the file samples with exp(logvar) as the std', () => {
    const src = `${IMPORTS}class VAE(nn.Module):\n    def reparameterize(self, mu, logvar):\n        std = torch.exp(logvar)\n        return mu + torch.randn_like(std) * std\n    def loss(self, mu, logvar):\n        return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1).mean()\n`;
    const found = only('KL009', src);
    assert.deepEqual(summary(src, found), ['KL009@9:logvar']);
    const half = src.replace('torch.exp(logvar)', 'torch.exp(0.5 * logvar)');
    assert.equal(only('KL009', half).length, 0);
    const named = `${IMPORTS}def loss(mu, log_std):\n    return -0.5 * torch.sum(1 + log_std - mu.pow(2) - log_std.exp(), dim=1).mean()\n`;
    assert.equal(only('KL009', named).length, 0, 'a name is no evidence');
  });

  it('says nothing for sums over the latents, a batch mean first, or the 2·log σ form', () => {
    const cases = [
      'kld = torch.mean(-0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp(), dim=1), dim=0)',
      'kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())',
      'kl = 0.5 * (-1 - logvar + mu.pow(2) + logvar.exp()).mean(dim=0)\ntotal = kl.sum()',
      'kld = -0.5 / n * torch.mean(torch.sum(1 + 2 * logstd - mu.pow(2) - logstd.exp().pow(2), 1))',
      'klds = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())\ntotal_kld = klds.sum(1).mean(0, True)\nmean_kld = klds.mean(1).mean(0, True)',
    ];
    for (const body of cases) assert.equal(only('KL009', `${IMPORTS}${body}\n`).length, 0, body);
  });
});
