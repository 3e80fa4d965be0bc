/**
 * # KL003 kl-div-mean-reduction
 *
 * ## What it does
 * Finds `F.kl_div(...)` calls and `nn.KLDivLoss(...)` constructors whose reduction is `'mean'` —
 * written out, left to the default (which is `'mean'`), or made so by the deprecated
 * `size_average=` / `reduce=` arguments, which override `reduction=` whenever they are given
 * (`KLDivLoss(reduce="batchmean")` is `'mean'`; `KLDivLoss(size_average=False, reduction="batchmean")`
 * is a plain sum; `F.kl_div(..., size_average=True, reduction="batchmean")` divides by the classes
 * and the batch). Also `reduction="none"` followed by `.mean()`, or by `.mean(d)` over the softmax
 * axis.
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
 * Safe where `reduction="batchmean"` replaces 'mean' or the deprecated arguments: it is the
 * documented KL of each row, averaged over the batch. Unsafe for a hand-rolled `.mean()` after
 * `reduction="none"`: the sum goes over the last axis (or the softmax's), which must be the classes.
 *
 * ## References
 * - [torch.nn.KLDivLoss](https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html): "reduction= 'mean' doesn't return the true KL divergence value, please use reduction= 'batchmean' which aligns with the mathematical definition."
 * - [pytorch/pytorch#95687](https://github.com/pytorch/pytorch/issues/95687)
 */
import { code } from '../describe';
import { addKeyword, removeArgument, replace } from '../fixes';
import type { Fix, TextEdit } from '../finding';
import { type KlCall, klOptions, type Setting } from '../klCalls';
import type { Model } from '../model';
import type { Report, Rule } from '../rule';
import { argument, callArgs, numberValue, type SyntaxNode } from '../syntax';

export const klDivMeanReduction: Rule = {
  id: 'KL003',
  name: 'kl-div-mean-reduction',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const call of model.callsOf('kl_div')) check(call, 'function', model, klCalls, report);
    for (const call of model.callsOf('KLDivLoss')) check(call, 'module', model, klCalls, report);
  },
};

const CONSEQUENCE = 'divides by batch × classes, not by the batch: the KL divided by the number of classes. Use reduction="batchmean".';

function check(call: SyntaxNode, style: 'function' | 'module', model: Model, klCalls: readonly KlCall[], report: (r: Report) => void): void {
  const options = klOptions(call, style);
  const { reduction, legacy, legacyReduction } = options;
  const fn = call.childForFieldName('function')!;
  const what = style === 'function' ? code(fn) : code(`${fn.text}(...)`);
  if (legacy) {
    if (legacyReduction) checkLegacy(call, style, legacyReduction, reduction, what, model, report);
    // reduce=False is reduction="none" the old way: a .mean() after it is the same division.
    if (legacyReduction?.value === 'none' && style === 'function') handRolledMean(call, model, klCalls, report);
    return;
  }
  if (reduction.value === 'none' && style === 'function') {
    handRolledMean(call, model, klCalls, report);
    return;
  }
  if (reduction.value !== 'mean') return;
  if (reduction.explicit && reduction.node) {
    const value = reduction.node.type === 'keyword_argument' ? reduction.node.childForFieldName('value')! : reduction.node;
    const quote = value.text.trimStart().startsWith("'") ? "'" : '"';
    const fix: Fix = { description: 'Use reduction="batchmean"', safety: 'safe', edits: [replace(value, `${quote}batchmean${quote}`)] };
    report({ node: reduction.node, message: `reduction='mean' ${CONSEQUENCE}`, fix });
    return;
  }
  const edit = addKeyword(call, 'reduction="batchmean"');
  report({
    node: style === 'function' ? fn : call,
    message: `${what} defaults to reduction='mean', which ${CONSEQUENCE}`,
    ...(edit ? { fix: { description: 'Use reduction="batchmean"', safety: 'safe', edits: [edit] } } : {}),
  });
}

/**
 * size_average= / reduce= decide the reduction the old way, and PyTorch applies them differently:
 * `nn.KLDivLoss` replaces its reduction with theirs; `F.kl_div` uses theirs and then still divides
 * by the batch when `reduction="batchmean"` (so size_average=False with batchmean is right there,
 * and size_average=True with batchmean divides by the classes and the batch).
 */
