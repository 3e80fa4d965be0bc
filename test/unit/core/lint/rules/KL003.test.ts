/** KL003 kl-div-mean-reduction: 'mean' given, by default, by the legacy arguments, or by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

const LOG = 'F.log_softmax(s, dim=-1)';
const P = 'F.softmax(t, dim=-1)';

describe('KL003 kl-div-mean-reduction', () => {
  it('reports the default reduction of F.kl_div at the callee and adds reduction="batchmean"', () => {
    const src = `${IMPORTS}l = F.kl_div(${LOG}, ${P})\n`;
    assert.deepEqual(summary(src, only('KL003', src)), ['KL003@4:F.kl_div']);
    const fix = fixOf('KL003', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[3], `l = F.kl_div(${LOG}, ${P}, reduction="batchmean")`);
  });

  it("reports reduction='mean' at the keyword and keeps the quote style", () => {
    const src = `${IMPORTS}l = F.kl_div(${LOG}, ${P}, reduction='mean')\n`;
    assert.deepEqual(summary(src, only('KL003', src)), ["KL003@4:reduction='mean'"]);
    assert.equal(fixOf('KL003', src).text.split('\n')[3], `l = F.kl_div(${LOG}, ${P}, reduction='batchmean')`);
  });

  it('reports KLDivLoss() once, at the constructor, also with a trailing comma or over lines', () => {
    const src = `${IMPORTS}crit = nn.KLDivLoss()\na = crit(x, y)\nb = crit(u, v)\n`;
    assert.deepEqual(summary(src, only('KL003', src)), ['KL003@4:nn.KLDivLoss()']);
    assert.equal(fixOf('KL003', src).text.split('\n')[3], 'crit = nn.KLDivLoss(reduction="batchmean")');
    const multi = `${IMPORTS}l = F.kl_div(\n    a,\n    b,\n)\n`;
    assert.equal(fixOf('KL003', multi).text, `${IMPORTS}l = F.kl_div(\n    a,\n    b, reduction="batchmean",\n)\n`);
  });

  it('reads the deprecated size_average / reduce as PyTorch does', () => {
    const reduceString = `${IMPORTS}crit = nn.KLDivLoss(reduce="batchmean")\n`;
    const found = only('KL003', reduceString);
    assert.deepEqual(summary(reduceString, found), ['KL003@4:reduce="batchmean"']);
    assert.match(found[0]!.message, /overrides reduction and makes it 'mean'/);
    assert.equal(fixOf('KL003', reduceString).text.split('\n')[3], 'crit = nn.KLDivLoss(reduction="batchmean")');

    // nn.KLDivLoss takes the legacy reduction instead of its own: a plain sum here.
    const sumOverride = `${IMPORTS}crit = nn.KLDivLoss(size_average=False, reduction="batchmean")\n`;
    const o = only('KL003', sumOverride);
    assert.deepEqual(summary(sumOverride, o), ['KL003@4:size_average=False']);
    assert.match(o[0]!.message, /reduction='sum'/);
    assert.equal(fixOf('KL003', sumOverride).text.split('\n')[3], 'crit = nn.KLDivLoss(reduction="batchmean")');
    // F.kl_div still divides by the batch after the legacy reduction when reduction="batchmean".
    const twice = `${IMPORTS}l = F.kl_div(${LOG}, ${P}, size_average=True, reduction="batchmean")\n`;
    assert.match(only('KL003', twice)[0]!.message, /divides by the batch again/);

    for (const ok of [
      `F.kl_div(${LOG}, ${P}, size_average=False)`,
      `F.kl_div(${LOG}, ${P}, reduce=False)`,
      `F.kl_div(${LOG}, ${P}, size_average=None, reduction="sum")`,
      `F.kl_div(${LOG}, ${P}, size_average=False, reduction="batchmean")`,
      `F.kl_div(${LOG}, ${P}, size_average=False, reduction=self.reduction)`,
    ]) {
      assert.equal(only('KL003', `${IMPORTS}l = ${ok}\n`).length, 0, ok);
    }
  });

  it("reports reduction='none' followed by .mean() or a mean over the softmax axis", () => {
    const all = `${IMPORTS}l = F.kl_div(${LOG}, ${P}, reduction="none").mean()\n`;
    assert.equal(only('KL003', all).length, 1);
    assert.equal(fixOf('KL003', all).text.split('\n')[3], `l = F.kl_div(${LOG}, ${P}, reduction="none").sum(-1).mean()`);
    const axis = `${IMPORTS}l = F.kl_div(F.log_softmax(p / T, dim=1), q, reduction="none").mean(1) * T * T\n`;
    assert.equal(only('KL003', axis).length, 1);
    for (const ok of [
      `F.kl_div(${LOG}, ${P}, reduction="none").sum(-1).mean()`,
      `F.kl_div(${LOG}, ${P}, reduction="none").mean(0)`,
      `F.kl_div(${LOG}, ${P}, reduction="none").sum() / s.size(0)`,
    ]) {
      assert.equal(only('KL003', `${IMPORTS}l = ${ok}\n`).length, 0, ok);
    }
  });

  it('says nothing for batchmean, sum, none, or a reduction that is a variable', () => {
    for (const r of ['"batchmean"', '"sum"', '"none"', 'self.reduction', 'reduction']) {
      assert.equal(only('KL003', `${IMPORTS}l = F.kl_div(${LOG}, ${P}, reduction=${r})\n`).length, 0, r);
    }
    assert.equal(only('KL003', `${IMPORTS}l = F.kl_div(${LOG}, ${P}, **kwargs)\n`).length, 0);
  });
});
