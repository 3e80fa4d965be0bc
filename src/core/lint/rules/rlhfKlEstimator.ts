/**
 * # KL010 rlhf-kl-estimator
 *
 * ## What it does
 * Finds two mistakes in the per-token KL estimators of RLHF (PPO, GRPO) against a reference
 * policy: the k3 estimator `exp(r) - r - 1` written with r = logp − ref_logp, and the k1 estimator
 * `logp - ref_logp` minimised directly as a loss.
 *
 * ## Why is this bad?
 * For tokens sampled from the policy π, Schulman's k3 = (ρ − 1) − log ρ with ρ = π_ref/π, that is
 * `exp(ref_logp - logp) - (ref_logp - logp) - 1`, is an unbiased, always non-negative estimate of
 * KL(π ‖ π_ref). With the log-ratio reversed, ρ = π/π_ref, and the average estimates
 * χ²(π ‖ π_ref) − KL(π ‖ π_ref) — not the KL, and far larger where the policy has drifted.
 *
 * k1 = logp − ref_logp estimates the KL's value, but minimised as a loss over samples from π its
 * gradient is E_π[∇ log π] = 0 in expectation: the term adds noise and does not pull the policy
 * toward the reference. k1 belongs in the reward (detached); in the loss use k3 (GRPO) or k2.
 *
 * ## Example
 * ```python
 * log_ratio = per_token_logps - ref_per_token_logps
 * per_token_kl = torch.exp(log_ratio) - log_ratio - 1
 * kl_loss = (per_token_logps - ref_per_token_logps).mean()
 * ```
 *
 * ## Use instead
 * ```python
 * log_ratio = ref_per_token_logps - per_token_logps
 * per_token_kl = torch.exp(log_ratio) - log_ratio - 1
 * kl_loss = (torch.exp(ref_per_token_logps - per_token_logps) - (ref_per_token_logps - per_token_logps) - 1).mean()
 * ```
 *
 * ## Fix safety
 * The reversed log-ratio: the two log-probabilities are swapped where the ratio is formed — safe
 * when that is inside the estimator or in a name nothing else reads, unsafe when the name is read
 * elsewhere too (that use changes sign). Unsafe for k1 in a loss: the fix writes k3 in its place,
 * a change of estimator.
 *
 * ## References
 * - J. Schulman, [Approximating KL Divergence](http://joschu.net/blog/kl-approx.html) (2020): k1, k2, k3
 * - Shao et al., [DeepSeekMath](https://arxiv.org/abs/2402.03300) (2024), eq. 4: the GRPO KL term π_ref/π − log(π_ref/π) − 1
 */
import { code } from '../describe';
import { replace } from '../fixes';
import type { Fix } from '../finding';
import type { Model } from '../model';
import type { Rule } from '../rule';
import { additiveTerms, argument, asOperand, normalized, numberValue, operatorOf, outerOf, type SyntaxNode, unwrap, wordsOf } from '../syntax';

/** Names of the reference model's log-probabilities. `old` is PPO's behaviour policy, which k3's reversed form is right for. */
const REFERENCE = new Set(['ref', 'reference', 'sft', 'init', 'initial', 'frozen', 'base']);
/** Whether some text may name a reference model's log-probabilities (`__init__` is not an init). */
function mentionsReference(text: string): boolean {
  return /(?:^|[^A-Za-z])(?:ref|reference|sft|frozen|base|initial)(?:[^a-z]|$)|(?:^|[^A-Za-z_])init(?:[^a-z_]|_(?!_)|$)/i.test(text);
}

const LOG_PROB = new Set(['log', 'logp', 'logps', 'logprob', 'logprobs', 'lp', 'lps', 'logpi']);
const NOT_A_LOSS = new Set(['reward', 'rewards', 'score', 'scores', 'return', 'returns', 'advantage', 'advantages', 'stats', 'metrics', 'info']);

