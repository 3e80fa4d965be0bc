/**
 * What a name in the code stands for, as a qualified name: `F.kl_div` is
 * `torch.nn.functional.kl_div` after `import torch.nn.functional as F`, `kl_div` is too after
 * `from torch.nn.functional import kl_div`. Rules ask for the canonical function (`kl_div`,
 * `softmax`, ...) and never match the text the file happened to use.
 */
import { dottedName, type SyntaxNode } from './syntax';

/** The functions and classes the rules know, by every qualified name that reaches them. */
const CANONICAL: Readonly<Record<string, string>> = (() => {
  const table: Record<string, string> = {};
  const add = (canonical: string, ...names: string[]): void => {
    for (const n of names) table[n] = canonical;
  };
  add('kl_div', 'torch.nn.functional.kl_div');
  add('KLDivLoss', 'torch.nn.KLDivLoss', 'torch.nn.modules.KLDivLoss', 'torch.nn.modules.loss.KLDivLoss');
  add('softmax', 'torch.nn.functional.softmax', 'torch.softmax', 'torch.special.softmax', 'torch.Tensor.softmax');
  add('log_softmax', 'torch.nn.functional.log_softmax', 'torch.log_softmax', 'torch.special.log_softmax', 'torch.Tensor.log_softmax');
  add('sigmoid', 'torch.sigmoid', 'torch.nn.functional.sigmoid', 'torch.special.expit', 'torch.Tensor.sigmoid');
  add('logsigmoid', 'torch.nn.functional.logsigmoid');
  add('log', 'torch.log', 'torch.Tensor.log', 'numpy.log', 'math.log');
  add('exp', 'torch.exp', 'torch.Tensor.exp', 'numpy.exp', 'math.exp');
  add('expm1', 'torch.expm1', 'torch.special.expm1', 'numpy.expm1', 'math.expm1');
  add('clamp', 'torch.clamp', 'torch.clip', 'torch.clamp_min', 'numpy.clip', 'numpy.maximum', 'torch.maximum');
  add('sum', 'torch.sum', 'numpy.sum');
  add('mean', 'torch.mean', 'numpy.mean');
  add('pow', 'torch.pow', 'numpy.power', 'math.pow');
  add('square', 'torch.square', 'numpy.square');
  add('cross_entropy', 'torch.nn.functional.cross_entropy', 'torch.nn.functional.nll_loss');
  add('CrossEntropyLoss', 'torch.nn.CrossEntropyLoss', 'torch.nn.modules.loss.CrossEntropyLoss', 'torch.nn.NLLLoss', 'torch.nn.modules.loss.NLLLoss');
  add('Softmax', 'torch.nn.Softmax', 'torch.nn.modules.activation.Softmax');
  add('LogSoftmax', 'torch.nn.LogSoftmax', 'torch.nn.modules.activation.LogSoftmax');
  add('Sigmoid', 'torch.nn.Sigmoid', 'torch.nn.modules.activation.Sigmoid');
  add('no_grad', 'torch.no_grad', 'torch.inference_mode', 'torch.autograd.no_grad', 'torch.autograd.grad_mode.no_grad');
  add('detach', 'torch.detach', 'torch.Tensor.detach');
  // Tensors made from numbers, not by a model: a hand-made distribution, not logits.
  add(
    'constant',
    ...['ones', 'ones_like', 'zeros', 'zeros_like', 'full', 'full_like', 'eye', 'tensor', 'empty', 'empty_like', 'arange', 'linspace'].map((f) => `torch.${f}`),
    'torch.nn.functional.one_hot',
  );
  return table;
})();

/** The last names of everything above: a call whose name is none of these is not one of them. */
const LAST_NAMES = new Set(Object.keys(CANONICAL).map((q) => q.slice(q.lastIndexOf('.') + 1)));

/**
 * True when a call whose callee ends in `name` may be one the rules know: a function or tensor
 * method of theirs, or a value-preserving method (`.detach()`, `.to()`) they look through.
 */
export function mayMatter(name: string): boolean {
  return LAST_NAMES.has(name) || name in METHODS || VALUE_PRESERVING.has(name);
}

/** Tensor methods, by the canonical function they are (`x.log()` is `torch.log(x)`). */
const METHODS: Readonly<Record<string, string>> = {
  softmax: 'softmax',
  log_softmax: 'log_softmax',
  sigmoid: 'sigmoid',
  log: 'log',
  exp: 'exp',
  exp_: 'exp',
  expm1: 'expm1',
  clamp: 'clamp',
  clamp_min: 'clamp',
  clip: 'clamp',
  sum: 'sum',
  mean: 'mean',
  pow: 'pow',
  square: 'square',
  detach: 'detach',
};

/**
 * Methods that return the same values (a view, a copy, another dtype or device): a softmax stays
 * probabilities through them. `detach` is among them and is also recorded as such.
 */
export const VALUE_PRESERVING = new Set([
  'detach', 'clone', 'float', 'double', 'half', 'bfloat16', 'to', 'cpu', 'cuda', 'contiguous', 'view', 'view_as',
  'reshape', 'reshape_as', 'squeeze', 'unsqueeze', 'flatten', 'permute', 'transpose', 't', 'type', 'type_as',
  'expand', 'expand_as', 'requires_grad_', 'detach_', 'item',
]);

/** The canonical functions that, as tensor methods, take no arguments (so `logger.log(x)` is not `x.log()`). */
const NO_ARGUMENT_METHODS = new Set(['log', 'exp', 'expm1', 'sigmoid', 'detach']);

