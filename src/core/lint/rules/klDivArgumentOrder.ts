/**
 * # KL004 kl-div-argument-order
 *
 * ## What it does
 * Finds `kl_div` / `KLDivLoss` calls whose arguments are evidently swapped: the teacher (or the
 * target labels) in the input slot and the student (or the predictions) in the target slot; or,
 * outside RLHF and VAE code, the detached side in the input slot while gradients flow through the
 * target; or a Jensen–Shannon divergence written `kl_div(log P, M)` with the mixture M as the
 * target.
 *
 * ## Why is this bad?
 * `F.kl_div(input, target)` is KL(target ‖ exp(input)): the target is the distribution the
 * expectation is taken under, the input the one being fitted. Knowledge distillation minimises
 * KL(teacher ‖ student), so the student's log-probabilities go first. Swapped, the loss is the
 * reverse KL — mode-seeking instead of mode-covering — and when the teacher side is the input,
 * its gradient reaches the student through the target only. The code trains, on a different
 * objective than the one it was written for.
 *
 * In RLHF and VAEs the reference policy or the prior *is* meant to be the input —
 * KL(π ‖ π_ref) is `F.kl_div(ref_logp, pi)` — so those names are not taken as evidence of a swap;
 * nor is code that computes both directions, or says it wants the reverse KL (MiniLLM, "reverse
 * KL" in the docstring or the function's name).
 *
 * The Jensen–Shannon divergence is ½KL(P ‖ M) + ½KL(Q ‖ M): the mixture M goes in the input slot.
 * With it as the target the sum is ½KL(M ‖ P) + ½KL(M ‖ Q), which is unbounded where P or Q is 0.
 *
 * ## Example
 * ```python
 * loss = F.kl_div(F.log_softmax(teacher_logits / T, -1), F.softmax(student_logits / T, -1), reduction="batchmean")
 * ```
 *
 * ## Use instead
 * ```python
 * loss = F.kl_div(F.log_softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1), reduction="batchmean")
 * ```
 *
 * ## Fix safety
 * Unsafe: the order is inferred from names and `.detach()`; a reverse KL may be meant. The fix
 * swaps the two arguments, each with its `.detach()`, and renames the softmaxes so the input stays
 * in log-space.
 *
 * ## References
 * - Hinton, Vinyals, Dean, [Distilling the Knowledge in a Neural Network](https://arxiv.org/abs/1503.02531) (2015)
 * - [torch.nn.KLDivLoss](https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html)
 */
import { code } from '../describe';
import { applyEdits, replace, toLogSpace, toProbabilitySpace } from '../fixes';
import type { Fix } from '../finding';
import { klName, type KlCall } from '../klCalls';
import { type Facts, isEpsilonName, type Model, type Producer } from '../model';
import type { Rule } from '../rule';
import { roleWords, rolePair } from '../roles';
import { argument, asOperand, normalized, numberValue, operatorOf, type SyntaxNode, unwrap, wordsOf } from '../syntax';

/** Words of code where the reference is meant to be the input: KL(π‖π_ref), KL(q‖prior). */
const REVERSE_BY_DESIGN = new Set(['ref', 'reference', 'prior', 'policy', 'pi', 'actor', 'reverse', 'rkl', 'backward']);