export const rlhfKlEstimator: Rule = {
  id: 'KL010',
  name: 'rlhf-kl-estimator',
  severity: 'warning',
  check({ model, report }) {
    const k3Ratios = new Set<string>();
    for (const call of [...model.callsOf('exp'), ...model.callsOf('expm1')]) {
      const fn = model.callee(call)!.fn;
      const k3 = k3Of(call, fn, model);
      if (!k3) continue;
      k3Ratios.add(k3.ratio.startIndex + ':' + k3.ratio.endIndex);
      const sides = logRatioSides(k3.ratio, model);
      if (!sides || sides.ref !== 'right') continue;
      report({
        node: k3.expression,
        message:
          `k3 with r = ${code(sides.node)} = log π − log π_ref is reversed for tokens sampled from π: its average is χ²(π‖π_ref) − KL(π‖π_ref), not the KL. ` +
          `Use r = ${code(`${sides.right.text} - ${sides.left.text}`)}.`,
        ...swapFix(sides, k3, model),
      });
    }
    for (const diff of model.scopes.differencesWhere(model.source, mentionsReference)) {
      const sides = logRatioSides(diff, model);
      if (!sides || k3Ratios.has(diff.startIndex + ':' + diff.endIndex) || insideEstimator(diff, model)) continue;
      if (model.scopes.inNoGrad(diff.startIndex) || model.facts(sides.policy).detached) continue;
      const loss = lossDestination(diff, model);
      if (!loss) continue;
      report({
        node: diff,
        message:
          `${code(diff)} (k1) is minimised in ${code(loss)}: its gradient E_π[∇log π] is zero in expectation, so it does not pull π toward π_ref. ` +
          `Use k1 as a detached reward, or k3 in the loss.`,
        ...k3Fix(diff, sides, model),
      });
    }
  },
};

interface K3 {
  /** exp(r) − r − 1 (or expm1(r) − r), the whole estimator. */
  readonly expression: SyntaxNode;
  /** r, as written in the exp. */
  readonly ratio: SyntaxNode;
  /** The r that is subtracted, as written there. */
  readonly subtracted: SyntaxNode;
}

/** The k3 expression around `exp(r)`: the additive terms are exactly +exp(r), −r, −1. */
function k3Of(call: SyntaxNode, fn: string, model: Model): K3 | undefined {
  const c = model.callee(call)!;
  const r = c.receiver ?? argument(call, 0, 'input');
  if (!r) return undefined;
  let top = call;
  for (let p = top.parent; p && (p.type === 'parenthesized_expression' || (p.type === 'binary_operator' && ['+', '-'].includes(operatorOf(p) ?? ''))); p = p.parent) top = p;
  // (a - b) stays one term: it is the r that k3 subtracts.
  const terms = additiveTerms(top, true);
  const e = terms.find((t) => t.node.startIndex === call.startIndex && t.node.endIndex === call.endIndex);
  if (!e) return undefined;
  const sameRatio = (t: SyntaxNode): boolean => normalized(t) === normalized(unwrap(r)) || isLogOf(t, call, model);
  const minusR = terms.find((t) => t.sign === -e.sign && sameRatio(t.node));
  const minusOne = terms.some((t) => t.sign === -e.sign && numberValue(t.node) === 1);
  const ok = fn === 'exp' ? terms.length === 3 && minusR && minusOne : terms.length === 2 && minusR;
  return ok && minusR ? { expression: outerOf(top), ratio: unwrap(r), subtracted: minusR.node } : undefined;
}

/** log(exp(r)) written as `torch.log(ratio)` where `ratio = torch.exp(r)`: the same r. */
function isLogOf(node: SyntaxNode, expCall: SyntaxNode, model: Model): boolean {
  const n = unwrap(node);
  if (n.type !== 'call' || model.callee(n)?.fn !== 'log') return false;
  const inner = model.callee(n)!.receiver ?? argument(n, 0, 'input');
  return inner !== undefined && unwrap(inner).startIndex === expCall.startIndex;
}



interface Sides {
  /** The difference as written (`a - b`). */
  readonly node: SyntaxNode;
  readonly left: SyntaxNode;
  readonly right: SyntaxNode;
  /** Which side is the reference policy's log-probability. */
  readonly ref: 'left' | 'right';
  readonly policy: SyntaxNode;
}

