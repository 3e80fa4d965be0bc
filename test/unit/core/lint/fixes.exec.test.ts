/**
 * Every quick fix of KL Lint, proven by execution: a snippet with the mistake is linted with the
 * real checker, the offered fix is applied, and the original and the fixed snippet run under real
 * PyTorch on the same float64 tensors. The fixed code must compute what the KL Lens core computes
 * for those tensors (within RTOL = 1e-9), and the original must not — each case says by how much
 * or why. KL008 has no fix: its cases prove what the finding reports instead.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { DiscreteResult } from '../../../../src/core/index';
import {
  assertClose,
  assertDiffers,
  core,
  coreValue,
  dedent,
  findingsOf,
  fixSafetyDoc,
  fmt,
  logits,
  prove,
  runTorch,
  tensor,
  torchVersion,
  type Input,
  type Inputs,
  uniform,
} from './exec';

const B = 8; // rows (batch)
const C = 10; // classes
/** Gradients come out of autograd in another order of operations than the core's formula. */
const RTOL_GRAD = 1e-8;

/** Student and teacher logits of a batch, the inputs of most distillation snippets. */
const distillInputs = (seed: number): Inputs => ({ student_logits: logits(seed, [B, C]), teacher_logits: logits(seed + 1, [B, C]) });
const DISTILL_CALL = 'distill_loss(student_logits, teacher_logits)';

/** KL(p_t ‖ p_s) averaged over the batch: what `F.kl_div(log p_s, p_t, reduction="batchmean")` means. */
const KL_TS = 'KL(softmax(teacher_logits) || softmax(student_logits), reduction="batchmean")';

function show(t: TestContext, original: readonly number[], fixed: readonly number[], expected: readonly number[]): void {
  t.diagnostic(`original ${fmt(original)} · fixed ${fmt(fixed)} · core ${fmt(expected)}`);
}

describe('the PyTorch the fixes are run under', () => {
  it('is /usr/bin/python3 with torch 1.13 or later (a missing one fails, never skips)', () => {
    const [major, minor] = torchVersion().split('.').map(Number);
    assert.ok(major! > 1 || (major === 1 && minor! >= 13), `torch ${torchVersion()}`);
  });
});

describe('KL001 kl-div-input-not-log', () => {
  const docsDirect = 'Safe when the softmax is written in the call';
  const docsName = 'or its result is used only there (it becomes a `log_softmax`)';
  const docsElsewhere = "otherwise the argument is replaced by a `log_softmax` of the same logits (unsafe: the logits' name must still hold the same tensor at the call)";
  // kl_div(p_s, p_t) is Σ p_t·(log p_t − p_s) = −H(p_t) − Σ p_t·p_s per row: negative, no divergence.
  const NOT_A_DIVERGENCE = `-(sum(H(softmax(teacher_logits))) + sum(softmax(teacher_logits) * softmax(student_logits))) / ${B}`;

  const inputCase = (o: { name: string; seed: number; docs: string | undefined; writes: string; source: string; call?: string }): void => {
    it(`${o.name} (safe): KL(p_t ‖ p_s); the original is −H(p_t) − Σ p_t·p_s < 0`, async (t) => {
      const inputs = distillInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL001', safety: 'safe', docs: o.docs, writes: o.writes, source: dedent(o.source), call: o.call ?? DISTILL_CALL, inputs });
      const expected = core(KL_TS, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(NOT_A_DIVERGENCE, inputs), 'original');
      assert.ok(original.values[0]! < 0, 'the original loss is negative');
      show(t, original.values, after.values, expected);
    });
  };

  inputCase({
    name: 'F.softmax written in the call becomes F.log_softmax',
    seed: 101,
    docs: docsDirect,
    writes: 'F.kl_div(F.log_softmax(student_logits, dim=-1)',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduction="batchmean")
    `,
  });

  inputCase({
    name: 'a softmax through a name used only in the call is made log-probabilities where it is computed',
    seed: 102,
    docs: docsName,
    writes: 'p_student = F.log_softmax(student_logits, dim=-1)',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          p_student = F.softmax(student_logits, dim=-1)
          p_teacher = F.softmax(teacher_logits, dim=-1)
          return F.kl_div(p_student, p_teacher, reduction="batchmean")
    `,
  });

  inputCase({
    name: 'the exp of log-probabilities in the call: the log-probabilities themselves are passed',
    seed: 103,
    // The Fix safety section does not mention this fix.
    docs: undefined,
    writes: 'F.kl_div(log_p_student, p_teacher',
    source: `
      import torch
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          log_p_student = F.log_softmax(student_logits, dim=-1)
          p_teacher = F.softmax(teacher_logits, dim=-1)
          return F.kl_div(torch.exp(log_p_student), p_teacher, reduction="batchmean")
    `,
  });

  inputCase({
    name: 'nn.Softmax(dim)(x) in a KLDivLoss call becomes nn.LogSoftmax(dim)(x)',
    seed: 104,
    docs: docsDirect,
    writes: 'criterion(nn.LogSoftmax(dim=-1)(student_logits)',
    source: `
      import torch
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss(reduction="batchmean")
          return criterion(nn.Softmax(dim=-1)(student_logits), nn.Softmax(dim=-1)(teacher_logits))
    `,
  });

  inputCase({
    name: "x.softmax(dim) passed to a module's self.kl becomes x.log_softmax(dim)",
    seed: 105,
    docs: docsDirect,
    writes: 'self.kl(student_logits.log_softmax(dim=-1)',
    source: `
      import torch
      from torch import nn

      class DistillLoss(nn.Module):
          def __init__(self):
              super().__init__()
              self.kl = nn.KLDivLoss(reduction="batchmean")

          def forward(self, student_logits, teacher_logits):
              return self.kl(student_logits.softmax(dim=-1), teacher_logits.softmax(dim=-1))
    `,
    call: 'DistillLoss()(student_logits, teacher_logits)',
  });

  it('a softmax through a name used elsewhere too: the argument becomes a log_softmax of the logits (unsafe); the other use is untouched', async (t) => {
    const inputs = distillInputs(106);
    const { original, after } = await prove({
      rule: 'KL001',
      safety: 'unsafe',
      docs: docsElsewhere,
      writes: 'F.kl_div(F.log_softmax(student_logits, dim=-1), p_teacher',
      source: dedent(`
        import torch.nn.functional as F

        def distill_loss(student_logits, teacher_logits):
            p_student = F.softmax(student_logits, dim=-1)
            p_teacher = F.softmax(teacher_logits, dim=-1)
            loss = F.kl_div(p_student, p_teacher, reduction="batchmean")
            confidence = p_student.max(dim=-1).values.mean()
            return loss, confidence
      `),
      call: `torch.stack(${DISTILL_CALL})`,
      inputs,
    });
    const expected = core(KL_TS, inputs);
    assertClose([after.values[0]!], expected, 'fixed loss');
    assertClose([original.values[0]!], core(NOT_A_DIVERGENCE, inputs), 'original loss');
    assert.equal(after.values[1], original.values[1], 'the confidence computed from p_student is the same number');
    show(t, [original.values[0]!], [after.values[0]!], expected);
  });
});

