/**
 * # KL009 vae-kl-reduction
 *
 * ## What it does
 * Finds the Gaussian VAE regulariser `-0.5 * (1 + logvar - mu**2 - logvar.exp())` when it is
 * averaged over the latent dimensions (`.mean()` of the whole term, or a mean over the last
 * axis) instead of summed over them; and the same term where the file samples the latent with
 * exp(logvar) as the standard deviation (`std = torch.exp(logvar)`, without the ½), so that what
 * the term takes as log σ² is log σ.
 *
 * ## Why is this bad?
 * KL(N(μ, σ²) ‖ N(0, 1)) of a diagonal Gaussian is the *sum* over latent dimensions of
 * −½(1 + log σ² − μ² − σ²). Averaging over the dimensions divides the KL by the latent size: with
 * 128 latents the regulariser is 128 times weaker than the ELBO says, and the posterior collapses
 * less than it should — a β-VAE with an unintended β = 1/128. The formula also needs log σ²:
 * given log σ, it computes the KL of a Gaussian with standard deviation √σ.
 *
 * ## Example
 * ```python
 * kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
 * ```
 *
 * ## Use instead
 * ```python
 * kld = torch.mean(-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1))
 * ```
 *
 * ## Fix safety
 * Unsafe: the fix sums over the last axis, which holds the latent dimensions for (batch, latent)
 * tensors but not for convolutional latents. The log-σ finding has no fix: which of the two
 * places is wrong is for the author to say.
 *
 * ## References
 * - Kingma & Welling, [Auto-Encoding Variational Bayes](https://arxiv.org/abs/1312.6114) (2013), appendix B: −D_KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)
 */
import { code } from '../describe';
import { insertAt, replace } from '../fixes';
import type { Fix } from '../finding';
import type { Model } from '../model';
import type { Rule } from '../rule';
import { additiveTerms, argument, normalized, numberValue, operatorOf, outerOf, type SyntaxNode, unwrap, wordsOf } from '../syntax';

export const vaeKlReduction: Rule = {
  id: 'KL009',
  name: 'vae-kl-reduction',
  severity: 'warning',
  check({ model, report }) {
    const seen = new Set<number>();
    for (const call of model.callsOf('exp')) {
      const term = vaeTerm(call, model);
      if (!term || seen.has(term.node.startIndex)) continue;
      seen.add(term.node.startIndex);
      const asStd = usedAsLogStd(term, model);
      if (asStd) {
        report({
          node: term.logvar,
          message:
            `This Gaussian KL takes ${code(term.logvar)} as log σ², but ${code(asStd)} (line ${asStd.startPosition.row + 1}) uses its exp as σ: ` +
            `with log σ for log σ² it is the KL of a Gaussian of standard deviation √σ. Sample with exp(0.5 * ${term.logvar.text}), or use 2 * ${term.logvar.text} here.`,
        });
      }
      const mean = firstReduction(term.node, model);
      if (!mean) continue;
      report({
        node: mean.call,
        message: `${code(mean.call)} averages the Gaussian KL over the latent dimensions: the ELBO sums them, so this is the KL divided by the latent size. Sum over dim=-1, then average the batch.`,
        ...fixFor(mean, model),
      });
    }
  },
};

/**
 * Where the file samples with exp(L) as the standard deviation (`std = torch.exp(logvar)`,
 * `mu + eps * logvar.exp()`) and never with exp(0.5·L): the KL's L is then log σ, not log σ².
 * Names are no evidence either way (`logvar` often holds log σ, consistently).
 */
