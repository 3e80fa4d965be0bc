/** KL002 kl-div-log-target: log-probability targets and log_target=True. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL002 kl-div-log-target', () => {
  it('reports a log_softmax target without log_target=True, and adds it (safe)', () => {
    const src = `${IMPORTS}l = F.kl_div(F.log_softmax(s, -1), F.log_softmax(t, -1), reduction="batchmean")\n`;
    assert.deepEqual(summary(src, only('KL002', src)), ['KL002@4:F.log_softmax(t, -1)']);
    const fix = fixOf('KL002', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[3], 'l = F.kl_div(F.log_softmax(s, -1), F.log_softmax(t, -1), reduction="batchmean", log_target=True)');
  });

  it('turns an explicit log_target=False into True', () => {
    const src = `${IMPORTS}l = F.kl_div(a.log_softmax(-1), torch.log(q), reduction="sum", log_target=False)\n`;
    assert.equal(fixOf('KL002', src).text.split('\n')[3], 'l = F.kl_div(a.log_softmax(-1), torch.log(q), reduction="sum", log_target=True)');
  });

  it('reports log_target=True with a probability target at the keyword, and removes it', () => {
    const src = `${IMPORTS}l = F.kl_div(F.log_softmax(s, -1), F.softmax(t, -1), reduction="batchmean", log_target=True)\n`;
    assert.deepEqual(summary(src, only('KL002', src)), ['KL002@4:log_target=True']);
    assert.equal(fixOf('KL002', src).text.split('\n')[3], 'l = F.kl_div(F.log_softmax(s, -1), F.softmax(t, -1), reduction="batchmean")');
  });

  it('reads log_target from a KLDivLoss constructor, and fixes the constructor when it has one use', () => {
    const right = `${IMPORTS}crit = nn.KLDivLoss(reduction="batchmean", log_target=True)\nl = crit(F.log_softmax(s, -1), F.log_softmax(t, -1))\n`;
    assert.equal(only('KL002', right).length, 0);
    const wrong = `${IMPORTS}crit = nn.KLDivLoss(reduction="batchmean")\nl = crit(F.log_softmax(s, -1), F.log_softmax(t, -1))\n`;
    assert.equal(fixOf('KL002', wrong).text.split('\n')[3], 'crit = nn.KLDivLoss(reduction="batchmean", log_target=True)');
    const shared = `${IMPORTS}crit = nn.KLDivLoss(reduction="batchmean")\nl = crit(F.log_softmax(s, -1), F.log_softmax(t, -1))\nm = crit(F.log_softmax(s, -1), F.softmax(t, -1))\n`;
    const found = only('KL002', shared);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.fix, undefined, 'a shared constructor serves the other call too');
  });

  it('says nothing for probability targets, unknown targets or a log_target set at run time', () => {
    for (const body of [
      'F.kl_div(F.log_softmax(s, -1), F.softmax(t, -1), reduction="batchmean")',
      'F.kl_div(F.log_softmax(s, -1), target, reduction="batchmean")',
      'F.kl_div(F.log_softmax(s, -1), F.log_softmax(t, -1), reduction="batchmean", log_target=self.log_target)',
      'F.kl_div(F.log_softmax(s, -1), F.log_softmax(t, -1), reduction="batchmean", log_target=True)',
    ]) {
      assert.equal(only('KL002', `${IMPORTS}${body}\n`).length, 0, body);
    }
  });
});