describe('KL002 kl-div-log-target', () => {
  const docsCall = 'Safe: `log_target=True` is added (or the wrong one removed) on the call';
  const docsConstructor = 'or on the `KLDivLoss(...)` constructor when this call is its only use';
  // log_target=True reads a probability target p as log-probabilities: Σ exp(p)·(p − log q).
  const EXP_OF_PROBS = `sum(exp(softmax(teacher_logits)) * (softmax(teacher_logits) - log_softmax(student_logits))) / ${B}`;

  const addCase = (o: { name: string; seed: number; docs: string; writes: string; source: string; call?: string }): void => {
    it(`${o.name} (safe): KL(p_t ‖ p_s); the original is NaN (the log of a negative target)`, async (t) => {
      const inputs = distillInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL002', safety: 'safe', docs: o.docs, writes: o.writes, source: dedent(o.source), call: o.call ?? DISTILL_CALL, inputs });
      const expected = core(KL_TS, inputs);
      assertClose(after.values, expected, 'fixed');
      assert.ok(Number.isNaN(original.values[0]), `the original is ${original.values[0]}`);
      show(t, original.values, after.values, expected);
    });
  };

  addCase({
    name: 'log_target=True is added to F.kl_div with a log_softmax target',
    seed: 201,
    docs: docsCall,
    writes: 'reduction="batchmean", log_target=True)',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.log_softmax(student_logits, dim=-1), F.log_softmax(teacher_logits, dim=-1), reduction="batchmean")
    `,
  });

  addCase({
    name: 'log_target=False written out becomes log_target=True',
    seed: 202,
    docs: docsCall,
    writes: 'log_target=True',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          log_p_teacher = teacher_logits.log_softmax(-1)
          return F.kl_div(student_logits.log_softmax(-1), log_p_teacher, reduction="batchmean", log_target=False)
    `,
  });

  addCase({
    name: 'log_target=True is added to the KLDivLoss constructor of the only call',
    seed: 203,
    docs: docsConstructor,
    writes: 'nn.KLDivLoss(reduction="batchmean", log_target=True)',
    source: `
      import torch.nn.functional as F
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss(reduction="batchmean")
          return criterion(F.log_softmax(student_logits, dim=-1), F.log_softmax(teacher_logits, dim=-1))
    `,
  });

  addCase({
    name: "log_target=True is added to a module's self.criterion = nn.KLDivLoss(...) in __init__",
    seed: 204,
    docs: docsConstructor,
    writes: 'self.criterion = nn.KLDivLoss(reduction="batchmean", log_target=True)',
    source: `
      import torch.nn.functional as F
      from torch import nn

      class Distiller(nn.Module):
          def __init__(self):
              super().__init__()
              self.criterion = nn.KLDivLoss(reduction="batchmean")

          def forward(self, student_logits, teacher_logits):
              return self.criterion(F.log_softmax(student_logits, dim=-1), F.log_softmax(teacher_logits, dim=-1))
    `,
    call: 'Distiller()(student_logits, teacher_logits)',
  });

  const removeCase = (o: { name: string; seed: number; docs: string; writes: string; source: string }): void => {
    it(`${o.name} (safe): KL(p_t ‖ p_s); the original is Σ exp(p_t)·(p_t − log p_s), exp of probabilities`, async (t) => {
      const inputs = distillInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL002', safety: 'safe', docs: o.docs, writes: o.writes, source: dedent(o.source), call: DISTILL_CALL, inputs });
      const expected = core(KL_TS, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(EXP_OF_PROBS, inputs), 'original');
      assertDiffers(original.values, expected, 'original');
      show(t, original.values, after.values, expected);
    });
  };

  removeCase({
    name: 'log_target=True is removed from F.kl_div with a softmax target',
    seed: 205,
    docs: docsCall,
    writes: 'reduction="batchmean")',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          log_p_student = F.log_softmax(student_logits, dim=-1)
          p_teacher = F.softmax(teacher_logits, dim=-1)
          return F.kl_div(log_p_student, p_teacher, reduction="batchmean", log_target=True)
    `,
  });

  removeCase({
    name: 'log_target=True is removed from the KLDivLoss constructor of the only call',
    seed: 206,
    docs: docsConstructor,
    writes: 'nn.KLDivLoss(reduction="batchmean")',
    source: `
      import torch.nn.functional as F
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss(reduction="batchmean", log_target=True)
          return criterion(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
    `,
  });
});

describe('KL003 kl-div-mean-reduction', () => {
  const docs = 'Safe where `reduction="batchmean"` replaces \'mean\' or the deprecated arguments: it is the documented KL of each row, averaged over the batch.';
  const docsHandRolled = 'Unsafe for a hand-rolled `.mean()` after `reduction="none"`';

  /** `'mean'` divides by B·C where the KL divides by B: the original is C = 10 times too small. */
  const perElementCase = (o: { name: string; seed: number; writes: string; source: string }): void => {
    it(`${o.name} (safe): KL(p_t ‖ p_s); the original is it divided by the ${C} classes`, async (t) => {
      const inputs = distillInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL003', safety: 'safe', docs, writes: o.writes, source: dedent(o.source), call: DISTILL_CALL, inputs });
      const expected = core(KL_TS, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(`${KL_TS} / ${C}`, inputs), 'original');
      show(t, original.values, after.values, expected);
    });
  };

  perElementCase({
    name: "reduction='mean' written out becomes 'batchmean', in the same quotes",
    seed: 301,
    writes: "reduction='batchmean'",
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduction='mean')
    `,
  });

  perElementCase({
    name: 'the default reduction of F.kl_div gets reduction="batchmean"',
    seed: 302,
    writes: 'F.softmax(teacher_logits, dim=-1), reduction="batchmean")',
    source: `
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
    `,
  });

  perElementCase({
    name: 'the default reduction of nn.KLDivLoss() gets reduction="batchmean"',
    seed: 303,
    writes: 'nn.KLDivLoss(reduction="batchmean")',
    source: `
      import torch.nn.functional as F
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss()
          return criterion(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
    `,
  });

  perElementCase({
    name: 'the deprecated size_average=True, reduce=True of nn.KLDivLoss become reduction="batchmean"',
    seed: 304,
    writes: 'nn.KLDivLoss(reduction="batchmean")',
    source: `
      import torch.nn.functional as F
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss(size_average=True, reduce=True)
          return criterion(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
    `,
  });

  perElementCase({
    name: 'nn.KLDivLoss(size_average=True), the only argument, becomes nn.KLDivLoss(reduction="batchmean")',
    seed: 305,
    writes: 'nn.KLDivLoss(reduction="batchmean")',
    source: `
      import torch.nn.functional as F
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          criterion = nn.KLDivLoss(size_average=True)
          return criterion(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
    `,
  });

  it('the deprecated reduce=True of F.kl_div gives way to its reduction="batchmean" (safe): the original is KL/(C·B), not only ÷ C', async (t) => {
    // F.kl_div applies the legacy 'mean' and then, reduction being "batchmean", divides by B once more.
    const inputs = distillInputs(306);
    const { original, after } = await prove({
      rule: 'KL003',
      safety: 'safe',
      docs,
      writes: 'F.softmax(teacher_logits, dim=-1), reduction="batchmean")',
      source: dedent(`
        import torch.nn.functional as F

        def distill_loss(student_logits, teacher_logits):
            return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduce=True, reduction="batchmean")
      `),
      call: DISTILL_CALL,
      inputs,
    });
    const expected = core(KL_TS, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${KL_TS} / ${C * B}`, inputs), 'original');
    show(t, original.values, after.values, expected);
  });

  it('size_average=False, which turns the KLDivLoss reduction="batchmean" into a sum, is removed (safe): the original is B = 8 times the KL', async (t) => {
    const inputs = distillInputs(307);
    const { original, after } = await prove({
      rule: 'KL003',
      safety: 'safe',
      docs,
      writes: 'nn.KLDivLoss(reduction="batchmean")',
      source: dedent(`
        import torch.nn.functional as F
        from torch import nn

        def distill_loss(student_logits, teacher_logits):
            criterion = nn.KLDivLoss(size_average=False, reduction="batchmean")
            return criterion(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1))
      `),
      call: DISTILL_CALL,
      inputs,
    });
    const expected = core(KL_TS, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${B} * ${KL_TS}`, inputs), 'original');
    show(t, original.values, after.values, expected);
  });

  it('size_average=False on F.kl_div with reduction="batchmean" is not reported: F.kl_div still divides the legacy sum by the batch, so it is the KL', async (t) => {
    const inputs = distillInputs(308);
    const source = dedent(`
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), size_average=False, reduction="batchmean")
    `);
    assert.deepEqual(await findingsOf(source, 'KL003'), []);
    const [ran] = runTorch([source], DISTILL_CALL, inputs);
    const expected = core(KL_TS, inputs);
    assertClose(ran!.values, expected, 'original');
    show(t, ran!.values, ran!.values, expected);
  });

  it('reduction="none" then .mean() becomes .sum(-1).mean() (unsafe): the original is the KL divided by the classes', async (t) => {
    const inputs = distillInputs(309);
    const { original, after } = await prove({
      rule: 'KL003',
      safety: 'unsafe',
      docs: docsHandRolled,
      writes: 'reduction="none").sum(-1).mean()',
      source: dedent(`
        import torch.nn.functional as F

        def distill_loss(student_logits, teacher_logits):
            return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduction="none").mean()
      `),
      call: DISTILL_CALL,
      inputs,
    });
    const expected = core(KL_TS, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${KL_TS} / ${C}`, inputs), 'original');
    show(t, original.values, after.values, expected);
  });

  it('reduction="none" then .mean(1) over the softmax axis becomes .sum(1) (unsafe): each row\'s KL; the original is it ÷ classes', async (t) => {
    const inputs = distillInputs(310);
    const { original, after } = await prove({
      rule: 'KL003',
      safety: 'unsafe',
      docs: undefined,
      writes: 'reduction="none").sum(1)',
      source: dedent(`
        import torch.nn.functional as F

        def per_sample_kl(student_logits, teacher_logits):
            return F.kl_div(F.log_softmax(student_logits, dim=1), F.softmax(teacher_logits, dim=1), reduction="none").mean(1)
      `),
      call: 'per_sample_kl(student_logits, teacher_logits)',
      inputs,
    });
    const perRow = 'KL(softmax(teacher_logits) || softmax(student_logits))';
    const expected = core(perRow, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${perRow} / ${C}`, inputs), 'original');
    show(t, original.values, after.values, expected);
  });

});

