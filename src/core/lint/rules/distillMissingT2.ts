/**
 * # KL005 distill-missing-t2
 *
 * ## What it does
 * Finds knowledge-distillation losses where the KL between softened distributions (the student's
 * softmax of logits divided by a temperature T, and the teacher's) is added to a hard-label loss
 * (cross-entropy, NLL) without being multiplied by T².
 *
 * ## Why is this bad?
 * Dividing the logits by T scales the gradients of the soft-target term by 1/T². Hinton et al.
 * multiply that term by T² so that its weight against the hard-label term stays the same whatever
 * the temperature. Without it, at T = 4 the distillation term counts 16 times less than the
 * mixing weight says, and changing T silently re-weights the loss.
 *
 * ## Example
 * ```python
 * soft = F.kl_div(F.log_softmax(student / T, -1), F.softmax(teacher / T, -1), reduction="batchmean")
 * loss = alpha * soft + (1 - alpha) * F.cross_entropy(student, labels)
 * ```
 *
 * ## Use instead
 * ```python
 * soft = F.kl_div(F.log_softmax(student / T, -1), F.softmax(teacher / T, -1), reduction="batchmean") * T ** 2
 * loss = alpha * soft + (1 - alpha) * F.cross_entropy(student, labels)
 * ```
 *
 * ## Fix safety
 * Safe: the KL term is multiplied by `T ** 2` where it is computed.
 *
 * ## References
 * - Hinton, Vinyals, Dean, [Distilling the Knowledge in a Neural Network](https://arxiv.org/abs/1503.02531) (2015), §2: "Since the magnitudes of the gradients produced by the soft targets scale as 1/T² it is important to multiply them by T² when using both hard and soft targets."
 */
import { code } from '../describe';
import { insertAt } from '../fixes';
import { climb, powerOf, sources, termOf } from '../flow';
import type { KlCall } from '../klCalls';
import type { Model } from '../model';
import type { Rule } from '../rule';
import { asOperand, numberValue, normalized, operatorOf, type SyntaxNode } from '../syntax';

export const distillMissingT2: Rule = {
  id: 'KL005',
  name: 'distill-missing-t2',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const site of klCalls) {
      const T = temperatureOf(site, model);
      if (!T) continue;
      const term = termOf(site.call);
      const isHardLoss = (call: SyntaxNode): boolean => {
        const fn = model.callee(call)?.fn;
        return fn === 'cross_entropy' || fn === 'CrossEntropyLoss()';
      };
      // From the call itself: factors chained on it (`.mul(T * T)`) count too.
      for (const { sum, other, path } of climb(site.call, model)) {
        const hard = sources(other, model, isHardLoss);
        if (hard.length === 0) continue;
        if (scaledBy(path.factors, path.divisors, T, model) >= 2 || scaledAbove(sum, T, model)) break;
        const t = T.text;
        const Tv = numberValue(T);
        const factor = Tv !== undefined ? ` (×${Tv * Tv})` : '';
        report({
          node: term,
          message:
            `This KL at temperature ${code(t)} is added to ${code(hard[0]!)} (line ${hard[0]!.startPosition.row + 1}) without being multiplied by T²: ` +
            `softening scales its gradients by 1/T², so it counts T² times less than its weight says${factor} (Hinton et al. 2015). Multiply it by ${code(`${asOperand(T)} ** 2`)}.`,
          fix: { description: `Multiply by ${asOperand(T)} ** 2`, safety: 'safe', edits: fixEdits(term, T) },
        });
        break;
      }
    }
  },
};

/**
 * The temperature the student's distribution was softened with (and the teacher's, when it has
 * one, must be the same). The 1/T² gradient scale comes from the student's softmax(z/T): with
 * the student at temperature 1 there is nothing for T² to undo (KL006 is about that).
 */
function temperatureOf(site: KlCall, model: Model): SyntaxNode | undefined {
  const ti = site.input ? model.facts(site.input).producer?.temperature : undefined;
  const tt = site.target ? model.facts(site.target).producer?.temperature : undefined;
  if (!ti) return undefined;
  return !tt || normalized(ti) === normalized(tt) ? ti : undefined;
}

/** T's power among the factors minus the divisors on the way from the KL term to the sum. */
function scaledBy(factors: readonly SyntaxNode[], divisors: readonly SyntaxNode[], T: SyntaxNode, model: Model): number {
  let power = 0;
  for (const f of factors) power += powerOf(f, T, model);
  for (const d of divisors) power -= powerOf(d, T, model);
  return power;
}

/** `(alpha * kl + ce) * T * T`: the whole sum is scaled, which is another matter than a missing T². */
function scaledAbove(sum: SyntaxNode, T: SyntaxNode, model: Model): boolean {
  let node = sum;
  let power = 0;
  for (let p = node.parent; p; node = p, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type !== 'binary_operator') break;
    const op = operatorOf(p);
    const left = p.childForFieldName('left');
    const other = left?.startIndex === node.startIndex ? p.childForFieldName('right') : left;
    if (!other) break;
    if (op === '*') power += powerOf(other, T, model);
    else if (op !== '+' && op !== '-') break;
  }
  return power >= 2;
}

function fixEdits(term: SyntaxNode, T: SyntaxNode): { start: number; end: number; text: string }[] {
  const factor = `${asOperand(T)} ** 2`;
  const p = term.parent;
  const op = p?.type === 'binary_operator' ? operatorOf(p) : undefined;
  const isRight = p?.childForFieldName('right')?.startIndex === term.startIndex;
  // x / term, x ** term: the product must stay one operand.
  if (op === '**' || (isRight && (op === '/' || op === '//' || op === '%' || op === '@'))) {
    return [insertAt(term.startIndex, '('), insertAt(term.endIndex, ` * ${factor})`)];
  }
  return [insertAt(term.endIndex, ` * ${factor}`)];
}