function checkLegacy(
  call: SyntaxNode,
  style: 'function' | 'module',
  legacy: NonNullable<KlCall['legacyReduction']>,
  reduction: Setting<string>,
  what: string,
  model: Model,
  report: (r: Report) => void,
): void {
  const args = legacyArguments(call);
  const batchmean = style === 'function' && reduction.value === 'batchmean';
  // F.kl_div with a reduction held in a variable: it may be "batchmean", which keeps its division.
  if (style === 'function' && reduction.explicit && reduction.value === undefined) return;
  if (legacy.value === 'mean') {
    const message = batchmean
      ? `${code(legacy.node)} (deprecated) makes the reduction of ${what} 'mean', and batchmean then divides by the batch again: the KL / (classes × batch). Use reduction="batchmean" alone.`
      : `${code(legacy.node)} (deprecated) overrides reduction and makes it 'mean', which ${CONSEQUENCE}`;
    report({ node: legacy.node, message, fix: { description: 'Use reduction="batchmean"', safety: 'safe', edits: replaceLegacy(call, args, reduction, model, '"batchmean"') } });
    return;
  }
  if (!reduction.explicit || (batchmean && legacy.value === 'sum') || reduction.value === legacy.value) return;
  const consequence = legacy.value === 'sum' ? ': the loss is a sum over the batch and grows with the batch size' : ': nothing is summed';
  const value = reduction.node!.type === 'keyword_argument' ? reduction.node!.childForFieldName('value')! : reduction.node!;
  const written = reduction.value !== undefined ? code(`'${reduction.value}'`) : code(value.text);
  report({
    node: legacy.node,
    message: `${code(legacy.node)} (deprecated) overrides reduction=${written} of ${what}: PyTorch computes reduction='${legacy.value}'${consequence}. Remove it.`,
    fix: { description: 'Keep the reduction you wrote', safety: 'safe', edits: args.map((a) => removeArgument(call, a, model.source)) },
  });
}

/** The `size_average=` and `reduce=` arguments (keyword forms; positional ones are left alone). */
function legacyArguments(call: SyntaxNode): SyntaxNode[] {
  const kw = callArgs(call).keywords;
  return ['size_average', 'reduce'].map((k) => kw.get(k)).filter((a): a is SyntaxNode => a !== undefined);
}

/** The legacy arguments give way to `reduction=value`: the first one becomes it when there is no reduction keyword. */
function replaceLegacy(call: SyntaxNode, legacy: readonly SyntaxNode[], reduction: Setting<string>, model: Model, value: string): TextEdit[] {
  if (reduction.node?.type === 'keyword_argument') {
    return [...legacy.map((a) => removeArgument(call, a, model.source)), replace(reduction.node.childForFieldName('value')!, value)];
  }
  const [first, ...rest] = legacy;
  if (!first) return [];
  return [replace(first, `reduction=${value}`), ...rest.map((a) => removeArgument(call, a, model.source))];
}

/**
 * `F.kl_div(..., reduction="none").mean()`, or `.mean(d)` over the axis the softmax was taken
 * along: the same division by the number of classes, written by hand.
 */
function handRolledMean(call: SyntaxNode, model: Model, klCalls: readonly KlCall[], report: (r: Report) => void): void {
  const p = call.parent;
  if (p?.type !== 'attribute' || p.childForFieldName('attribute')?.text !== 'mean' || p.parent?.type !== 'call') return;
  const mean = p.parent;
  const dim = argument(mean, 0, 'dim');
  const site = klCalls.find((s) => s.call.startIndex === call.startIndex && s.call.endIndex === call.endIndex);
  const classAxis = site ? softmaxAxis(site.input, model) ?? softmaxAxis(site.target, model) : undefined;
  if (dim) {
    const d = numberValue(dim);
    if (d === undefined || classAxis === undefined || d !== classAxis) return;
  }
  const attr = p.childForFieldName('attribute')!;
  const fix: Fix = dim
    ? { description: 'Sum over the classes', safety: 'unsafe', edits: [replace(attr, 'sum')] }
    : { description: 'Sum over the classes, then average over the rows', safety: 'unsafe', edits: [replace(attr, `sum(${classAxis ?? -1}).mean`)] };
  report({
    node: mean,
    message:
      `${code(mean)} averages the pointwise KL over ${dim ? 'the classes' : 'every element'}: the KL divided by the number of classes, as reduction='mean' is. ` +
      `Sum over the class axis${dim ? '' : ', then average the rows'} (or use reduction="batchmean").`,
    fix,
  });
}

/** The axis a softmax or log_softmax was taken along, when it is a literal. */
function softmaxAxis(arg: SyntaxNode | undefined, model: Model): number | undefined {
  const producer = arg ? model.facts(arg).producer : undefined;
  if (!producer || !['softmax', 'log_softmax'].includes(producer.fn)) return undefined;
  const method = model.callee(producer.call)?.receiver !== undefined;
  const dim = method ? argument(producer.call, 0, 'dim') : argument(producer.call, 1, 'dim');
  return dim ? numberValue(dim) : undefined;
}