describe('KL004 kl-div-argument-order', () => {
  const docs = 'Unsafe: the order is inferred from names and `.detach()`; a reverse KL may be meant. The fix swaps the two arguments, each with its `.detach()`, and renames the softmaxes so the input stays in log-space.';

  it('the teacher in the input slot: the logits are swapped (unsafe): distill(s, t, T=2); the original is the reverse T²·KL(p_s ‖ p_t)', async (t) => {
    const inputs = distillInputs(401);
    const { original, after } = await prove({
      rule: 'KL004',
      safety: 'unsafe',
      docs,
      writes: 'F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.softmax(teacher_logits / T, dim=-1)',
      source: dedent(`
        import torch.nn.functional as F

        def distillation_loss(student_logits, teacher_logits, T=2.0):
            return F.kl_div(F.log_softmax(teacher_logits / T, dim=-1), F.softmax(student_logits / T, dim=-1), reduction="batchmean") * T * T
      `),
      call: 'distillation_loss(student_logits, teacher_logits)',
      inputs,
    });
    const expected = core('distill(student_logits, teacher_logits, T=2)', inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core('4 * KL(softmax(student_logits, 2) || softmax(teacher_logits, 2), reduction="batchmean")', inputs), 'original');
    assertDiffers(original.values, expected, 'original');
    show(t, original.values, after.values, expected);
  });

  it("the teacher in the input slot of a module's self.kl at self.T, over dim=1 (unsafe): distill(s, t, T=3)", async (t) => {
    const inputs = { student_out: logits(402, [B, C]), teacher_out: logits(403, [B, C]) };
    const { original, after } = await prove({
      rule: 'KL004',
      safety: 'unsafe',
      docs,
      writes: 'self.kl(torch.log_softmax(student_out / self.T, dim=1), torch.softmax(teacher_out / self.T, dim=1))',
      source: dedent(`
        import torch
        from torch import nn

        class KDLoss(nn.Module):
            def __init__(self, T):
                super().__init__()
                self.T = T
                self.kl = nn.KLDivLoss(reduction="batchmean")

            def forward(self, student_out, teacher_out):
                return self.kl(torch.log_softmax(teacher_out / self.T, dim=1), torch.softmax(student_out / self.T, dim=1)) * self.T ** 2
      `),
      call: 'KDLoss(3.0)(student_out, teacher_out)',
      inputs,
    });
    const expected = core('distill(student_out, teacher_out, T=3)', inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core('9 * KL(softmax(student_out, 3) || softmax(teacher_out, 3), reduction="batchmean")', inputs), 'original');
    show(t, original.values, after.values, expected);
  });

  it(
    'a detached input while gradients flow through the target: the swap (unsafe) computes KL(p_a ‖ p_b) and trains logits_b, ∂/∂b = (p_b − p_a)/B',
    async (t) => {
      const c = {
        rule: 'KL004',
        safety: 'unsafe',
        docs,
        writes: 'F.kl_div(F.log_softmax(logits_b, dim=-1)',
        source: dedent(`
          import torch
          import torch.nn.functional as F

          def mutual_learning_loss(logits_a, logits_b):
              return F.kl_div(F.log_softmax(logits_a, dim=-1).detach(), F.softmax(logits_b, dim=-1), reduction="batchmean")
        `),
        inputs: { logits_a: logits(404, [B, C]), logits_b: logits(405, [B, C]) },
      } as const;
      const { original, after } = await prove({ ...c, call: 'mutual_learning_loss(logits_a, logits_b)' });
      const expected = core('KL(softmax(logits_a) || softmax(logits_b), reduction="batchmean")', c.inputs);
      show(t, original.values, after.values, expected);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core('KL(softmax(logits_b) || softmax(logits_a), reduction="batchmean")', c.inputs), 'original');
      // The gradient of batchmean KL(p_a ‖ softmax(b)) in the logits b, the side the original trained.
      const grads = await prove({ ...c, call: 'grad(lambda b: mutual_learning_loss(logits_a, b), logits_b)' });
      assertClose(grads.after.values, core(`(softmax(logits_b) - softmax(logits_a)) / ${B}`, c.inputs), '∂ fixed / ∂ logits_b', RTOL_GRAD, 1e-15);
    },
  );
});