export const klDivArgumentOrder: Rule = {
  id: 'KL004',
  name: 'kl-div-argument-order',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const site of klCalls) {
      if (!site.input || !site.target) continue;
      const fi = model.facts(site.input);
      const ft = model.facts(site.target);
      const wi = roleWords(site.input, fi, model);
      const wt = roleWords(site.target, ft, model);
      const context = contextWords(site, model);
      if ([...REVERSE_BY_DESIGN].some((w) => wi.has(w) || wt.has(w) || context.has(w)) || documentedReverse(site, model)) continue;
      if (symmetric(site, klCalls, model)) continue;
      const js = jsSwapped(site, fi, model);
      if (js) {
        report({
          node: site.call,
          message:
            `${code(klName(site))}(log P, M) with the mixture M = ${code(js.mixture)} as the target is KL(M ‖ P); the Jensen–Shannon divergence is ` +
            `½KL(P ‖ M) + ½KL(Q ‖ M), with the mixture as the input: ${code(`${klName(site)}(torch.log(M), P)`)}.`,
          fix: {
            description: 'Put the mixture in the input slot',
            safety: 'unsafe',
            edits: [replace(site.input, `${asOperand(site.target)}.log()`), replace(site.target, js.part.text)],
          },
        });
        continue;
      }
      const pair = rolePair(wi, wt);
      let why: string | undefined;
      if (pair) {
        why = `the ${pair.say[0]} is the input and the ${pair.say[1]} the target`;
      } else if (fi.detached && !ft.detached && ft.producer && !rolePair(wt, wi)) {
        // Names that put the reference in the target slot outweigh the detach (it may be a fixed model).
        why = `the input is detached and gradients flow through the target`;
      }
      if (!why) continue;
      report({
        node: site.call,
        message: `${code(`${site.callee.text}(input, target)`)} is KL(target ‖ input), but ${why}: this is the reverse KL, trained through the target. Swap them.`,
        ...fixFor(site, fi, ft, model),
      });
    }
  },
};

/** A docstring or class name that says the reverse KL is meant: MiniLLM, "reverse KL", mode-seeking. */
function documentedReverse(site: KlCall, model: Model): boolean {
  const scope = model.scopes.scopeAt(site.call.startIndex);
  const texts: string[] = [];
  const body = scope.node?.childForFieldName('body');
  const first = body?.namedChildren.find((c) => c !== null && c.type !== 'comment');
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') texts.push(first.namedChildren[0]!.text);
  if (scope.classNode) texts.push(scope.classNode.childForFieldName('name')?.text ?? '');
  const text = texts.join(' ').toLowerCase();
  return ['reverse kl', 'reverse-kl', 'reverse_kl', 'minillm', 'mode-seeking', 'mode seeking', 'kl(student', 'kl(q'].some((w) => text.includes(w));
}

/**
 * JS written as kl_div(log P, M) + kl_div(log Q, M): the log of one part of the mixture M in
 * the input slot and M in the target slot, which is KL(M ‖ P), not KL(P ‖ M).
 */
function jsSwapped(site: KlCall, fi: Facts, model: Model): { mixture: SyntaxNode; part: SyntaxNode } | undefined {
  if (!site.input || !site.target || fi.producer?.fn !== 'log' || !fi.producer.input) return undefined;
  const parts = mixtureParts(site.target, model);
  if (!parts) return undefined;
  const inner = withoutOffset(model.clipOf(fi.producer.input)?.inner ?? fi.producer.input);
  const p = normalized(unwrap(inner));
  const part = parts.parts.find((x) => normalized(unwrap(x)) === p);
  return part ? { mixture: parts.mixture, part: inner } : undefined;
}

/** `P + eps` → `P`, whatever eps holds. */
function withoutOffset(node: SyntaxNode): SyntaxNode {
  const n = unwrap(node);
  const r = n.type === 'binary_operator' && operatorOf(n) === '+' ? n.childForFieldName('right') : null;
  return r && (isEpsilonName(r) || numberValue(r) !== undefined) ? n.childForFieldName('left')! : node;
}

