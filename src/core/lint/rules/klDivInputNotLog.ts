/**
 * # KL001 kl-div-input-not-log
 *
 * ## What it does
 * Finds `F.kl_div(input, target)` and `nn.KLDivLoss()(input, target)` calls whose input (the first
 * argument) is probabilities — a `softmax` or `sigmoid` result, directly or through a local name —
 * instead of log-probabilities.
 *
 * ## Why is this bad?
 * `kl_div` computes Σ target · (log target − input): it takes the *log* of the model's distribution
 * as its input. Given probabilities, it subtracts p where it should subtract log p, so the loss
 * is not a divergence at all: it can be negative, it is not zero when the two distributions are
 * equal, and its gradient pulls the model somewhere else. Nothing fails; training just optimises
 * the wrong thing.
 *
 * ## Example
 * ```python
 * loss = F.kl_div(F.softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduction="batchmean")
 * ```
 *
 * ## Use instead
 * ```python
 * loss = F.kl_div(F.log_softmax(student_logits, dim=-1), F.softmax(teacher_logits, dim=-1), reduction="batchmean")
 * ```
 *
 * ## Fix safety
 * Safe when the softmax is written in the call or its result is used only there (it becomes a
 * `log_softmax`), and when the input is `logp.exp()` of log-probabilities (`logp` is passed
 * itself); otherwise the argument is replaced by a `log_softmax` of the same logits (unsafe: the
 * logits' name must still hold the same tensor at the call).
 *
 * ## References
 * - [torch.nn.KLDivLoss](https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html): "the argument input is expected to be log-probabilities"
 * - [torch.nn.functional.kl_div](https://pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html)
 */
import { code, quoteValue } from '../describe';
import { applyEdits, optional, replace, toLogSpace } from '../fixes';
import type { Fix } from '../finding';
import { klName, type KlCall } from '../klCalls';
import type { Facts, Model } from '../model';
import type { Rule } from '../rule';
import { unwrap } from '../syntax';

export const klDivInputNotLog: Rule = {
  id: 'KL001',
  name: 'kl-div-input-not-log',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const site of klCalls) {
      if (!site.input) continue;
      const facts = model.facts(site.input);
      if (facts.form !== 'probs' || !facts.producer) continue;
      const what = facts.producer.fn === 'exp' ? 'the exponential of log-probabilities' : 'probabilities';
      const instead = facts.producer.fn === 'sigmoid' || facts.producer.fn === 'Sigmoid()' ? 'logsigmoid' : 'log_softmax';
      report({
        node: site.input,
        message:
          `${code(klName(site))} takes log-probabilities as its input, but ${quoteValue(site.input, facts)} is ${what}: ` +
          `this computes Σ target·(log target − input), not a KL divergence. Use ${instead}.`,
        ...optional(fixFor(site, facts, model)),
      });
    }
  },
};

function fixFor(site: KlCall, facts: Facts, model: Model): Fix | undefined {
  const producer = facts.producer!;
  const input = site.input!;
  if (producer.fn === 'exp') {
    // F.kl_div(logp.exp(), q): the log-probabilities were there all along.
    const direct = unwrap(input).startIndex === producer.call.startIndex;
    return direct && producer.input ? { description: `Pass ${code(producer.input)} itself`, safety: 'safe', edits: [replace(input, producer.input.text)] } : undefined;
  }
  const logSpace = toLogSpace(producer, model);
  if (!logSpace) return undefined;
  const direct = unwrap(input).startIndex === producer.call.startIndex && unwrap(input).endIndex === producer.call.endIndex;
  if (direct) return { description: 'Use log_softmax', safety: 'safe', edits: logSpace };
  // Through a name: change the producer when this call is the name's only use.
  const name = facts.names[facts.names.length - 1]!;
  const scope = model.scopes.scopeAt(name.startIndex);
  const assignment = model.single(name);
  if (facts.names.length === 1 && assignment && model.scopes.usesOf(name.text, scope).length === 1) {
    return { description: `Make ${code(name)} log-probabilities where it is computed`, safety: 'safe', edits: logSpace };
  }
  // Used elsewhere too: a log_softmax of the same logits, in place of the argument.
  const producerText = producer.call.text;
  const rewritten = applyEdits(producerText, producer.call.startIndex, logSpace);
  return rewritten ? { description: `Pass ${code(rewritten)}`, safety: 'unsafe', edits: [replace(input, rewritten)] } : undefined;
}