describe('KL005 distill-missing-t2', () => {
  const docs = 'Safe: the KL term is multiplied by `T ** 2` where it is computed.';
  const labels = (seed: number): Input => tensor([B], uniform(seed, [B], 0, C).data.map(Math.floor), 'int64');
  const oneHot = (l: Input): Input => tensor([B, C], l.data.flatMap((k) => Array.from({ length: C }, (_, j) => (j === k ? 1 : 0))));
  /** The hard-label loss: the cross-entropy of the labels under softmax(student), averaged over the batch. */
  const CE = 'CE(onehot, softmax(student_logits), reduction="mean")';

  const t2Case = (o: { name: string; seed: number; writes: string; source: string; call: string; alpha: number; T: number }): void => {
    it(`${o.name} (safe): α·distill(s, t, T=${o.T}) + (1 − α)·CE; in the original the KL term counts T² = ${o.T ** 2} times less`, async (t) => {
      const l = labels(o.seed + 2);
      // The one-hot labels are for the core's CE; PyTorch reads the int64 labels.
      const inputs = { ...distillInputs(o.seed), labels: l, onehot: oneHot(l) };
      const { original, after } = await prove({ rule: 'KL005', safety: 'safe', docs, writes: o.writes, source: dedent(o.source), call: o.call, inputs });
      const soft = `${o.alpha} * distill(student_logits, teacher_logits, T=${o.T})`;
      const hard = `${1 - o.alpha} * ${CE}`;
      const expected = core(`${soft} + ${hard}`, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(`${soft} / ${o.T ** 2} + ${hard}`, inputs), 'original');
      show(t, original.values, after.values, expected);
    });
  };

  t2Case({
    name: 'the soft term assigned to a name gets * T ** 2',
    seed: 501,
    writes: 'reduction="batchmean") * T ** 2',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
          soft = F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.softmax(teacher_logits / T, dim=-1), reduction="batchmean")
          hard = F.cross_entropy(student_logits, labels)
          return alpha * soft + (1 - alpha) * hard
    `,
    call: 'distillation_loss(student_logits, teacher_logits, labels)',
    alpha: 0.9,
    T: 4,
  });

  t2Case({
    name: 'the soft term written inside the sum gets * T ** 2',
    seed: 502,
    writes: 'reduction="batchmean") * T ** 2',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
          return (1 - alpha) * F.cross_entropy(student_logits, labels) + alpha * F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.softmax(teacher_logits / T, dim=-1), reduction="batchmean")
    `,
    call: 'distillation_loss(student_logits, teacher_logits, labels)',
    alpha: 0.9,
    T: 4,
  });

  t2Case({
    name: 'a module at self.temperature with nn.CrossEntropyLoss gets * self.temperature ** 2',
    seed: 503,
    writes: 'dim=1)) * self.temperature ** 2',
    source: `
      import torch
      from torch import nn
      import torch.nn.functional as F

      class DistillationLoss(nn.Module):
          def __init__(self, temperature=4.0, alpha=0.5):
              super().__init__()
              self.temperature = temperature
              self.alpha = alpha
              self.kl = nn.KLDivLoss(reduction="batchmean")
              self.ce = nn.CrossEntropyLoss()

          def forward(self, student_logits, teacher_logits, labels):
              kd = self.kl(F.log_softmax(student_logits / self.temperature, dim=1), F.softmax(teacher_logits / self.temperature, dim=1))
              return self.alpha * kd + (1 - self.alpha) * self.ce(student_logits, labels)
    `,
    call: 'DistillationLoss(temperature=3.0, alpha=0.5)(student_logits, teacher_logits, labels)',
    alpha: 0.5,
    T: 3,
  });

  t2Case({
    name: 'a KL reduced by a method chain gets * T ** 2 after the whole chain',
    seed: 504,
    writes: '.sum(-1).mean() * T ** 2',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, labels, T=2.0, alpha=0.7):
          soft = F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.softmax(teacher_logits / T, dim=-1), reduction="none").sum(-1).mean()
          return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
    `,
    call: 'distillation_loss(student_logits, teacher_logits, labels)',
    alpha: 0.7,
    T: 2,
  });
});

describe('KL006 distill-temperature-one-side', () => {
  const docsSafe = 'Safe when the softmax is written in the call (or its result is used only there)';
  const docsElsewhere = 'unsafe when the softened name is used elsewhere too';
  const call = 'distillation_loss(student_logits, teacher_logits)';
  const DISTILL = 'distill(student_logits, teacher_logits, T=4)';
  /** T² · KL(softmax(t) ‖ softmax(s/T)): a softened student against a sharp teacher. */
  const SHARP_TEACHER = '16 * KL(softmax(teacher_logits) || softmax(student_logits, 4), reduction="batchmean")';

  const oneSideCase = (o: { name: string; seed: number; writes: string; source: string; original: string }): void => {
    it(`${o.name} (safe): distill(s, t, T=4); the original compares one side at T with the other at 1`, async (t) => {
      const inputs = distillInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL006', safety: 'safe', docs: docsSafe, writes: o.writes, source: dedent(o.source), call, inputs });
      const expected = core(DISTILL, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(o.original, inputs), 'original');
      assertDiffers(original.values, expected, 'original');
      show(t, original.values, after.values, expected);
    });
  };

  oneSideCase({
    name: 'the teacher logits in the call are divided by T',
    seed: 601,
    writes: 'F.softmax(teacher_logits / T, dim=-1)',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, T=4.0):
          return F.kl_div(F.log_softmax(student_logits / T, dim=-1), F.softmax(teacher_logits, dim=-1), reduction="batchmean") * T * T
    `,
    original: SHARP_TEACHER,
  });

  oneSideCase({
    name: 'the student logits in the call are divided by T when only the teacher was',
    seed: 602,
    writes: 'F.log_softmax(student_logits / T, dim=-1)',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, T=4.0):
          return F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits / T, dim=-1), reduction="batchmean") * T * T
    `,
    original: '16 * KL(softmax(teacher_logits, 4) || softmax(student_logits), reduction="batchmean")',
  });

  oneSideCase({
    name: 'a softmax through a name used only in the call is divided by T where it is computed',
    seed: 603,
    writes: 'p_teacher = F.softmax(teacher_logits / T, dim=-1)',
    source: `
      import torch.nn.functional as F

      def distillation_loss(student_logits, teacher_logits, T=4.0):
          log_p_student = F.log_softmax(student_logits / T, dim=-1)
          p_teacher = F.softmax(teacher_logits, dim=-1)
          return F.kl_div(log_p_student, p_teacher, reduction="batchmean") * T * T
    `,
    original: SHARP_TEACHER,
  });

  it('a softened name used elsewhere too is divided by T where it is computed (unsafe): the other use changes with it', async (t) => {
    const inputs = distillInputs(604);
    const { original, after } = await prove({
      rule: 'KL006',
      safety: 'unsafe',
      docs: docsElsewhere,
      writes: 'p_teacher = F.softmax(teacher_logits / T, dim=-1)',
      source: dedent(`
        import torch
        import torch.nn.functional as F

        def distillation_loss(student_logits, teacher_logits, T=4.0):
            log_p_student = F.log_softmax(student_logits / T, dim=-1)
            p_teacher = F.softmax(teacher_logits, dim=-1)
            loss = F.kl_div(log_p_student, p_teacher, reduction="batchmean") * T * T
            teacher_confidence = p_teacher.max(dim=-1).values.mean()
            return loss, teacher_confidence
      `),
      call: `torch.stack(${call})`,
      inputs,
    });
    const expected = core(DISTILL, inputs);
    assertClose([after.values[0]!], expected, 'fixed loss');
    assertClose([original.values[0]!], core(SHARP_TEACHER, inputs), 'original loss');
    assert.ok(after.values[1]! < original.values[1]!, `the teacher's confidence drops from ${original.values[1]} to ${after.values[1]}: why the fix is unsafe`);
    show(t, [original.values[0]!], [after.values[0]!], expected);
  });
});