/** ½(P + Q), (P + Q) / 2, through names and clamps: the mixture and its parts. */
function mixtureParts(node: SyntaxNode, model: Model, depth = 0): { mixture: SyntaxNode; parts: SyntaxNode[] } | undefined {
  if (depth > 6) return undefined;
  const n = unwrap(node);
  if (n.type === 'identifier') {
    const a = model.single(n);
    return a ? mixtureParts(a.value, model, depth + 1) : undefined;
  }
  if (n.type === 'call' && model.callee(n)?.fn === 'clamp') {
    const c = model.callee(n)!;
    const inner = c.receiver ?? argument(n, 0, 'input');
    return inner ? mixtureParts(inner, model, depth + 1) : undefined;
  }
  if (n.type !== 'binary_operator') return undefined;
  const op = operatorOf(n);
  const l = n.childForFieldName('left');
  const r = n.childForFieldName('right');
  if (!l || !r) return undefined;
  const sum = (x: SyntaxNode): SyntaxNode[] | undefined => {
    const u = unwrap(x);
    return u.type === 'binary_operator' && operatorOf(u) === '+' ? [u.childForFieldName('left')!, u.childForFieldName('right')!] : undefined;
  };
  if (op === '*' && numberValue(l) === 0.5) return sum(r) ? { mixture: n, parts: sum(r)! } : undefined;
  if (op === '*' && numberValue(r) === 0.5) return sum(l) ? { mixture: n, parts: sum(l)! } : undefined;
  if (op === '/' && numberValue(r) === 2) return sum(l) ? { mixture: n, parts: sum(l)! } : undefined;
  return undefined;
}

/** Words of the enclosing function's name and of the name the result is assigned to. */
function contextWords(site: KlCall, model: Model): Set<string> {
  const words = new Set(wordsOf(model.scopes.scopeAt(site.call.startIndex).name));
  for (let n = site.call.parent; n && n.type !== 'block' && n.type !== 'module'; n = n.parent) {
    if (n.type === 'assignment') for (const w of wordsOf(n.childForFieldName('left')?.text ?? '')) words.add(w);
  }
  return words;
}

/** kl_div(a, b) + kl_div(b, a) in one function: both directions are meant (a symmetric KL). */
function symmetric(site: KlCall, all: readonly KlCall[], model: Model): boolean {
  const scope = model.scopes.scopeAt(site.call.startIndex);
  const words = (n: SyntaxNode | undefined): string => (n ? wordsOf(unwrap(n).text).filter((w) => w !== 'log' && w !== 'softmax').join(' ') : '');
  return all.some(
    (other) =>
      other.call.startIndex !== site.call.startIndex &&
      other.call.startIndex >= scope.start &&
      other.call.startIndex < scope.end &&
      model.scopes.scopeAt(other.call.startIndex) === scope &&
      words(other.input) === words(site.target) &&
      words(other.target) === words(site.input),
  );
}

/**
 * Swap the two arguments, each keeping its own logits, `.detach()` and the rest, and rename the
 * softmaxes so the log-space stays in the input slot: `kl_div(log_softmax(t).detach(), softmax(s))`
 * → `kl_div(log_softmax(s), softmax(t).detach())`. Only for arguments written as softmaxes.
 */
function fixFor(site: KlCall, fi: Facts, ft: Facts, model: Model): { fix?: Fix } {
  const a = fi.producer;
  const b = ft.producer;
  if (!a || !b || fi.names.length > 0 || ft.names.length > 0) return {};
  const input = unwrap(site.input!);
  const target = unwrap(site.target!);
  if (a.call.startIndex !== input.startIndex || b.call.startIndex !== target.startIndex) return {};
  const newInput = a.fn === b.fn ? target.text : renamed(target, b, a.fn, model);
  const newTarget = a.fn === b.fn ? input.text : renamed(input, a, b.fn, model);
  if (newInput === undefined || newTarget === undefined) return {};
  return { fix: { description: 'Swap the two distributions', safety: 'unsafe', edits: [replace(input, newInput), replace(target, newTarget)] } };
}

/** The text of `arg` with its softmax-family producer renamed to `fn` (log_softmax ↔ softmax). */
function renamed(arg: SyntaxNode, producer: Producer, fn: string, model: Model): string | undefined {
  const edits = fn === 'log_softmax' ? toLogSpace(producer, model) : fn === 'softmax' ? toProbabilitySpace(producer) : undefined;
  return edits ? applyEdits(arg.text, arg.startIndex, edits) : undefined;
}
