/**
 * # KL007 log-of-softmax
 *
 * ## What it does
 * Finds the log of a softmax (or of a sigmoid) taken in two steps: `F.softmax(x, -1).log()`,
 * `torch.log(F.softmax(x, dim=-1))`, `torch.log(torch.sigmoid(x))`, directly or through a local
 * name.
 *
 * ## Why is this bad?
 * A softmax underflows to exactly 0 for logits a few hundred below the maximum (about 104 in
 * float32, 745 in float64); its log is then −∞, and a KL or cross-entropy built on it is ∞ or NaN,
 * with NaN gradients. `log_softmax` computes x − logsumexp(x) directly and stays finite and exact.
 *
 * ## Example
 * ```python
 * log_p = torch.log(F.softmax(logits, dim=-1))
 * ```
 *
 * ## Use instead
 * ```python
 * log_p = F.log_softmax(logits, dim=-1)
 * ```
 *
 * ## Fix safety
 * Safe when the softmax is written inside the log, or its result is used only there; otherwise
 * the log is replaced by a `log_softmax` of the same logits (unsafe: the logits' name must still
 * hold the same tensor there).
 *
 * ## References
 * - [torch.nn.functional.log_softmax](https://pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html): "While mathematically equivalent to log(softmax(x)), doing these two operations separately is slower and numerically unstable."
 */
import { code, quoteValue } from '../describe';
import { applyEdits, replace, toLogSpace } from '../fixes';
import type { Fix } from '../finding';
import type { Facts, Model } from '../model';
import type { Rule } from '../rule';
import { type SyntaxNode, unwrap } from '../syntax';

const PRODUCERS = new Set(['softmax', 'sigmoid', 'Softmax()']);

export const logOfSoftmax: Rule = {
  id: 'KL007',
  name: 'log-of-softmax',
  severity: 'warning',
  check({ model, report }) {
    for (const call of model.callsOf('log')) {
      const c = model.callee(call)!;
      const facts = model.facts(call);
      const inner = c.receiver ?? call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
      if (!inner || facts.clipped) continue;
      const of = model.facts(inner);
      if (of.form !== 'probs' || !of.producer || !PRODUCERS.has(of.producer.fn)) continue;
      const log = of.producer.fn === 'sigmoid' ? 'logsigmoid' : 'log_softmax';
      report({
        node: call,
        message: `The log of ${quoteValue(inner, of)} is −∞ where the ${of.producer.fn === 'sigmoid' ? 'sigmoid' : 'softmax'} underflows to 0, and a KL or cross-entropy built on it becomes ∞ or NaN. Use ${log}.`,
        ...fixFor(call, inner, of, model),
      });
    }
  },
};

function fixFor(call: SyntaxNode, inner: SyntaxNode, of: Facts, model: Model): { fix?: Fix } {
  const producer = of.producer!;
  const edits = toLogSpace(producer, model);
  if (!edits) return {};
  const rewritten = applyEdits(producer.call.text, producer.call.startIndex, edits);
  if (!rewritten) return {};
  const direct = of.names.length === 0 && unwrap(inner).startIndex === producer.call.startIndex;
  if (direct) return { fix: { description: `Use ${code(rewritten)}`, safety: 'safe', edits: [replace(call, rewritten)] } };
  const name = of.names[of.names.length - 1]!;
  const onlyHere = of.names.length === 1 && model.scopes.usesOf(name.text, model.scopes.scopeAt(name.startIndex)).length === 1;
  if (onlyHere) {
    // p = F.softmax(x); log_p = torch.log(p) → p = F.log_softmax(x); log_p = p
    return { fix: { description: `Compute ${code(name)} with a log-softmax`, safety: 'safe', edits: [...edits, replace(call, unwrap(inner).text)] } };
  }
  return { fix: { description: `Use ${code(rewritten)}`, safety: 'unsafe', edits: [replace(call, rewritten)] } };
}