describe('KL007 log-of-softmax', () => {
  const docsDirect = 'Safe when the softmax is written inside the log';
  const docsName = 'or its result is used only there';
  const docsElsewhere = "otherwise the log is replaced by a `log_softmax` of the same logits (unsafe: the logits' name must still hold the same tensor there)";

  /**
   * Student logits spread over [−spread, spread] in every row, so that softmax underflows to
   * exactly 0 (below −745 from the row's maximum in float64, −104 in float32); the teacher's
   * moderate logits give those classes a probability > 0, so the true KL is finite and large.
   */
  const spreadInputs = (seed: number, spread = 500, dtype: 'float64' | 'float32' = 'float64'): Inputs => {
    const s = uniform(seed, [B, C], -spread, spread).data.map((x, i) => (i % C === 0 ? spread : i % C === 1 ? -spread : x));
    return { student_logits: tensor([B, C], s, dtype), teacher_logits: logits(seed + 1, [B, C], 3, dtype) };
  };
  // distill works in log space, so it stays exact where the probabilities underflow.
  const EXACT = 'distill(student_logits, teacher_logits)';

  const underflowCase = (o: { name: string; seed: number; docs: string; writes: string; source: string }): void => {
    it(`${o.name} (safe): finite and equal to distill(s, t); the original is +Infinity (log 0 = −∞)`, async (t) => {
      const inputs = spreadInputs(o.seed);
      const { original, after } = await prove({ rule: 'KL007', safety: 'safe', docs: o.docs, writes: o.writes, source: dedent(o.source), call: DISTILL_CALL, inputs });
      const expected = core(EXACT, inputs);
      assertClose(after.values, expected, 'fixed');
      assert.equal(original.values[0], Infinity);
      show(t, original.values, after.values, expected);
    });
  };

  underflowCase({
    name: 'torch.log(F.softmax(x, dim)) becomes F.log_softmax(x, dim)',
    seed: 701,
    docs: docsDirect,
    writes: 'log_p_student = F.log_softmax(student_logits, dim=-1)',
    source: `
      import torch
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          log_p_student = torch.log(F.softmax(student_logits, dim=-1))
          return F.kl_div(log_p_student, F.softmax(teacher_logits, dim=-1), reduction="batchmean")
    `,
  });

  underflowCase({
    name: 'F.softmax(x, dim).log() in the call becomes F.log_softmax(x, dim)',
    seed: 702,
    docs: docsDirect,
    writes: 'F.kl_div(F.log_softmax(student_logits, dim=-1), ',
    source: `
      import torch
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          return F.kl_div(F.softmax(student_logits, dim=-1).log(), F.softmax(teacher_logits, dim=-1), reduction="batchmean")
    `,
  });

  underflowCase({
    name: 'x.softmax(dim).log() becomes x.log_softmax(dim)',
    seed: 703,
    docs: docsDirect,
    writes: 'log_p_student = student_logits.log_softmax(dim=-1)',
    source: `
      import torch
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          log_p_student = student_logits.softmax(dim=-1).log()
          return F.kl_div(log_p_student, teacher_logits.softmax(dim=-1), reduction="batchmean")
    `,
  });

  underflowCase({
    name: 'torch.log(nn.Softmax(dim)(x)) becomes nn.LogSoftmax(dim)(x)',
    seed: 704,
    docs: docsDirect,
    writes: 'log_p_student = nn.LogSoftmax(dim=-1)(student_logits)',
    source: `
      import torch
      from torch import nn

      def distill_loss(student_logits, teacher_logits):
          log_p_student = torch.log(nn.Softmax(dim=-1)(student_logits))
          return nn.KLDivLoss(reduction="batchmean")(log_p_student, nn.Softmax(dim=-1)(teacher_logits))
    `,
  });

  underflowCase({
    name: 'a softmax through a name used only in the log is computed as a log_softmax, and the log dropped',
    seed: 705,
    docs: docsName,
    writes: 'p_student = F.log_softmax(student_logits, dim=-1)\n    log_p_student = p_student\n',
    source: `
      import torch
      import torch.nn.functional as F

      def distill_loss(student_logits, teacher_logits):
          p_student = F.softmax(student_logits, dim=-1)
          log_p_student = torch.log(p_student)
          return F.kl_div(log_p_student, F.softmax(teacher_logits, dim=-1), reduction="batchmean")
    `,
  });

  it('a softmax through a name used elsewhere too: the log becomes a log_softmax of the logits (unsafe); the other use is untouched', async (t) => {
    const inputs = spreadInputs(706);
    const { original, after } = await prove({
      rule: 'KL007',
      safety: 'unsafe',
      docs: docsElsewhere,
      writes: 'log_p_student = F.log_softmax(student_logits, dim=-1)',
      source: dedent(`
        import torch
        import torch.nn.functional as F

        def distill_loss(student_logits, teacher_logits):
            p_student = F.softmax(student_logits, dim=-1)
            log_p_student = torch.log(p_student)
            loss = F.kl_div(log_p_student, F.softmax(teacher_logits, dim=-1), reduction="batchmean")
            return loss, p_student.max(dim=-1).values.mean()
      `),
      call: `torch.stack(${DISTILL_CALL})`,
      inputs,
    });
    const expected = core(EXACT, inputs);
    assertClose([after.values[0]!], expected, 'fixed loss');
    assert.equal(original.values[0], Infinity);
    assert.equal(after.values[1], original.values[1], 'the confidence computed from p_student is the same number');
    show(t, [original.values[0]!], [after.values[0]!], expected);
  });

  it('float32 logits spread over [−200, 200]: F.log_softmax is finite and within float32 rounding (1e-5) of the core', async (t) => {
    const inputs = spreadInputs(707, 200, 'float32');
    const { original, after } = await prove({
      rule: 'KL007',
      safety: 'safe',
      docs: docsDirect,
      writes: 'F.kl_div(F.log_softmax(student_logits, dim=-1), ',
      dtype: 'float32',
      source: dedent(`
        import torch
        import torch.nn.functional as F

        def distill_loss(student_logits, teacher_logits):
            return F.kl_div(torch.log(F.softmax(student_logits, dim=-1)), F.softmax(teacher_logits, dim=-1), reduction="batchmean")
      `),
      call: DISTILL_CALL,
      inputs,
    });
    // The core computes in float64 on the same (float32-representable) logits.
    const expected = core(EXACT, inputs);
    assertClose(after.values, expected, 'fixed', 1e-5);
    assert.equal(original.values[0], Infinity);
    show(t, original.values, after.values, expected);
  });

  it('torch.log(torch.sigmoid(±z)) in a Bernoulli KL becomes torch.nn.functional.logsigmoid(±z) (safe): finite; the original is +Infinity', async (t) => {
    const n = 12;
    // Logits out to ±800: σ(−800) underflows to 0 in float64, and its log to −∞.
    const z = uniform(708, [n], -800, 800).data.map((x, i) => (i === 0 ? -800 : i === 1 ? 800 : x));
    const p = uniform(709, [n], 0.05, 0.95).data;
    const inputs = { p: tensor([n], p), logits: tensor([n], z) };
    const { original, after } = await prove({
      rule: 'KL007',
      safety: 'safe',
      docs: docsDirect,
      findings: 2,
      writes: 'log_1mq = torch.nn.functional.logsigmoid(-logits)',
      source: dedent(`
        import torch

        def bernoulli_kl(p, logits):
            log_q = torch.log(torch.sigmoid(logits))
            log_1mq = torch.log(torch.sigmoid(-logits))
            return (torch.special.xlogy(p, p) - p * log_q + torch.special.xlogy(1 - p, 1 - p) - (1 - p) * log_1mq).sum()
      `),
      call: 'bernoulli_kl(p, logits)',
      inputs,
    });
    // The same numbers as two-class rows: Bern(σ(z)) is softmax([z, 0]), Bern(p) is softmax([log p, log(1 − p)]).
    const rows = {
      z2: tensor([n, 2], z.flatMap((x) => [x, 0])),
      logp2: tensor([n, 2], p.flatMap((x) => [Math.log(x), Math.log1p(-x)])),
    };
    const expected = core('distill(z2, logp2, reduction="sum")', rows);
    assertClose(after.values, expected, 'fixed');
    assert.equal(original.values[0], Infinity);
    show(t, original.values, after.values, expected);
  });
});

