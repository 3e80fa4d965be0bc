/**
 * Building blocks of the rules' fixes: text edits that rename a callee, add or drop a keyword
 * argument, or wrap an expression — each keeping the rest of the user's text as it was.
 */
import type { Fix, TextEdit } from './finding';
import type { Model, Producer } from './model';
import { callArgs, type SyntaxNode } from './syntax';

export function replace(node: SyntaxNode, text: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, text };
}

export function insertAt(offset: number, text: string): TextEdit {
  return { start: offset, end: offset, text };
}

/** Adds `keyword=value` as the last argument of `call`: `f(a, b)` → `f(a, b, reduction="batchmean")`. */
export function addKeyword(call: SyntaxNode, text: string): TextEdit | undefined {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const args = list.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment');
  const last = args[args.length - 1];
  if (!last) return insertAt(list.startIndex + 1, text);
  return insertAt(last.endIndex, `, ${text}`);
}

/** Drops a keyword argument with the comma that joins it to its neighbour. */
export function removeArgument(call: SyntaxNode, argument: SyntaxNode, source: string): TextEdit {
  const args = callArgs(call);
  const all = [...args.positional, ...args.keywords.values()].sort((a, b) => a.startIndex - b.startIndex);
  const i = all.findIndex((a) => a.startIndex === argument.startIndex);
  const previous = all[i - 1];
  if (previous) return { start: previous.endIndex, end: argument.endIndex, text: '' };
  const next = all[i + 1];
  if (next) return { start: argument.startIndex, end: next.startIndex, text: '' };
  // The only argument: keep the parentheses, drop the rest, and any trailing comma.
  let end = argument.endIndex;
  while (end < source.length && /[\s,]/.test(source[end]!) && source[end] !== ')') end++;
  return { start: argument.startIndex, end, text: '' };
}

/** The log-space function of a producer: softmax → log_softmax, sigmoid → logsigmoid. */
const LOG_OF: Readonly<Record<string, { method?: string; qualified: string; module?: string }>> = {
  softmax: { method: 'log_softmax', qualified: 'torch.nn.functional.log_softmax' },
  sigmoid: { qualified: 'torch.nn.functional.logsigmoid' },
  'Softmax()': { qualified: 'torch.nn.functional.log_softmax', module: 'LogSoftmax' },
};

/**
 * Edits turning a softmax (sigmoid) call into its log-space counterpart, in the spelling the
 * file already uses: `F.softmax(x, -1)` → `F.log_softmax(x, -1)`, `x.softmax(-1)` →
 * `x.log_softmax(-1)`, `torch.sigmoid(x)` → `F.logsigmoid(x)`. Undefined when the file has no
 * import to spell it with.
 */
export function toLogSpace(producer: Producer, model: Model): TextEdit[] | undefined {
  const target = LOG_OF[producer.fn];
  if (!target) return undefined;
  const fn = producer.call.childForFieldName('function');
  if (!fn) return undefined;
  if (target.module) {
    // nn.Softmax(dim=1)(x) → nn.LogSoftmax(dim=1)(x): rename the class in the constructor.
    const ctor = fn.type === 'call' ? fn.childForFieldName('function') : undefined;
    const attr = ctor?.type === 'attribute' ? ctor.childForFieldName('attribute') : undefined;
    return attr ? [replace(attr, target.module)] : undefined;
  }
  if (fn.type === 'attribute') {
    const attr = fn.childForFieldName('attribute')!;
    const receiverIsTensor = model.callee(producer.call)?.receiver !== undefined;
    if (receiverIsTensor) {
      if (target.method) return [replace(attr, target.method)];
      const spelled = model.imports.spell(target.qualified);
      return spelled && producer.input ? [replace(producer.call, `${spelled}(${producer.input.text})`)] : undefined;
    }
    // A module function: F.softmax → F.log_softmax, torch.softmax → torch.log_softmax.
    if (producer.fn === 'softmax') return [replace(attr, 'log_softmax')];
  }
  const spelled = model.imports.spell(target.qualified);
  return spelled ? [replace(fn, spelled)] : undefined;
}

/**
 * Edits turning a log_softmax call into a softmax in the same spelling: `F.log_softmax(x, -1)` →
 * `F.softmax(x, -1)`, `x.log_softmax(-1)` → `x.softmax(-1)`, `nn.LogSoftmax(1)(x)` → `nn.Softmax(1)(x)`.
 */
export function toProbabilitySpace(producer: Producer): TextEdit[] | undefined {
  const fn = producer.call.childForFieldName('function');
  if (!fn) return undefined;
  if (producer.fn === 'LogSoftmax()') {
    const ctor = fn.type === 'call' ? fn.childForFieldName('function') : undefined;
    const attr = ctor?.type === 'attribute' ? ctor.childForFieldName('attribute') : undefined;
    return attr ? [replace(attr, 'Softmax')] : undefined;
  }
  if (producer.fn !== 'log_softmax' || fn.type !== 'attribute') return undefined;
  return [replace(fn.childForFieldName('attribute')!, 'softmax')];
}

/** `{ fix }` when there is one, for spreading into a report. */
export function optional(fix: Fix | undefined): { fix?: Fix } {
  return fix ? { fix } : {};
}

/**
 * `text` (which starts at `offset` in the source) with non-overlapping edits applied, last first so
 * earlier offsets stay put; undefined if one reaches outside it.
 */
export function applyEdits(text: string, offset: number, edits: readonly TextEdit[]): string | undefined {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    const s = e.start - offset;
    const t = e.end - offset;
    if (s < 0 || t > text.length) return undefined;
    out = out.slice(0, s) + e.text + out.slice(t);
  }
  return out;
}
