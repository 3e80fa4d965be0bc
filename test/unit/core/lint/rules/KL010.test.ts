/** KL010 rlhf-kl-estimator: reversed k3, and k1 minimised as a loss. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL010 rlhf-kl-estimator', () => {
  it('reports k3 with the log-ratio logp - ref and swaps it (safe when written inside)', () => {
    const src = `${IMPORTS}kl = torch.exp(per_token_logps - ref_per_token_logps) - (per_token_logps - ref_per_token_logps) - 1\n`;
    assert.equal(only('KL010', src).length, 1);
    const fix = fixOf('KL010', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[3], 'kl = torch.exp(ref_per_token_logps - per_token_logps) - (ref_per_token_logps - per_token_logps) - 1');
  });

  it('follows the ratio through a masked name and a method exp', () => {
    const src = `${IMPORTS}def step(logprobs, ref_logprobs, attention_mask):\n    log_ratio = (logprobs - ref_logprobs) * attention_mask[:, :-1]\n    kl = log_ratio.exp() - 1 - log_ratio\n    return kl.sum(1).mean()\n`;
    const found = only('KL010', src);
    assert.deepEqual(summary(src, found), ['KL010@6:log_ratio.exp() - 1 - log_ratio']);
    assert.equal(fixOf('KL010', src).text.split('\n')[4], '    log_ratio = (ref_logprobs - logprobs) * attention_mask[:, :-1]');
  });

  it('reports k1 flowing into a loss, also through if/else estimator choices', () => {
    const src = `${IMPORTS}def loss_fn(new_logprobs, ref_logprobs, pg_loss, beta, est):\n    kl1 = new_logprobs - ref_logprobs\n    kl2 = kl1 ** 2 / 2\n    if est == "k1":\n        kl = kl1\n    else:\n        kl = kl2\n    pg_loss = pg_loss + (beta * kl).mean()\n    return pg_loss\n`;
    const found = only('KL010', src);
    assert.deepEqual(summary(src, found), ['KL010@5:new_logprobs - ref_logprobs']);
    assert.equal(found[0]!.fix, undefined, 'kl1 is read by kl2 too: no mechanical rewrite');
    const direct = `${IMPORTS}def grpo_loss(logps, ref_logps, adv, beta):\n    return (-adv * logps + beta * (logps - ref_logps)).mean()\n`;
    const fix = fixOf('KL010', direct);
    assert.equal(fix.safety, 'unsafe');
    assert.equal(fix.text.split('\n')[4], '    return (-adv * logps + beta * ((ref_logps - logps).exp() - (ref_logps - logps) - 1)).mean()');
  });

  it('says nothing for the right k3, PPO old/new diagnostics, k1 in a reward, k2, or detached k1', () => {
    const cases = [
      'kl = torch.exp(ref_logps - logps) - (ref_logps - logps) - 1',
      'logratio = newlogprob - b_logprobs\nratio = logratio.exp()\napprox_kl = ((ratio - 1) - logratio).mean()',
      'def rewards_of(scores, logprobs, ref_logprobs, beta):\n    kl = logprobs - ref_logprobs\n    rewards = scores - beta * kl\n    return rewards',
      'def loss(logps, ref_logps):\n    kl_loss = (0.5 * (logps - ref_logps) ** 2).mean()\n    return kl_loss',
      'def loss(logps, ref_logps):\n    kl_loss = (logps.detach() - ref_logps).mean()\n    return kl_loss',
      'with torch.no_grad():\n    kl_loss = (logps - ref_logps).mean()',
      'kl = torch.expm1(-(logps - ref_logps)) + (logps - ref_logps)\nloss = kl.mean()',
    ];
    for (const body of cases) assert.equal(only('KL010', `${IMPORTS}${body}\n`).length, 0, body);
  });
});
