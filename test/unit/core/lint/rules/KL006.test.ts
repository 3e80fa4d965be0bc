/** KL006 distill-temperature-one-side: T on one distribution only. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL006 distill-temperature-one-side', () => {
  it('reports the side without the temperature and divides it (safe)', () => {
    const src = `${IMPORTS}def kd(student, teacher, T):\n    return F.kl_div(F.log_softmax(student / T, dim=-1), F.softmax(teacher, dim=-1), reduction="batchmean") * T * T\n`;
    assert.deepEqual(summary(src, only('KL006', src)), ['KL006@5:F.softmax(teacher, dim=-1)']);
    const fix = fixOf('KL006', src);
    assert.equal(fix.safety, 'safe');
    assert.equal(fix.text.split('\n')[4], '    return F.kl_div(F.log_softmax(student / T, dim=-1), F.softmax(teacher / T, dim=-1), reduction="batchmean") * T * T');
    const free = `${IMPORTS}l = F.kl_div(F.log_softmax(student / T, dim=-1), F.softmax(teacher, dim=-1), reduction="batchmean")\n`;
    assert.equal(only('KL006', free).length, 0, 'a name assigned nowhere in view may already be softened');
  });

  it('reports a tempered target with a cold student input, parenthesising compound logits', () => {
    const src = `${IMPORTS}def kd(model, x, t_logits, T):\n    return F.kl_div(F.log_softmax(model(x) + self.bias, -1), F.softmax(t_logits / T, -1), reduction="batchmean")\n`;
    const fix = fixOf('KL006', src);
    assert.equal(fix.text.split('\n')[4], '    return F.kl_div(F.log_softmax((model(x) + self.bias) / T, -1), F.softmax(t_logits / T, -1), reduction="batchmean")');
  });

  it('finds a criterion made in the enclosing function and the cold target made under no_grad', () => {
    const src = `${IMPORTS}def main(cfg, model):\n    if cfg.uda:\n        crit = nn.KLDivLoss(reduction="none")\n    def get_loss(x, aug):\n        with torch.no_grad():\n            ori_logits = model(x)\n            ori_prob = F.softmax(ori_logits, dim=-1)\n        aug_log_prob = F.log_softmax(model(aug) / cfg.temp, dim=-1)\n        return crit(aug_log_prob, ori_prob).sum(-1).mean()\n    return get_loss\n`;
    assert.deepEqual(summary(src, only('KL006', src)), ['KL006@12:ori_prob']);
  });

  it('says nothing when both sides are softened, when a name may already be, or for sharpened pseudo-labels', () => {
    const cases = [
      'l = F.kl_div(F.log_softmax(s / T, -1), F.softmax(t / T, -1), reduction="batchmean")',
      'def f(s, t, T):\n    t = t / T\n    return F.kl_div(F.log_softmax(s / T, -1), F.softmax(t, -1), reduction="batchmean")',
      'def f(s, t, T):\n    t /= T\n    return F.kl_div(F.log_softmax(s / T, -1), F.softmax(t, -1), reduction="batchmean")',
      // UDA: the detached original prediction is sharpened; the augmented one is not.
      'l = F.kl_div(F.log_softmax(logits_aug, -1), F.softmax(logits_orig.detach() / 0.4, -1), reduction="batchmean")',
      'with torch.no_grad():\n    target = F.softmax(logits_orig / temp, -1)\nl = F.kl_div(F.log_softmax(logits_aug, -1), target, reduction="batchmean")',
      'def consistency(self, logits_weak, logits_strong):\n    with torch.no_grad():\n        probs = torch.softmax(logits_weak.detach() / self.args.sharpen_t, dim=-1)\n    return F.kl_div(F.log_softmax(logits_strong, dim=-1), probs, reduction="none").sum(-1).mean()',
      // A virtual teacher made of numbers, smoothed by its own temperature (Tf-KD).
      'def reg(outputs, labels, T, K, p):\n    soft = torch.ones_like(outputs).cuda()\n    soft = soft * (1 - p) / (K - 1)\n    return nn.KLDivLoss(reduction="batchmean")(F.log_softmax(outputs, dim=1), F.softmax(soft / T, dim=1))',
    ];
    for (const body of cases) assert.equal(only('KL006', `${IMPORTS}${body}\n`).length, 0, body);
  });
});
