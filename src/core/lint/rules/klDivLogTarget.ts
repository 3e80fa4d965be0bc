/**
 * # KL002 kl-div-log-target
 *
 * ## What it does
 * Finds `kl_div` / `KLDivLoss` calls whose target (the second argument) is log-probabilities — a
 * `log_softmax` or a `.log()` — without `log_target=True`, and calls with `log_target=True`
 * whose target is probabilities (a `softmax`).
 *
 * ## Why is this bad?
 * With `log_target=False` (the default) the target must be probabilities: the loss is
 * Σ target·(log target − input). Given log-probabilities, the target is negative, its log is NaN,
 * and so is the loss — or, where the rows are masked or clamped, a number that means nothing. The other way round, `log_target=True` exponentiates the target, so a
 * probability target is read as exp(p): not a distribution.
 *
 * ## Example
 * ```python
 * loss = F.kl_div(F.log_softmax(student, -1), F.log_softmax(teacher, -1), reduction="batchmean")
 * ```
 *
 * ## Use instead
 * ```python
 * loss = F.kl_div(F.log_softmax(student, -1), F.log_softmax(teacher, -1), reduction="batchmean", log_target=True)
 * ```
 *
 * ## Fix safety
 * Safe: `log_target=True` is added (or the wrong one removed) on the call, or on the
 * `KLDivLoss(...)` constructor when this call is its only use.
 *
 * ## References
 * - [torch.nn.KLDivLoss](https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html): "To avoid underflow issues when computing this quantity, this loss expects the argument input in the log-space. The argument target may also be provided in the log-space if log_target=True."
 */
import { code, quoteValue } from '../describe';
import { addKeyword, optional, removeArgument } from '../fixes';
import type { Fix } from '../finding';
import { klName, type KlCall } from '../klCalls';
import type { Model } from '../model';
import type { Rule } from '../rule';

export const klDivLogTarget: Rule = {
  id: 'KL002',
  name: 'kl-div-log-target',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const site of klCalls) {
      if (!site.target) continue;
      const facts = model.facts(site.target);
      if (!facts.producer) continue;
      if (facts.form === 'logprobs' && site.logTarget.value === false) {
        report({
          node: site.target,
          message:
            `The target ${quoteValue(site.target, facts)} is log-probabilities, but ${code(klName(site))} reads it as probabilities without ` +
            `log_target=True: log(target) is NaN, and so is the loss. Add log_target=True.`,
          ...optional(logTargetFix(site, model, 'add', klCalls)),
        });
      } else if (facts.form === 'probs' && site.logTarget.value === true && site.logTarget.node) {
        report({
          node: site.logTarget.node,
          message:
            `log_target=True reads the target as log-probabilities, but ${quoteValue(site.target, facts)} is probabilities: ` +
            `exp(target) is not a distribution. Remove log_target=True.`,
          ...optional(logTargetFix(site, model, 'remove', klCalls)),
        });
      }
    }
  },
};

function logTargetFix(site: KlCall, model: Model, action: 'add' | 'remove', all: readonly KlCall[]): Fix | undefined {
  // A shared KLDivLoss constructor serves other calls too; changing it would change them.
  if (site.style === 'module' && all.filter((s) => s.options.startIndex === site.options.startIndex).length > 1) return undefined;
  if (action === 'add') {
    const existing = site.logTarget.node;
    const edit = existing
      ? { start: existing.startIndex, end: existing.endIndex, text: existing.type === 'keyword_argument' ? 'log_target=True' : 'True' }
      : addKeyword(site.options, 'log_target=True');
    return edit ? { description: 'Add log_target=True', safety: 'safe', edits: [edit] } : undefined;
  }
  return { description: 'Remove log_target=True', safety: 'safe', edits: [removeArgument(site.options, site.logTarget.node!, model.source)] };
}
