/** What a kl_div / KLDivLoss call computes, in the user's names (the hover). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainAt } from '../../../../src/core/lint/explain';
import { Model } from '../../../../src/core/lint/model';
import { Imports } from '../../../../src/core/lint/names';
import { IMPORTS, parse, withParser } from './helpers';

withParser();

function explain(src: string, at: string) {
  const m = new Model(parse(src).rootNode, src, new Imports());
  return explainAt(m, src.indexOf(at) + 1);
}

describe('explanations of KL calls', () => {
  it('writes out batchmean with the arguments’ names and the direction', () => {
    const e = explain(`${IMPORTS}l = F.kl_div(a, b, reduction="batchmean")\n`, 'F.kl_div')!;
    assert.equal(e.formula, 'Σ b·(log b − a) / batch');
    assert.equal(e.divergence, 'KL(b ‖ exp(a))');
  });

  it('names the distributions behind log_softmax and softmax, and lists where names came from', () => {
    const src = `${IMPORTS}def kd(s, t, T):\n    log_p = F.log_softmax(s / T, -1)\n    return F.kl_div(log_p, F.softmax(t / T, -1), reduction="sum")\n`;
    const e = explain(src, 'F.kl_div')!;
    assert.equal(e.divergence, 'KL(softmax(t / T) ‖ softmax(s / T))');
    assert.match(e.reduction, /summed over the batch/);
    assert.ok(e.notes.some((n) => n.startsWith('log_p = F.log_softmax(s / T, -1)')));
  });

  it('says when the call is not a KL: probabilities as input, log-probs without log_target, mean', () => {
    const probs = explain(`${IMPORTS}l = F.kl_div(F.softmax(s, -1), q)\n`, 'F.kl_div')!;
    assert.equal(probs.divergence, undefined);
    assert.ok(probs.notes.some((n) => /holds probabilities, not log-probabilities/.test(n)));
    assert.match(probs.formula, /numel/);
    const lt = explain(`${IMPORTS}l = F.kl_div(F.log_softmax(s, -1), F.log_softmax(t, -1), reduction="batchmean", log_target=True)\n`, 'F.kl_div')!;
    assert.equal(lt.divergence, 'KL(softmax(t) ‖ softmax(s))');
  });

  it('explains a KLDivLoss module at its call and at its constructor, and nothing elsewhere', () => {
    const src = `${IMPORTS}crit = nn.KLDivLoss(reduction="none")\nl = crit(lp, q)\n`;
    assert.equal(explain(src, 'crit(lp')!.formula, 'q·(log q − lp)');
    assert.equal(explain(src, 'KLDivLoss')!.call, 'crit(lp, q)');
    assert.equal(explain(src, 'reduction'), undefined);
  });
});