export class Imports {
  private readonly bound = new Map<string, string | null>();
  private readonly wildcards: string[] = [];

  /** The bindings of preceding notebook cells, which later cells see. */
  extend(): Imports {
    const next = new Imports();
    for (const [k, v] of this.bound) next.bound.set(k, v);
    next.wildcards.push(...this.wildcards);
    return next;
  }

  /** Records an `import_statement` or `import_from_statement`. */
  add(statement: SyntaxNode): void {
    if (statement.type === 'import_statement') {
      for (const item of statement.namedChildren) {
        if (!item) continue;
        if (item.type === 'dotted_name') {
          // `import torch.nn.functional` binds `torch`.
          const head = item.text.split('.')[0]!.trim();
          this.bind(head, head);
        } else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (name && alias) this.bind(alias.text, compact(name.text));
        }
      }
      return;
    }
    if (statement.type !== 'import_from_statement') return;
    const module = statement.childForFieldName('module_name');
    // Relative imports name the project's own modules, which the rules know nothing of.
    if (!module || module.type !== 'dotted_name') return;
    const from = compact(module.text);
    for (const item of statement.namedChildren) {
      if (!item || item === module || item.startIndex === module.startIndex) continue;
      if (item.type === 'wildcard_import') this.wildcards.push(from);
      else if (item.type === 'dotted_name') this.bind(compact(item.text), `${from}.${compact(item.text)}`);
      else if (item.type === 'aliased_import') {
        const name = item.childForFieldName('name');
        const alias = item.childForFieldName('alias');
        if (name && alias) this.bind(alias.text, `${from}.${compact(name.text)}`);
      }
    }
  }

  /** The qualified name `parts` stands for, or undefined when its head is not an import. */
  qualify(parts: readonly string[]): string | undefined {
    const head = parts[0]!;
    const bound = this.bound.get(head);
    if (bound === null) return undefined;
    if (bound !== undefined) return [bound, ...parts.slice(1)].join('.');
    for (const module of this.wildcards) {
      const candidate = [module, ...parts].join('.');
      if (candidate in CANONICAL) return candidate;
    }
    return undefined;
  }

  /** True when `name` is bound by an import (so `name.f()` is a module function, not a method). */
  isImported(name: string): boolean {
    return this.bound.has(name) || this.wildcards.some((m) => `${m}.${name}` in CANONICAL);
  }

  /**
   * How this file can spell a qualified name: `F.log_softmax` when `F` is torch.nn.functional,
   * `torch.nn.functional.log_softmax` when only `torch` is imported; undefined when it cannot.
   */
  spell(qualified: string): string | undefined {
    let best: string | undefined;
    for (const [name, target] of this.bound) {
      if (target === null) continue;
      let spelling: string | undefined;
      if (qualified === target) spelling = name;
      else if (qualified.startsWith(`${target}.`)) spelling = `${name}${qualified.slice(target.length)}`;
      if (spelling && (!best || spelling.length < best.length)) best = spelling;
    }
    return best;
  }

  private bind(name: string, target: string): void {
    const previous = this.bound.get(name);
    // One name imported as two different things: which one a use means depends on the run.
    this.bound.set(name, previous !== undefined && previous !== target ? null : target);
  }
}

function compact(dotted: string): string {
  return dotted.replace(/\s+/g, '');
}

/** A call's callee, as far as the names in the file tell. */
export interface Callee {
  /** Canonical function: `kl_div`, `softmax`, `KLDivLoss` (the constructor), ... */
  readonly fn: string;
  /** For a tensor method (`x.softmax(-1)`): the tensor `x`. */
  readonly receiver?: SyntaxNode;
}

/** The canonical function of a module or qualified function name. */
export function canonicalOf(qualified: string | undefined): string | undefined {
  return qualified === undefined ? undefined : CANONICAL[qualified];
}

/**
 * The callee of `call` when it is a function the rules know through the file's imports, or a
 * tensor method. Calls of objects (`crit(a, b)`) are resolved by the model, which knows assignments.
 */
export function calleeOf(call: SyntaxNode, imports: Imports): Callee | undefined {
  // The function is a call's first child: cheaper to reach than by field name.
  const fn = call.firstChild;
  if (!fn) return undefined;
  if (fn.type === 'identifier') {
    const c = canonicalOf(imports.qualify([fn.text]));
    return c ? { fn: c } : undefined;
  }
  if (fn.type !== 'attribute') return undefined;
  // Most calls in a trainer (self.log(...), x.append(...), model.generate(...)) end here.
  const name = fn.childForFieldName('attribute')?.text;
  if (!name || (!LAST_NAMES.has(name) && !(name in METHODS) && !VALUE_PRESERVING.has(name))) return undefined;
  const parts = dottedName(fn);
  if (parts && imports.isImported(parts[0]!)) {
    const c = canonicalOf(imports.qualify(parts));
    return c ? { fn: c } : undefined;
  }
  const receiver = fn.childForFieldName('object');
  if (!receiver) return undefined;
  // self.softmax(x) calls a module stored on the object, not a method of the tensor `self`.
  if (receiver.type === 'identifier' && (receiver.text === 'self' || receiver.text === 'cls')) return undefined;
  const method = METHODS[name];
  if (!method) return VALUE_PRESERVING.has(name) ? { fn: `.${name}`, receiver } : undefined;
  if (NO_ARGUMENT_METHODS.has(method) && call.childForFieldName('arguments')?.namedChildren.some((a) => a !== null && a.type !== 'comment')) {
    return undefined;
  }
  return { fn: method, receiver };
}