/** `logp - ref_logp` (through one local name): a log-ratio of the policy and the reference. */
function logRatioSides(node: SyntaxNode, model: Model, depth = 0): Sides | undefined {
  const n = unwrap(node);
  if (n.type === 'identifier' && depth === 0) {
    const a = model.single(n);
    return a ? logRatioSides(a.value, model, 1) : undefined;
  }
  if (n.type === 'binary_operator' && operatorOf(n) === '*') {
    // (logp - ref_logp) * mask: the masked log-ratio.
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    if (l && r && wordsOf(r.text).includes('mask')) return logRatioSides(l, model, depth + 1);
    if (l && r && wordsOf(l.text).includes('mask')) return logRatioSides(r, model, depth + 1);
    return undefined;
  }
  if (n.type !== 'binary_operator' || operatorOf(n) !== '-') return undefined;
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  if (!left || !right) return undefined;
  const wl = wordsOf(left.text);
  const wr = wordsOf(right.text);
  const isLogProb = (w: string[]): boolean => w.some((x) => LOG_PROB.has(x));
  if (!isLogProb(wl) || !isLogProb(wr)) return undefined;
  const refL = wl.some((x) => REFERENCE.has(x));
  const refR = wr.some((x) => REFERENCE.has(x));
  if (refL === refR) return undefined;
  return { node: n, left, right, ref: refL ? 'left' : 'right', policy: refL ? right : left };
}

/** Inside exp(), a square, an abs or a k3 expression: another estimator than k1. */
function insideEstimator(diff: SyntaxNode, model: Model): boolean {
  for (let n = diff.parent, depth = 0; n && depth < 6; n = n.parent, depth++) {
    if (n.type === 'parenthesized_expression') continue;
    if (n.type === 'binary_operator') {
      const op = operatorOf(n);
      if (op === '**') return true;
      if (op === '*' && normalized(n.childForFieldName('left')!) === normalized(n.childForFieldName('right')!)) return true;
      if (op === '+' || op === '-') {
        // exp(r) - r - 1: the r that is subtracted is part of k3.
        if (n.descendantsOfType('call').some((c) => c && ['exp', 'expm1'].includes(model.callee(c)?.fn ?? ''))) return true;
        continue;
      }
      continue;
    }
    if (n.type === 'argument_list' && n.parent?.type === 'call') {
      const fn = model.callee(n.parent)?.fn;
      if (fn === 'exp' || fn === 'expm1' || fn === 'pow' || fn === 'square' || n.parent.childForFieldName('function')?.text.endsWith('abs')) return true;
      if (fn === 'sum' || fn === 'mean') continue;
      return false;
    }
    if (n.type === 'attribute' && n.parent?.type === 'call') {
      const name = n.childForFieldName('attribute')?.text ?? '';
      if (['exp', 'expm1', 'pow', 'square', 'abs'].includes(name)) return true;
      if (name === 'detach') return true;
      continue;
    }
    return false;
  }
  return false;
}


/** The loss a difference is added into: an assignment to a `*loss*` name, or a `*loss*` function's return. */
function lossDestination(diff: SyntaxNode, model: Model): SyntaxNode | undefined {
  const queue: SyntaxNode[] = [outerOf(diff)];
  const seen = new Set<number>();
  while (queue.length > 0) {
    let node = queue.shift()!;
    let p = node.parent;
    while (p && (p.type === 'parenthesized_expression' || linear(p) || p.type === 'unary_operator' || reduces(p, model))) {
      node = p.type === 'attribute' || p.type === 'argument_list' ? p.parent! : p;
      p = node.parent;
    }
    if (!p) continue;
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      const target = p.childForFieldName('left');
      if (!target) continue;
      const words = wordsOf(target.text);
      if (words.includes('loss') || words.includes('losses') || words.includes('objective')) return target;
      if (words.some((w) => NOT_A_LOSS.has(w)) || target.type !== 'identifier' || p.type === 'augmented_assignment') continue;
      // An intermediate name: follow its uses.
      const scope = model.scopes.scopeAt(target.startIndex);
      const statement = p;
      for (const use of model.scopes.usesOf(target.text, scope)) {
        if (use.startIndex <= statement.endIndex || seen.has(use.startIndex) || insideEstimator(use, model)) continue;
        seen.add(use.startIndex);
        queue.push(use);
      }
      continue;
    }
    if (p.type === 'return_statement' && wordsOf(model.scopes.scopeAt(p.startIndex).name).includes('loss')) return p;
  }
  return undefined;
}