describe('KL008 epsilon-clipped-kl (no fix: the cases prove what the finding reports)', () => {
  const rows = 4;
  const n = 6;
  /** Rows of softmax(logits), with the entries at `zeros` set to 0 and each row renormalised. */
  const distributions = (seed: number, zeros: ReadonlySet<number>): Input => {
    const x = logits(seed, [rows, n], 1).data.map((v, i) => (zeros.has(i) ? 0 : Math.exp(v)));
    return tensor([rows, n], x.map((v, i) => v / x.slice(i - (i % n), i - (i % n) + n).reduce((a, b) => a + b, 0)));
  };
  // p has full support; q is 0 at three elements where p is not.
  const ZEROS = new Set([2, 9, 21]);
  const inputs = { p: distributions(801, new Set()), q: distributions(802, ZEROS) };

  const clippedCase = (o: { name: string; eps: number; source: string; call: string }): void => {
    it(`${o.name}: finite where the core's KL(p ‖ q) is +Infinity, each q = 0 adding p·log(p/${o.eps})`, async (t) => {
      const source = dedent(o.source);
      const findings = await findingsOf(source, 'KL008');
      assert.equal(findings.length, 1, findings.map((f) => f.message).join(' | '));
      const f = findings[0]!;
      assert.equal(f.fix, undefined, 'KL008 offers no fix');
      assert.match(fixSafetyDoc('KL008'), /^No fix/);
      assert.equal(f.severity, 'information');
      assert.match(f.message, /keeps the divergence finite where `q` is 0 and p is not/);
      assert.ok(f.message.includes(`≈ ${(-Math.log(o.eps)).toPrecision(3)}·p nats more than p·log p`), f.message);
      assert.match(f.message, /a support mismatch is hidden/);

      const [clipped] = runTorch([source], o.call, inputs);
      const kl = coreValue('KL(p || q, reduction="sum", normalize=false)', inputs);
      assert.ok(kl.type === 'result' && kl.result.kind === 'discrete');
      const result: DiscreteResult = kl.result;
      assert.equal(result.value.data[0], Infinity, "the core's KL is +Infinity");
      assert.equal(result.infinite?.count, ZEROS.size, 'and counts the elements where q = 0 < p');
      // What the message says: each element adds p·log(p/q), and p·log(p/ε) where q = 0.
      const p = inputs.p.data;
      const reported = [...result.terms!.data].reduce((s, term, i) => s + (Number.isFinite(term) ? term : p[i]! * Math.log(p[i]! / o.eps)), 0);
      // The epsilon also shifts log q by about ε/q elsewhere, hence 1e-6.
      assertClose(clipped!.values, [reported], 'the clipped KL', 1e-6);
      t.diagnostic(`clipped ${fmt(clipped!.values)} · core KL(p ‖ q) +Infinity at ${result.infinite?.count} elements`);
    });
  };

  clippedCase({
    name: 'p * (log(p + 1e-8) - log(q + 1e-8))',
    eps: 1e-8,
    source: `
      import torch

      def kl_divergence(p, q):
          return (p * (torch.log(p + 1e-8) - torch.log(q + 1e-8))).sum(-1)
    `,
    call: 'kl_divergence(p, q).sum()',
  });

  clippedCase({
    name: 'p * log(p / (q + 1e-10))',
    eps: 1e-10,
    source: `
      import torch

      def kl_divergence(p, q):
          return (p * torch.log(p / (q + 1e-10))).sum(dim=-1)
    `,
    call: 'kl_divergence(p, q).sum()',
  });

  clippedCase({
    name: 'F.kl_div(q.clamp(min=1e-8).log(), p)',
    eps: 1e-8,
    source: `
      import torch.nn.functional as F

      def kl_divergence(p, q):
          return F.kl_div(q.clamp(min=1e-8).log(), p, reduction="sum")
    `,
    call: 'kl_divergence(p, q)',
  });

  clippedCase({
    name: 'F.kl_div(torch.log(q + 1e-10), p)',
    eps: 1e-10,
    source: `
      import torch
      import torch.nn.functional as F

      def kl_divergence(p, q):
          return F.kl_div(torch.log(q + 1e-10), p, reduction="sum")
    `,
    call: 'kl_divergence(p, q)',
  });
});

