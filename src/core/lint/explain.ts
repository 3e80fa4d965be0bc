/**
 * What a `kl_div` / `KLDivLoss` call computes, written out with the user's own argument names:
 * `F.kl_div(a, b, reduction="batchmean")` = Σ b·(log b − a) / batch = KL(b ‖ exp(a)) — the
 * direction made explicit. The hover shows it.
 */
import { findKlCalls, type KlCall } from './klCalls';
import type { Facts, Model } from './model';
import { type SyntaxNode, unwrap } from './syntax';

export interface Explanation {
  /** The range the explanation is for (the called name), as offsets into the unit's source. */
  readonly start: number;
  readonly end: number;
  /** The call as written, shortened. */
  readonly call: string;
  /** The sum it computes, in the user's names: `Σ b·(log b − a) / batch`. */
  readonly formula: string;
  /** The divergence that is: `KL(b ‖ exp(a))`, or undefined when it is not one. */
  readonly divergence: string | undefined;
  /** What the reduction does, in words. */
  readonly reduction: string;
  /** Where the arguments' names came from, and what is wrong with them. */
  readonly notes: readonly string[];
}

const SHORT = 28;

/** The explanation of the KL call whose name (or `KLDivLoss` constructor) covers `offset`. */
export function explainAt(model: Model, offset: number): Explanation | undefined {
  for (const site of findKlCalls(model)) {
    const named = site.callee;
    const ctorName = site.style === 'module' ? site.options.childForFieldName('function') : null;
    const over = (n: SyntaxNode | null | undefined): boolean => !!n && n.startIndex <= offset && offset <= n.endIndex;
    if (over(named) || over(ctorName)) return explain(site, model, over(named) ? named : ctorName!);
  }
  return undefined;
}

function explain(site: KlCall, model: Model, at: SyntaxNode): Explanation {
  const notes: string[] = [];
  const name = (node: SyntaxNode | undefined, fallback: string): string => {
    if (!node) return fallback;
    const text = node.text.replace(/\s+/g, ' ');
    if (text.length <= SHORT) return text;
    notes.push(`${fallback} = ${text}`);
    return fallback;
  };
  const a = name(site.input, 'input');
  const b = name(site.target, 'target');
  const fi = site.input ? model.facts(site.input) : undefined;
  const ft = site.target ? model.facts(site.target) : undefined;
  const logTarget = site.logTarget.value;
  const term = logTarget === true ? `exp(${b})·(${b} − ${a})` : logTarget === false ? `${b}·(log ${b} − ${a})` : `${b}·(log ${b} − ${a}) (or exp(${b})·(${b} − ${a}) with log_target=True)`;
  const reduction = site.legacy ? 'legacy' : site.reduction.value;
  let formula: string;
  let reductionText: string;
  switch (reduction) {
    case 'batchmean':
      formula = `Σ ${term} / batch`;
      reductionText = `the KL of each row, averaged over the batch (${a}.size(0))`;
      break;
    case 'sum':
      formula = `Σ ${term}`;
      reductionText = 'the KL of each row, summed over the batch';
      break;
    case 'mean':
      formula = `Σ ${term} / ${a}.numel()`;
      reductionText = `divided by every element (batch × classes), so by the number of classes too: use reduction="batchmean"`;
      break;
    case 'none':
      formula = term;
      reductionText = 'element by element: summed over the class axis, each row’s KL';
      break;
    case 'legacy':
      formula = `Σ ${term}, reduced by size_average / reduce`;
      reductionText = 'reduced the old way, by size_average / reduce';
      break;
    default:
      formula = `Σ ${term}, reduced as \`reduction\` says at run time`;
      reductionText = 'the reduction is set at run time';
  }
  const P = logTarget === true ? asProbability(site.target, ft, b, 'exp') : asProbability(site.target, ft, b, 'as-is');
  const Q = asProbability(site.input, fi, a, 'exp');
  let divergence: string | undefined = `KL(${P} ‖ ${Q})`;
  if (fi?.form === 'probs') {
    notes.push(`${a} holds probabilities, not log-probabilities: exp(${a}) is not a distribution`);
    divergence = undefined;
  }
  if (ft?.form === 'logprobs' && logTarget === false) {
    notes.push(`${b} holds log-probabilities but log_target is False: log(${b}) of negative numbers is NaN`);
    divergence = undefined;
  }
  if (ft?.form === 'probs' && logTarget === true) {
    notes.push(`${b} holds probabilities but log_target=True reads exp(${b}), which is not a distribution`);
    divergence = undefined;
  }
  for (const [role, facts, node] of [['input', fi, site.input], ['target', ft, site.target]] as const) {
    const producer = facts?.producer;
    if (facts && producer && facts.names.length > 0 && node) notes.push(`${name(node, role)} = ${producer.call.text.replace(/\s+/g, ' ')} (line ${producer.call.startPosition.row + 1})`);
  }
  return {
    start: at.startIndex,
    end: at.endIndex,
    call: site.call.text.replace(/\s+/g, ' ').slice(0, 120),
    formula,
    divergence,
    reduction: reductionText,
    notes: [...new Set(notes)],
  };
}

/**
 * The distribution an argument stands for, as plainly as the code allows: exp(log_softmax(z))
 * is softmax(z), exp(log(p)) is p, otherwise exp(x) (or x itself for a probability target).
 */
function asProbability(node: SyntaxNode | undefined, facts: Facts | undefined, short: string, mode: 'exp' | 'as-is'): string {
  const producer = facts?.producer;
  if (mode === 'exp') {
    if (producer && producer.input && (producer.fn === 'log_softmax' || producer.fn === 'LogSoftmax()')) return `softmax(${shorten(producer.input)})`;
    if (producer && producer.input && producer.fn === 'log' && !facts?.clipped) return shorten(producer.input);
    if (producer && producer.input && producer.fn === 'logsigmoid') return `sigmoid(${shorten(producer.input)})`;
    return `exp(${short})`;
  }
  if (producer && producer.input && (producer.fn === 'softmax' || producer.fn === 'Softmax()') && node && unwrap(node).startIndex === producer.call.startIndex) {
    return `softmax(${shorten(producer.input)})`;
  }
  return short;
}

function shorten(node: SyntaxNode): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length <= SHORT ? text : `${text.slice(0, SHORT - 1)}…`;
}
