/** KL001 kl-div-input-not-log: probabilities in the input slot of kl_div / KLDivLoss. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL001 kl-div-input-not-log', () => {
  it('reports a softmax written in the input slot, and fixes it to log_softmax (safe)', () => {
    const src = `${IMPORTS}loss = F.kl_div(F.softmax(s, dim=-1), F.softmax(t, dim=-1), reduction="batchmean")\n`;
    assert.deepEqual(summary(src, only('KL001', src)), ['KL001@4:F.softmax(s, dim=-1)']);
    const fix = fixOf('KL001', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[3], 'loss = F.kl_div(F.log_softmax(s, dim=-1), F.softmax(t, dim=-1), reduction="batchmean")');
  });

  it('follows a local name to its softmax, and changes the producer when the call is its only use', () => {
    const src = `${IMPORTS}def f(s, t):\n    p = s.softmax(-1)\n    return F.kl_div(p, t, reduction="batchmean")\n`;
    const found = only('KL001', src);
    assert.deepEqual(summary(src, found), ['KL001@6:p']);
    assert.match(found[0]!.message, /`p` \(`s\.softmax\(-1\)` on line 5\)/);
    const fix = fixOf('KL001', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[4], '    p = s.log_softmax(-1)');
  });

  it('passes a log_softmax of the same logits (unsafe) when the probabilities are used elsewhere too', () => {
    const src = `${IMPORTS}def f(s, t):\n    p = F.softmax(s, dim=1)\n    acc = p.argmax(1)\n    return F.kl_div(p, t, reduction="batchmean"), acc\n`;
    const fix = fixOf('KL001', src);
    assert.equal(fix.safety, 'unsafe');
    assert.equal(fix.text.split('\n')[6], '    return F.kl_div(F.log_softmax(s, dim=1), t, reduction="batchmean"), acc');
  });

  it('reports a sigmoid and suggests logsigmoid in the spelling the imports allow', () => {
    const src = `${IMPORTS}l = F.kl_div(torch.sigmoid(x), y, reduction="sum")\n`;
    const found = only('KL001', src);
    assert.match(found[0]!.message, /logsigmoid/);
    assert.equal(fixOf('KL001', src).text.split('\n')[3], 'l = F.kl_div(F.logsigmoid(x), y, reduction="sum")');
  });

  it('reports the exponential of log-probabilities, and passes the log-probabilities', () => {
    const src = `${IMPORTS}l = F.kl_div(logp.exp(), q, reduction="batchmean")\n`;
    assert.equal(only('KL001', src).length, 0, 'logp is not known to be log-probabilities: no evidence');
    const known = `${IMPORTS}logp = F.log_softmax(z, -1)\nl = F.kl_div(logp.exp(), q, reduction="batchmean")\n`;
    assert.equal(fixOf('KL001', known).text.split('\n')[4], 'l = F.kl_div(logp, q, reduction="batchmean")');
  });

  it('reads KLDivLoss stored on self in __init__ and called in forward', () => {
    const src = `${IMPORTS}class KD(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.crit = nn.KLDivLoss(reduction="batchmean")\n    def forward(self, s, t):\n        return self.crit(torch.softmax(s, 1), torch.softmax(t, 1))\n`;
    const found = only('KL001', src);
    assert.deepEqual(summary(src, found), ['KL001@9:torch.softmax(s, 1)']);
    assert.match(found[0]!.message, /self\.crit \(nn\.KLDivLoss\)/);
  });

  it('resolves from-imports and star imports, and ignores unrelated softmax functions', () => {
    const fromImport = 'from torch.nn.functional import kl_div, softmax\nl = kl_div(softmax(a, -1), b, reduction="batchmean")\n';
    assert.equal(only('KL001', fromImport).length, 1);
    const star = 'from torch.nn.functional import *\nl = kl_div(softmax(a, -1), b, reduction="batchmean")\n';
    assert.equal(only('KL001', star).length, 1);
    const unrelated = 'from mylib import kl_div, softmax\nl = kl_div(softmax(a, -1), b)\n';
    assert.equal(only('KL001', unrelated).length, 0);
  });

  it('says nothing for log-probabilities, log of a mixture, or names that merely sound like probabilities', () => {
    for (const body of [
      'F.kl_div(F.log_softmax(s, -1), F.softmax(t, -1), reduction="batchmean")',
      'F.kl_div(torch.clamp((p1 + p2) / 2, 1e-7, 1).log(), p1, reduction="batchmean")',
      'F.kl_div(probs, target, reduction="batchmean")',
      'F.kl_div(softmax_out, target, reduction="batchmean")',
    ]) {
      assert.deepEqual(summary(IMPORTS + body, only('KL001', `${IMPORTS}${body}\n`)), [], body);
    }
  });

  it('uses the assignment that reaches the call, not a later one or one in another branch', () => {
    const src = `${IMPORTS}def f(s, t, cond):\n    p = F.log_softmax(s, -1)\n    l = F.kl_div(p, t, reduction="batchmean")\n    p = F.softmax(s, -1)\n    return l, p\n`;
    assert.equal(only('KL001', src).length, 0);
    const branches = `${IMPORTS}def f(s, t, cond):\n    if cond:\n        p = F.softmax(s, -1)\n    else:\n        p = F.log_softmax(s, -1)\n    return F.kl_div(p, t, reduction="batchmean")\n`;
    assert.equal(only('KL001', branches).length, 0, 'the two branches disagree: no evidence');
    const both = `${IMPORTS}def f(s, t, cond):\n    if cond:\n        p = F.softmax(s / 2, -1)\n    else:\n        p = F.softmax(s, -1)\n    return F.kl_div(p, t, reduction="batchmean")\n`;
    assert.equal(only('KL001', both).length, 1, 'every branch makes probabilities');
  });
});
