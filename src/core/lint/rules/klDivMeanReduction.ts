/**
 * # KL003 kl-div-mean-reduction
 *
 * ## What it does
 * Finds `F.kl_div(...)` calls and `nn.KLDivLoss(...)` constructors whose reduction is `'mean'` —
 * written out, or left to the default, which is `'mean'`.
 *
 * ## Why is this bad?
 * `'mean'` divides the summed loss by the number of *elements* (batch × classes), not by the batch
 * size. The result is the KL divergence divided by the number of classes: for a 50,000-token
 * vocabulary the loss, and its gradient, are 50,000 times too small, and the weight it gets against
 * other terms is wrong by as much. PyTorch warns about it at run time and documents
 * `'batchmean'` as the reduction that "aligns with the mathematical definition", but keeps
 * `'mean'` as the default for backward compatibility (pytorch/pytorch#95687).
 *
 * ## Example
 * ```python
 * loss = F.kl_div(F.log_softmax(student, -1), F.softmax(teacher, -1))
 * criterion = nn.KLDivLoss()
 * ```
 *
 * ## Use instead
 * ```python
 * loss = F.kl_div(F.log_softmax(student, -1), F.softmax(teacher, -1), reduction="batchmean")
 * criterion = nn.KLDivLoss(reduction="batchmean")
 * ```
 *
 * ## Fix safety
 * Safe: `reduction="batchmean"` is the documented KL of each row, averaged over the batch.
 *
 * ## References
 * - [torch.nn.KLDivLoss](https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html): "reduction= 'mean' doesn't return the true KL divergence value, please use reduction= 'batchmean' which aligns with the mathematical definition."
 * - [pytorch/pytorch#95687](https://github.com/pytorch/pytorch/issues/95687)
 */
import { code } from '../describe';
import { addKeyword, replace } from '../fixes';
import type { Fix } from '../finding';
import { klOptions } from '../klCalls';
import type { Report, Rule } from '../rule';
import type { SyntaxNode } from '../syntax';

export const klDivMeanReduction: Rule = {
  id: 'KL003',
  name: 'kl-div-mean-reduction',
  severity: 'warning',
  check({ model, report }) {
    for (const call of model.calls) {
      const c = model.callee(call);
      if (c?.fn === 'kl_div') check(call, 'function', report);
      else if (c?.fn === 'KLDivLoss') check(call, 'module', report);
    }
  },
};

function check(call: SyntaxNode, style: 'function' | 'module', report: (r: Report) => void): void {
  const { reduction, legacy } = klOptions(call, style);
  if (legacy || reduction.value !== 'mean') return;
  const fn = call.childForFieldName('function')!;
  const what = style === 'function' ? code(fn) : code(`${fn.text}(...)`);
  const consequence =
    'divides the summed loss by the number of elements (batch × classes), not by the batch size, so it is the KL divergence divided by the number of classes. Use reduction="batchmean".';
  if (reduction.explicit && reduction.node) {
    const value = reduction.node.type === 'keyword_argument' ? reduction.node.childForFieldName('value')! : reduction.node;
    const quote = value.text.trimStart().startsWith("'") ? "'" : '"';
    const fix: Fix = { description: 'Use reduction="batchmean"', safety: 'safe', edits: [replace(value, `${quote}batchmean${quote}`)] };
    report({ node: reduction.node, message: `reduction='mean' in ${what} ${consequence}`, fix });
    return;
  }
  const edit = addKeyword(call, 'reduction="batchmean"');
  report({
    node: style === 'function' ? fn : call,
    message: `${what} uses the default reduction='mean', which ${consequence}`,
    ...(edit ? { fix: { description: 'Use reduction="batchmean"', safety: 'safe', edits: [edit] } } : {}),
  });
}
