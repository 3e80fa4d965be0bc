/** KL005 distill-missing-t2: the soft-target term combined with a hard-label loss without T². */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

const KL = 'F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean")';

describe('KL005 distill-missing-t2', () => {
  it('reports a KL at temperature T added to a cross-entropy, and multiplies it by T ** 2 (safe)', () => {
    const src = `${IMPORTS}def loss_fn(s, t, y, T=4.0, alpha=0.9):\n    soft = ${KL}\n    hard = F.cross_entropy(s, y)\n    return alpha * soft + (1 - alpha) * hard\n`;
    assert.deepEqual(summary(src, only('KL005', src)).map((x) => x.split(':')[0]), ['KL005@5']);
    const fix = fixOf('KL005', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[4], `    soft = ${KL} * T ** 2`);
  });

  it('multiplies the whole chained term, and reads CrossEntropyLoss modules and += accumulation', () => {
    const src = `${IMPORTS}class D(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.ce = nn.CrossEntropyLoss()\n    def forward(self, s, t, y):\n        loss = self.ce(s, y)\n        loss += 0.5 * F.kl_div(F.log_softmax(s / self.T, -1), F.softmax(t / self.T, -1), reduction="none").sum(-1).mean()\n        return loss\n`;
    const fix = fixOf('KL005', src);
    assert.equal(fix.text.split('\n')[9], '        loss += 0.5 * F.kl_div(F.log_softmax(s / self.T, -1), F.softmax(t / self.T, -1), reduction="none").sum(-1).mean() * self.T ** 2');
  });

  it('says nothing when T² is there in any spelling, when there is no hard-label loss, or at T = 1', () => {
    const scaled = [
      `soft = ${KL} * T * T`,
      `soft = ${KL} * (T ** 2)`,
      `soft = T ** 2 * ${KL}`,
      `soft = ${KL}.mul(T * T)`,
      `t2 = T * T\n    soft = ${KL} * t2`,
      `soft = ${KL}\n    soft = soft * T**2`,
    ];
    for (const line of scaled) {
      const src = `${IMPORTS}def loss_fn(s, t, y, T=4.0):\n    ${line}\n    return soft + F.cross_entropy(s, y)\n`;
      assert.equal(only('KL005', src).length, 0, line);
    }
    const noHard = `${IMPORTS}def loss_fn(s, t, T=4.0):\n    return ${KL}\n`;
    assert.equal(only('KL005', noHard).length, 0);
    const plain = `${IMPORTS}def loss_fn(s, t, y):\n    return F.kl_div(F.log_softmax(s, 1), F.softmax(t, 1), reduction="batchmean") + F.cross_entropy(s, y)\n`;
    assert.equal(only('KL005', plain).length, 0);
  });

  it('reads x *= T ** 2 on the way to the sum, and needs the student softened by T', () => {
    const aug = `${IMPORTS}def f(s, t, y, T):\n    d = ${KL}\n    d *= T ** 2\n    return F.cross_entropy(s, y) * 0.5 + d * 0.5\n`;
    assert.equal(only('KL005', aug).length, 0);
    const coldStudent = `${IMPORTS}def f(s, t, y, T):\n    d = F.kl_div(F.log_softmax(s, 1), F.softmax(t / T, 1), reduction="batchmean")\n    return F.cross_entropy(s, y) + d\n`;
    assert.equal(only('KL005', coldStudent).length, 0, 'KL006 speaks of this one');
  });

  it('counts a literal temperature in literals: T = 4 needs 16', () => {
    const base = 'F.kl_div(F.log_softmax(s / 4, -1), F.softmax(t / 4, -1), reduction="batchmean")';
    assert.equal(only('KL005', `${IMPORTS}l = ${base} * 16 + F.cross_entropy(s, y)\n`).length, 0);
    const found = only('KL005', `${IMPORTS}l = ${base} + F.cross_entropy(s, y)\n`);
    assert.match(found[0]!.message, /×16/);
  });
});