/** `+`, `-`, `*`, `/`: the k1 term still enters linearly (a square or a power makes it k2). */
function linear(p: SyntaxNode): boolean {
  return p.type === 'binary_operator' && ['+', '-', '*', '/'].includes(operatorOf(p) ?? '');
}

/** x.mean(), x.sum(-1), torch.mean(x), masked_mean(x, mask): the loss of a reduced term. */
function reduces(p: SyntaxNode, model: Model): boolean {
  if (p.type === 'attribute' && p.parent?.type === 'call') {
    const name = p.childForFieldName('attribute')?.text ?? '';
    return name === 'mean' || name === 'sum';
  }
  if (p.type === 'argument_list' && p.parent?.type === 'call') {
    const fn = model.callee(p.parent)?.fn;
    if (fn === 'mean' || fn === 'sum') return true;
    const name = p.parent.childForFieldName('function');
    const last = name?.type === 'attribute' ? name.childForFieldName('attribute')?.text : name?.type === 'identifier' ? name.text : undefined;
    const words = wordsOf(last ?? '');
    return words[words.length - 1] === 'mean' || words[words.length - 1] === 'sum';
  }
  return false;
}

/**
 * Swap a and b where the ratio `a - b` is written: safe when that is inside the estimator, or
 * the name holding it is used nowhere else.
 */
function swapFix(sides: Sides, k3: K3, model: Model): { fix?: Fix } {
  const inside = sides.node.startIndex >= k3.expression.startIndex && sides.node.endIndex <= k3.expression.endIndex;
  let safe = inside;
  if (!inside && k3.ratio.type === 'identifier') {
    const uses = model.scopes.usesOf(k3.ratio.text, model.scopes.scopeAt(k3.ratio.startIndex));
    safe = uses.every((u) => u.startIndex >= k3.expression.startIndex && u.endIndex <= k3.expression.endIndex);
  }
  const edits = [replace(sides.left, sides.right.text), replace(sides.right, sides.left.text)];
  // exp(a - b) - (a - b) - 1: the subtracted ratio is swapped too.
  const again = inside ? logRatioSides(k3.subtracted, model, 1) : undefined;
  if (again && again.node.startIndex !== sides.node.startIndex) edits.push(replace(again.left, again.right.text), replace(again.right, again.left.text));
  const fix: Fix = { description: `Use ${sides.right.text} - ${sides.left.text}`, safety: safe ? 'safe' : 'unsafe', edits };
  return { fix };
}

/** k3 in place of the k1 difference, when nothing but the loss reads that difference. */
function k3Fix(diff: SyntaxNode, sides: Sides, model: Model): { fix?: Fix } {
  const holder = outerOf(diff).parent;
  if (holder?.type === 'assignment') {
    const name = holder.childForFieldName('left');
    if (name?.type !== 'identifier' || model.scopes.usesOf(name.text, model.scopes.scopeAt(name.startIndex)).length !== 1) return {};
  }
  const ref = sides.ref === 'left' ? sides.left : sides.right;
  const pol = sides.policy;
  const r = `(${ref.text} - ${asOperand(pol)})`;
  const k3 = `(${r}.exp() - ${r} - 1)`;
  // ref − logp is −k1: its k3 is the same expression. The parentheses around the difference go.
  return { fix: { description: 'Use the k3 estimator', safety: 'unsafe', edits: [replace(outerOf(diff), k3)] } };
}
