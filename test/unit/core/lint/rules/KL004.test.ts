/** KL004 kl-div-argument-order: teacher and student evidently swapped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL004 kl-div-argument-order', () => {
  it('reports the teacher in the input slot and the student in the target slot; swaps the logits (unsafe)', () => {
    const src = `${IMPORTS}l = F.kl_div(F.log_softmax(teacher_logits / T, -1), F.softmax(student_logits / T, -1), reduction="batchmean")\n`;
    assert.equal(only('KL004', src).length, 1);
    const fix = fixOf('KL004', src);
    assert.equal(fix.safety, 'unsafe');
    assert.equal(fix.text.split('\n')[3], 'l = F.kl_div(F.log_softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1), reduction="batchmean")');
  });

  it('follows names to the logits they were made from', () => {
    const src = `${IMPORTS}def kd(out_s, out_t):\n    log_t = F.log_softmax(out_t["teacher"], -1)\n    p_s = F.softmax(out_s["student"], -1)\n    return F.kl_div(log_t, p_s, reduction="batchmean")\n`;
    const found = only('KL004', src);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.fix, undefined, 'names, not softmaxes, in the call: no mechanical swap');
  });

  it('reports a detached input with gradients through the target', () => {
    const src = `${IMPORTS}l = F.kl_div(F.log_softmax(logits_clean.detach(), -1), F.softmax(logits_aug, -1), reduction="batchmean")\n`;
    assert.deepEqual(summary(src, only('KL004', src)).length, 1);
  });

  it('reports a Jensen–Shannon divergence written with the mixture as the target', () => {
    const src = `${IMPORTS}def js(a, b, kl_loss):\n    P = F.softmax(a, dim=1)\n    Q = F.softmax(b, dim=1)\n    M = 0.5 * (P + Q)\n    M = torch.clamp(M, 0.01, 0.99)\n    crit = nn.KLDivLoss(reduction="batchmean").cuda()\n    return 0.5 * crit(torch.log(P + eps), M) + 0.5 * crit(torch.log(Q + eps), M)\n`;
    const found = only('KL004', src);
    assert.equal(found.length, 2);
    assert.match(found[0]!.message, /is KL\(M ‖ P\); the Jensen–Shannon divergence is ½KL\(P ‖ M\) \+ ½KL\(Q ‖ M\)/);
    const right = `${IMPORTS}def js(P, Q):\n    M = 0.5 * (P + Q)\n    return 0.5 * F.kl_div(M.log(), P, reduction="batchmean") + 0.5 * F.kl_div(M.log(), Q, reduction="batchmean")\n`;
    assert.equal(only('KL004', right).length, 0);
  });

  it('says nothing where the docstring or class says the reverse KL is meant', () => {
    const src = `${IMPORTS}class MiniLLMTrainer:\n    def loss(self, student_log_probs, teacher_log_probs):\n        return F.kl_div(teacher_log_probs, student_log_probs, reduction="none", log_target=True)\n`;
    assert.equal(only('KL004', src).length, 0);
    const doc = `${IMPORTS}def loss(student_log_probs, teacher_log_probs):\n    """Reverse KL (mode-seeking) distillation."""\n    return F.kl_div(teacher_log_probs, student_log_probs, reduction="none", log_target=True)\n`;
    assert.equal(only('KL004', doc).length, 0);
    assert.equal(only('KL004', doc.replace('Reverse KL (mode-seeking) distillation.', 'Distillation.')).length, 1);
  });

  it('says nothing for the right order, RLHF and VAE conventions, reverse KL on purpose, or both directions', () => {
    const cases = [
      'l = F.kl_div(F.log_softmax(student / T, -1), F.softmax(teacher / T, -1).detach(), reduction="batchmean")',
      'l = F.kl_div(ref_logprobs, logprobs, log_target=True, reduction="none").sum(-1)',
      'l = F.kl_div(log_prior, q_z, reduction="batchmean")',
      'def reverse_kl(teacher_logits, student_logits):\n    return F.kl_div(F.log_softmax(teacher_logits, -1), F.softmax(student_logits, -1), reduction="batchmean")',
      'def sym(a, b):\n    return F.kl_div(F.log_softmax(teacher, -1), F.softmax(student, -1), reduction="batchmean") + F.kl_div(F.log_softmax(student, -1), F.softmax(teacher, -1), reduction="batchmean")',
      // Names say the stored network is the student (fixed) and the teacher is trained: the detach is by design.
      'out_stu = out_stu.detach()\nl = F.kl_div(F.log_softmax(out_stu / T, -1), F.softmax(out_tch / T, -1), reduction="batchmean")',
    ];
    for (const body of cases) assert.equal(only('KL004', `${IMPORTS}${body}\n`).length, 0, body);
  });
});
