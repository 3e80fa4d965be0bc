/**
 * # KL008 epsilon-clipped-kl
 *
 * ## What it does
 * Finds KL divergences whose second distribution is kept away from zero by an epsilon before its
 * log: `p * (torch.log(p + eps) - torch.log(q + eps))`, `p * torch.log(p / (q + 1e-8))`,
 * `q.clamp(min=eps).log()`, and `F.kl_div(torch.log(q + 1e-10), p)`.
 *
 * ## Why is this bad?
 * KL(p ‖ q) is infinite when q = 0 somewhere p > 0: q cannot explain an outcome p produces. The
 * epsilon turns that into a finite p·log(p/ε) (about 18·p nats for ε = 1e-8), so a support
 * mismatch — a model that rules out what the data shows — looks like an ordinary, even small,
 * divergence. The code is not wrong on data without zeros; it hides the case that matters. This is
 * information, not a bug: the message says what is hidden, and `KL(p || q)` in KL Lens names the
 * elements where the divergence is infinite.
 *
 * ## Example
 * ```python
 * kl = (p * (torch.log(p + 1e-8) - torch.log(q + 1e-8))).sum(-1)
 * ```
 *
 * ## Use instead
 * ```python
 * kl = torch.special.xlogy(p, p).sum(-1) - torch.special.xlogy(p, q).sum(-1)  # +inf where q = 0 < p
 * ```
 *
 * ## Fix safety
 * No fix: whether an infinite divergence should stop training or be clipped is a decision.
 *
 * ## References
 * - Cover & Thomas, *Elements of Information Theory* (2006), §2.3: D(p‖q) = ∞ if there is x with p(x) > 0 and q(x) = 0
 * - [torch.special.xlogy](https://pytorch.org/docs/stable/special.html#torch.special.xlogy)
 */
import { code } from '../describe';
import type { Facts, Model } from '../model';
import type { Rule } from '../rule';
import { normalized, numberValue, operatorOf, outerOf, type SyntaxNode, unwrap } from '../syntax';

export const epsilonClippedKl: Rule = {
  id: 'KL008',
  name: 'epsilon-clipped-kl',
  severity: 'information',
  check({ model, klCalls, report }) {
    const reported = new Set<number>();
    const say = (node: SyntaxNode, clipped: NonNullable<Facts['clipped']>, where: string): void => {
      if (reported.has(clipped.node.startIndex)) return;
      reported.add(clipped.node.startIndex);
      report({ node: clipped.node, message: message(clipped, where) });
    };
    for (const site of klCalls) {
      if (!site.input) continue;
      const f = model.facts(site.input);
      if (f.producer?.fn === 'log' && f.clipped && !isMixture(f.clipped.inner, model)) say(site.input, f.clipped, `the input of ${code(site.callee)}`);
    }
    for (const call of model.callsOf('log')) {
      const inside = handWrittenQSide(call, model);
      if (inside) say(call, inside, 'this hand-written KL');
    }
  },
};

function message(clipped: NonNullable<Facts['clipped']>, where: string): string {
  const eps = numberValue(clipped.floor);
  const cost = eps !== undefined ? `, ≈ ${(-Math.log(eps)).toPrecision(3)}·p nats more than p·log p,` : '';
  return (
    `${code(clipped.node)} in ${where} keeps the divergence finite where ${code(clipped.inner)} is 0 and p is not: such an element adds ` +
    `p·log(p/${clipped.floor.text})${cost} instead of +∞, so a support mismatch is hidden.`
  );
}

/**
 * The clipped q when `logCall` is the q side of a hand-written KL: the subtracted log in
 * `p * (log(p') - log(q + eps))`, or the log of `p / (q + eps)` multiplied by p.
 */
function handWrittenQSide(logCall: SyntaxNode, model: Model): Facts['clipped'] | undefined {
  const c = model.callee(logCall)!;
  const arg = c.receiver ?? logCall.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
  if (!arg) return undefined;
  const inner = unwrap(arg);
  // p * log(p / (q + eps))
  if (inner.type === 'binary_operator' && operatorOf(inner) === '/') {
    const num = inner.childForFieldName('left');
    const den = inner.childForFieldName('right');
    const clipped = den ? model.clipOf(den) : undefined;
    if (!num || !clipped) return undefined;
    const p = model.clipOf(num)?.inner ?? num;
    return multipliedBy(outerOf(logCall), p) ? clipped : undefined;
  }
  // p * (log(p + eps) - log(q + eps))
  const clipped = model.clipOf(arg);
  if (!clipped) return undefined;
  const diff = outerOf(logCall).parent;
  if (diff?.type !== 'binary_operator' || operatorOf(diff) !== '-') return undefined;
  const left = diff.childForFieldName('left');
  if (!left || unwrap(left).startIndex === unwrap(logCall).startIndex) return undefined;
  const pLog = unwrap(left);
  if (pLog.type !== 'call' || model.callee(pLog)?.fn !== 'log') return undefined;
  const pc = model.callee(pLog)!;
  const pArg = pc.receiver ?? pLog.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
  if (!pArg) return undefined;
  const p = model.clipOf(pArg)?.inner ?? pArg;
  return multipliedBy(outerOf(diff), p) ? clipped : undefined;
}

/**
 * A mixture — `(p + q) / 2`, `torch.stack(probs).mean(0)` — is zero only where all its parts
 * are, so the clamp before its log (as in JS divergences) hides nothing.
 */
function isMixture(node: SyntaxNode, model: Model): boolean {
  let n = unwrap(node);
  if (n.type === 'binary_operator' && (operatorOf(n) === '/' || operatorOf(n) === '*')) {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    if (l && r && numberValue(r) !== undefined) n = unwrap(l);
    else if (l && r && numberValue(l) !== undefined) n = unwrap(r);
  }
  if (n.type === 'binary_operator' && operatorOf(n) === '+') return true;
  if (n.type === 'call') {
    const c = model.callee(n);
    return c?.fn === 'mean' || c?.fn === 'sum';
  }
  if (n.type === 'identifier') {
    const a = model.single(n);
    return a ? isMixture(a.value, model) : false;
  }
  return false;
}

/** True when `node` is an operand of a `*` whose other operand is `p` (the same expression). */
function multipliedBy(node: SyntaxNode, p: SyntaxNode): boolean {
  const parent = node.parent;
  if (parent?.type !== 'binary_operator' || operatorOf(parent) !== '*') return false;
  const left = parent.childForFieldName('left');
  const other = left?.startIndex === node.startIndex ? parent.childForFieldName('right') : left;
  return other !== null && other !== undefined && normalized(unwrap(other)) === normalized(unwrap(p));
}