function usedAsLogStd(term: Term, model: Model): SyntaxNode | undefined {
  const L = normalized(term.logvar);
  let asStd: SyntaxNode | undefined;
  for (const call of model.callsOf('exp')) {
    if (call.startIndex >= term.node.startIndex && call.endIndex <= term.node.endIndex) continue;
    const c = model.callee(call)!;
    const arg = c.receiver ?? argument(call, 0, 'input');
    if (!arg) continue;
    const a = unwrap(arg);
    if (halfOf(a, L)) return undefined;
    if (normalized(a) !== L) continue;
    const user = outerOf(call).parent;
    const target = user?.type === 'assignment' ? user.childForFieldName('left') : undefined;
    const words = target ? wordsOf(target.text) : [];
    const scaled = user?.type === 'binary_operator' && operatorOf(user) === '*';
    if (words.some((w) => ['std', 'sigma', 'sd', 'scale'].includes(w)) || scaled) asStd ??= call;
  }
  return asStd;
}

/** 0.5 * L, L * 0.5, L / 2, L.mul(0.5), L.div(2): half the log-variance, the log σ. */
function halfOf(node: SyntaxNode, L: string): boolean {
  if (node.type === 'binary_operator') {
    const op = operatorOf(node);
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    if (!l || !r) return false;
    if (op === '*') return (numberValue(l) === 0.5 && normalized(unwrap(r)) === L) || (numberValue(r) === 0.5 && normalized(unwrap(l)) === L);
    if (op === '/') return numberValue(r) === 2 && normalized(unwrap(l)) === L;
    return false;
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    const by = argument(node, 0, 'other');
    if (!receiver || !by || normalized(unwrap(receiver)) !== L) return false;
    return (method === 'mul' || method === 'mul_') ? numberValue(by) === 0.5 : (method === 'div' || method === 'div_') ? numberValue(by) === 2 : false;
  }
  return false;
}


interface Term {
  /** The whole elementwise term (the sum, with a −0.5 factor when it is written around it). */
  readonly node: SyntaxNode;
  readonly logvar: SyntaxNode;
}

/**
 * When `expCall` is exp(L) in 1 + L − M² − exp(L) (in any order of its terms, or with every sign
 * flipped): the term.
 */
function vaeTerm(expCall: SyntaxNode, model: Model): Term | undefined {
  const c = model.callee(expCall)!;
  const L = c.receiver ?? argument(expCall, 0, 'input');
  if (!L) return undefined;
  // Climb to the top of the additive expression.
  let top = expCall;
  for (let p = top.parent; p && (p.type === 'parenthesized_expression' || (p.type === 'binary_operator' && ['+', '-'].includes(operatorOf(p) ?? ''))); p = p.parent) top = p;
  const terms = additiveTerms(top);
  const l = normalized(unwrap(L));
  const expTerm = terms.find((t) => unwrap(t.node).startIndex === expCall.startIndex);
  if (!expTerm) return undefined;
  const s = -expTerm.sign; // the sign of 1 and L relative to −exp(L)
  const hasOne = terms.some((t) => t.sign === s && numberValue(t.node) === 1);
  const hasL = terms.some((t) => t.sign === s && normalized(unwrap(t.node)) === l);
  const hasSquare = terms.some((t) => t.sign === -s && isSquare(t.node, model));
  if (!hasOne || !hasL || !hasSquare || terms.length !== 4) return undefined;
  // Include a constant factor written around the sum: -0.5 * (...), (...) * -0.5, 0.5 * (...).
  let node = top;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  const p = node.parent;
  if (p?.type === 'binary_operator' && operatorOf(p) === '*') {
    const left = p.childForFieldName('left');
    const other = left?.startIndex === node.startIndex ? p.childForFieldName('right') : left;
    if (other && numberValue(other) !== undefined) node = p;
  }
  return { node, logvar: unwrap(L) };
}