describe('KL009 vae-kl-reduction', () => {
  const docs = 'Unsafe: the fix sums over the last axis';
  const D = 32; // latent dimensions
  const latents = (seed: number): Inputs => ({ mu: logits(seed, [B, D], 1), logvar: uniform(seed + 1, [B, D], -2, 1) });
  const MEAN_KL = 'mean(vae_kl(mu, logvar))';

  it(`-0.5 * torch.mean(term) becomes -0.5 * torch.mean(torch.sum(term, dim=-1)) (unsafe): the whole VAE loss; the original's KL is ÷ ${D} latents`, async (t) => {
    const inputs = { ...latents(901), recon: logits(903, [B, 16], 1), x: logits(904, [B, 16], 1) };
    const { original, after } = await prove({
      rule: 'KL009',
      safety: 'unsafe',
      docs,
      writes: 'torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1))',
      source: dedent(`
        import torch

        def vae_loss(recon, x, mu, logvar):
            recon_loss = torch.nn.functional.mse_loss(recon, x, reduction="sum") / x.shape[0]
            kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
            return recon_loss + kld
      `),
      call: 'vae_loss(recon, x, mu, logvar)',
      inputs,
    });
    const recon = `sum((recon - x) * (recon - x)) / ${B}`;
    const expected = core(`${recon} + ${MEAN_KL}`, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${recon} + ${MEAN_KL} / ${D}`, inputs), 'original');
    show(t, original.values, after.values, expected);
  });

  const meanCase = (o: { name: string; seed: number; writes: string; source: string; call: string; program: string }): void => {
    it(`${o.name} (unsafe): ${o.program}; the original is it divided by the ${D} latents`, async (t) => {
      const inputs = latents(o.seed);
      const { original, after } = await prove({ rule: 'KL009', safety: 'unsafe', docs, writes: o.writes, source: dedent(o.source), call: o.call, inputs });
      const expected = core(o.program, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(`${o.program} / ${D}`, inputs), 'original');
      show(t, original.values, after.values, expected);
    });
  };

  meanCase({
    name: '(term).mean() becomes (term).sum(dim=-1).mean()',
    seed: 905,
    writes: '.sum(dim=-1).mean()',
    source: `
      import torch

      def kl_term(mu, logvar):
          return (-0.5 * (1 + logvar - mu ** 2 - torch.exp(logvar))).mean()
    `,
    call: 'kl_term(mu, logvar)',
    program: MEAN_KL,
  });

  meanCase({
    name: '(term).mean(dim=-1) becomes (term).sum(dim=-1), one KL per sample',
    seed: 906,
    writes: 'logvar.exp()).sum(dim=-1)',
    source: `
      import torch

      def kl_per_sample(mu, logvar):
          return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).mean(dim=-1)
    `,
    call: 'kl_per_sample(mu, logvar)',
    program: 'vae_kl(mu, logvar)',
  });

  meanCase({
    name: 'mean(term) of `from torch import mean` becomes mean(torch.sum(term, dim=-1))',
    seed: 907,
    writes: 'mean(torch.sum(-0.5 * (1 + logvar - mu * mu - logvar.exp()), dim=-1))',
    source: `
      import torch
      from torch import mean

      def kl_term(mu, logvar):
          return mean(-0.5 * (1 + logvar - mu * mu - logvar.exp()))
    `,
    call: 'kl_term(mu, logvar)',
    program: MEAN_KL,
  });

  it('log σ used as log σ² (no fix): the code computes KL(N(μ, σ) ‖ N(0, 1)), not the KL of the N(μ, σ²) it samples from', async (t) => {
    const source = dedent(`
      import torch

      def reparameterize(mu, log_std):
          std = torch.exp(log_std)
          return mu + std * torch.randn_like(std)

      def kl_term(mu, log_std):
          return torch.mean(torch.sum(-0.5 * (1 + log_std - mu.pow(2) - log_std.exp()), dim=-1))
    `);
    const findings = await findingsOf(source, 'KL009');
    assert.equal(findings.length, 1, findings.map((f) => f.message).join(' | '));
    assert.equal(findings[0]!.fix, undefined, 'the log-σ finding has no fix');
    assert.ok(fixSafetyDoc('KL009').includes('The log-σ finding has no fix'));
    assert.match(findings[0]!.message, /the KL of a Gaussian of standard deviation √σ/);
    const inputs = { mu: logits(908, [B, D], 1), log_std: uniform(909, [B, D], -1, 0.5) };
    const [value] = runTorch([source], 'kl_term(mu, log_std)', inputs);
    // log σ in the log-variance's place makes the variance σ: the standard deviation √σ.
    assertClose(value!.values, core('mean(vae_kl(mu, log_std))', inputs), 'the code');
    const sampled = core('mean(vae_kl(mu, 2 * log_std))', inputs);
    assertDiffers(value!.values, sampled, 'the code against the KL of N(μ, σ²)');
    t.diagnostic(`code ${fmt(value!.values)} · core KL of the sampled N(μ, σ²) ${fmt(sampled)}`);
  });
});

describe('KL010 rlhf-kl-estimator', () => {
  const docsSwap = 'the two log-probabilities are swapped where the ratio is formed — safe when that is inside the estimator or in a name nothing else reads';
  const docsK1 = 'Unsafe for k1 in a loss: the fix writes k3 in its place, a change of estimator.';
  const L = 16; // tokens per sequence
  const N = 4 * L; // tokens in the batch
  /** The sampled tokens' log-probabilities under the policy, and under a reference drifted from it. */
  const tokens = (seed: number, policy: string, ref: string): Inputs => {
    const lp = uniform(seed, [4, L], -4, -0.05);
    const drift = logits(seed + 1, [4, L], 0.5);
    return { [policy]: lp, [ref]: tensor([4, L], lp.data.map((x, i) => Math.min(x + drift.data[i]!, -1e-3))) };
  };
  const grpoTokens = (seed: number): Inputs => tokens(seed, 'per_token_logps', 'ref_per_token_logps');
  const K3 = 'mean(k3(per_token_logps, ref_per_token_logps))';
  // Reversed, the average is the k3 of the other direction: an estimate of χ²(π‖π_ref) − KL(π‖π_ref).
  const REVERSED = 'mean(k3(ref_per_token_logps, per_token_logps))';
  const swapped = 'log_ratio = ref_per_token_logps - per_token_logps';

  const swapCase = (o: { name: string; seed: number; source: string; writes?: string }): void => {
    it(`${o.name} (safe): ${K3}; the original is k3 with the log-ratio reversed`, async (t) => {
      const inputs = grpoTokens(o.seed);
      const { original, after } = await prove({
        rule: 'KL010',
        safety: 'safe',
        docs: docsSwap,
        writes: o.writes ?? swapped,
        source: dedent(o.source),
        call: 'grpo_kl(per_token_logps, ref_per_token_logps)',
        inputs,
      });
      const expected = core(K3, inputs);
      assertClose(after.values, expected, 'fixed');
      assertClose(original.values, core(REVERSED, inputs), 'original');
      assertDiffers(original.values, expected, 'original');
      show(t, original.values, after.values, expected);
    });
  };

  swapCase({
    name: 'exp(a − b) − (a − b) − 1 written inline: the ratio is swapped in the exp and where it is subtracted',
    seed: 1010,
    writes: 'torch.exp(ref_per_token_logps - per_token_logps) - (ref_per_token_logps - per_token_logps) - 1',
    source: `
      import torch

      def grpo_kl(per_token_logps, ref_per_token_logps):
          per_token_kl = torch.exp(per_token_logps - ref_per_token_logps) - (per_token_logps - ref_per_token_logps) - 1
          return per_token_kl.mean()
    `,
  });

  swapCase({
    name: 'exp(r) − r − 1 with r = logp − ref_logp in a name used only there: the two are swapped',
    seed: 1001,
    source: `
      import torch

      def grpo_kl(per_token_logps, ref_per_token_logps):
          log_ratio = per_token_logps - ref_per_token_logps
          per_token_kl = torch.exp(log_ratio) - log_ratio - 1
          return per_token_kl.mean()
    `,
  });

  swapCase({
    name: 'expm1(r) − r with r = logp − ref_logp: the two are swapped',
    seed: 1002,
    source: `
      import torch

      def grpo_kl(per_token_logps, ref_per_token_logps):
          log_ratio = per_token_logps - ref_per_token_logps
          return (torch.expm1(log_ratio) - log_ratio).mean()
    `,
  });

  const sharedRatio = dedent(`
    import torch

    def grpo_kl(per_token_logps, ref_per_token_logps):
        log_ratio = per_token_logps - ref_per_token_logps
        per_token_kl = torch.exp(log_ratio) - log_ratio - 1
        approx_kl = log_ratio.mean()
        return per_token_kl.mean(), approx_kl
  `);

  it('a reversed log-ratio also used elsewhere is swapped where it is formed (unsafe): the other use flips sign', async (t) => {
    const inputs = grpoTokens(1003);
    const { original, after } = await prove({
      rule: 'KL010',
      safety: 'unsafe',
      docs: 'unsafe when the name is read elsewhere too (that use changes sign)',
      writes: swapped,
      source: sharedRatio,
      call: 'torch.stack(grpo_kl(per_token_logps, ref_per_token_logps))',
      inputs,
    });
    const expected = core(K3, inputs);
    assertClose([after.values[0]!], expected, 'fixed');
    assertClose([original.values[0]!], core(REVERSED, inputs), 'original');
    // approx_kl was the k1 estimate of KL(π ‖ π_ref); after the swap it is its negative.
    assertClose([original.values[1]!], core('mean(k1(per_token_logps, ref_per_token_logps))', inputs), 'approx_kl before');
    assertClose([after.values[1]!], [-original.values[1]!], 'approx_kl after');
    show(t, [original.values[0]!], [after.values[0]!], expected);
  });

  it("k1 minimised as a loss becomes k3 (unsafe): pg + β·mean(k3), whose gradient pulls logp toward ref_logp; k1's is the constant β/N", async (t) => {
    const inputs = { ...tokens(1004, 'logps', 'ref_logps'), advantages: logits(1006, [4, L], 1) };
    const c = {
      rule: 'KL010',
      safety: 'unsafe',
      docs: docsK1,
      writes: 'kl_loss = ((ref_logps - logps).exp() - (ref_logps - logps) - 1).mean()',
      source: dedent(`
        import torch

        def policy_loss(logps, ref_logps, advantages, beta=0.1):
            pg_loss = -(advantages * logps).mean()
            kl_loss = (logps - ref_logps).mean()
            return pg_loss + beta * kl_loss
      `),
      inputs,
    } as const;
    const { original, after } = await prove({ ...c, call: 'policy_loss(logps, ref_logps, advantages)' });
    const pg = '-mean(advantages * logps)';
    const expected = core(`${pg} + 0.1 * mean(k3(logps, ref_logps))`, inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core(`${pg} + 0.1 * mean(k1(logps, ref_logps))`, inputs), 'original');
    show(t, original.values, after.values, expected);

    const grads = await prove({ ...c, call: 'grad(lambda lp: policy_loss(lp, ref_logps, advantages), logps)' });
    assertClose(grads.after.values, core(`(0.1 * (1 - exp(ref_logps - logps)) - advantages) / ${N}`, inputs), '∂ fixed / ∂ logps', RTOL_GRAD, 1e-17);
    assertClose(grads.original.values, core(`(0.1 - advantages) / ${N}`, inputs), '∂ original / ∂ logps', RTOL_GRAD, 1e-17);
  });

  it('a masked k1 flowing into a *loss* function becomes the masked k3 (unsafe): Σ k3·mask / Σ mask', async (t) => {
    const mask = uniform(1007, [4, L], 0, 1).data.map((x) => (x < 0.75 ? 1 : 0));
    const inputs = { ...tokens(1008, 'logps', 'ref_logps'), mask: tensor([4, L], mask) };
    const { original, after } = await prove({
      rule: 'KL010',
      safety: 'unsafe',
      docs: docsK1,
      writes: 'per_token = ((ref_logps - logps).exp() - (ref_logps - logps) - 1)',
      source: dedent(`
        import torch

        def kl_loss(logps, ref_logps, mask):
            per_token = logps - ref_logps
            return (per_token * mask).sum() / mask.sum()
      `),
      call: 'kl_loss(logps, ref_logps, mask)',
      inputs,
    });
    const expected = core('sum(k3(logps, ref_logps) * mask) / sum(mask)', inputs);
    assertClose(after.values, expected, 'fixed');
    assertClose(original.values, core('sum(k1(logps, ref_logps) * mask) / sum(mask)', inputs), 'original');
    show(t, original.values, after.values, expected);
  });
});