/** M ** 2, M.pow(2), torch.pow(M, 2), M * M, M.square(), torch.square(M). */
function isSquare(node: SyntaxNode, model: Model): boolean {
  const n = unwrap(node);
  if (n.type === 'binary_operator') {
    const op = operatorOf(n);
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    if (!l || !r) return false;
    if (op === '**') return numberValue(r) === 2;
    if (op === '*') return normalized(l) === normalized(r);
    return false;
  }
  if (n.type === 'call') {
    const c = model.callee(n);
    if (c?.fn === 'square') return true;
    if (c?.fn === 'pow') {
      const k = c.receiver ? argument(n, 0, 'exponent') : argument(n, 1, 'exponent');
      return k !== undefined && numberValue(k) === 2;
    }
  }
  return false;
}

interface Mean {
  readonly call: SyntaxNode;
  /** The tensor being averaged, and how: `x.mean()` or `torch.mean(x)`. */
  readonly operand: SyntaxNode;
  readonly method: boolean;
  readonly dim: SyntaxNode | undefined;
}

/**
 * The first reduction applied to the term (through constant factors): a mean over everything or
 * over the last axis. A sum, a mean over the batch axis or no reduction is not reported.
 */
function firstReduction(term: SyntaxNode, model: Model): Mean | undefined {
  let node = term;
  for (let p = node.parent; p; node = p, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type === 'binary_operator' && operatorOf(p) === '*') {
      const left = p.childForFieldName('left');
      const other = left?.startIndex === node.startIndex ? p.childForFieldName('right') : left;
      if (other && numberValue(other) !== undefined) continue;
      return undefined;
    }
    let call: SyntaxNode | undefined;
    let method = false;
    if (p.type === 'attribute' && p.parent?.type === 'call' && p.childForFieldName('object')?.startIndex === node.startIndex) {
      call = p.parent;
      method = true;
    } else if (p.type === 'argument_list' && p.parent?.type === 'call') {
      call = p.parent;
    }
    if (!call) return undefined;
    const c = model.callee(call);
    if (!c) return undefined;
    if (c.fn !== 'mean') return undefined;
    if (!method && argument(call, 0, 'input')?.startIndex !== node.startIndex) return undefined;
    const dim = method ? argument(call, 0, 'dim') : argument(call, 1, 'dim');
    if (dim) {
      const d = numberValue(dim);
      // dim=-1 (or 1 of a (batch, latent) tensor) averages the latent dimensions; dim=0 the batch.
      if (d !== -1 && d !== 1) return undefined;
    }
    return { call, operand: node, method, dim };
  }
  return undefined;
}

function fixFor(mean: Mean, model: Model): { fix?: Fix } {
  if (mean.dim) {
    // .mean(dim=-1) → .sum(dim=-1): the per-sample KL; the batch mean is taken where it was.
    const fn = mean.call.childForFieldName('function')!;
    const attr = fn.type === 'attribute' ? fn.childForFieldName('attribute') : undefined;
    return attr ? { fix: { description: 'Sum over the latent dimensions', safety: 'unsafe', edits: [replace(attr, 'sum')] } } : {};
  }
  const operand = mean.operand;
  if (mean.method) {
    // (...).mean() → (...).sum(dim=-1).mean()
    const fn = mean.call.childForFieldName('function')!;
    const attr = fn.childForFieldName('attribute')!;
    return { fix: { description: 'Sum over the latent dimensions, then average over the batch', safety: 'unsafe', edits: [insertAt(attr.startIndex, 'sum(dim=-1).')] } };
  }
  // torch.mean(x) → torch.mean(torch.sum(x, dim=-1))
  const fn = mean.call.childForFieldName('function')!;
  // torch.mean → torch.sum, np.mean → np.sum; a bare `mean` import needs torch.sum spelled out.
  const sum = fn.type === 'attribute' ? `${fn.childForFieldName('object')!.text}.sum` : model.imports.spell('torch.sum');
  if (!sum) return {};
  return {
    fix: {
      description: 'Sum over the latent dimensions, then average over the batch',
      safety: 'unsafe',
      edits: [insertAt(operand.startIndex, `${sum}(`), insertAt(operand.endIndex, ', dim=-1)')],
    },
  };
}
