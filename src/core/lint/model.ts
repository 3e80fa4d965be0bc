/**
 * The semantic model every rule asks: what a call calls (through imports, local names and
 * `self.x` attributes), and what a tensor expression holds — probabilities (a softmax or sigmoid),
 * log-probabilities (a log_softmax or log), or unknown — with the logits and temperature it was
 * made from and whether gradients flow through it. Only what the code shows is believed.
 */
import { type Imports, calleeOf, type Callee, mayMatter } from './names';
import { type Assignment, Scopes } from './scopes';
import { argument, numberValue, operatorOf, type SyntaxNode, unwrap } from './syntax';

export type Form = 'probs' | 'logprobs' | 'unknown';

/** The call that made a value: `F.softmax(t / T, dim=-1)`. */
export interface Producer {
  readonly call: SyntaxNode;
  /** softmax, log_softmax, sigmoid, logsigmoid, log or exp (or the module forms Softmax(), LogSoftmax(), Sigmoid()). */
  readonly fn: string;
  /** What it was applied to: the logits for a softmax, the probabilities for a log. */
  readonly input: SyntaxNode | undefined;
  /** T in `softmax(x / T)`, when the input is divided by one. */
  readonly temperature: SyntaxNode | undefined;
}

export interface Facts {
  readonly form: Form;
  readonly producer?: Producer;
  /** `q + eps` or `q.clamp(min=eps)` under a log: the floor that keeps it finite. */
  readonly clipped?: { readonly node: SyntaxNode; readonly inner: SyntaxNode; readonly floor: SyntaxNode };
  /** No gradient flows back through it (`.detach()`, `.data`, made under `torch.no_grad()`). */
  readonly detached: boolean;
  /** The names the value was followed through, outermost first: `p_t` for `p_t = F.softmax(...)`. */
  readonly names: readonly SyntaxNode[];
}

const UNKNOWN: Facts = { form: 'unknown', detached: false, names: [] };

/** Modules whose instances the rules follow: `crit = nn.KLDivLoss()`, then `crit(a, b)`. */
const MODULE_CLASSES = new Set(['KLDivLoss', 'CrossEntropyLoss', 'Softmax', 'LogSoftmax', 'Sigmoid']);

export interface ResolvedCallee extends Callee {
  /** For a call of a module instance: the constructor call (`nn.KLDivLoss(reduction="sum")`). */
  readonly constructorCall?: SyntaxNode;
}

const MAX_DEPTH = 12;

/**
 * A node's identity within its tree, from fields web-tree-sitter keeps in JavaScript (reading
 * `endIndex` would cross into WebAssembly on every cache lookup).
 */
export function nodeKey(node: SyntaxNode): string {
  return `${node.id}:${node.startIndex}`;
}

export class Model {
  readonly scopes: Scopes;
  // Keyed by range: web-tree-sitter hands out a new object for each visit of a node.
  private readonly factsCache = new Map<string, Facts>();
  private readonly calleeCache = new Map<string, ResolvedCallee | null>();
  private readonly calleeByNode = new WeakMap<SyntaxNode, ResolvedCallee | null>();

  constructor(
    readonly root: SyntaxNode,
    readonly source: string,
    readonly imports: Imports,
  ) {
    this.scopes = new Scopes(root, imports);
  }

  get calls(): readonly SyntaxNode[] {
    return this.scopes.calls;
  }

  private byFunction: Map<string, SyntaxNode[]> | undefined;

  /**
   * The calls of one canonical function (`kl_div`, `log`, `KLDivLoss()`, ...), in document
   * order. Every call is resolved once, however many rules ask.
   */
  callsOf(fn: string): readonly SyntaxNode[] {
    if (!this.byFunction) {
      this.byFunction = new Map();
      for (const call of this.scopes.calls) {
        // Most calls of a trainer are of nothing the rules know: tell them by the callee's last
        // name, read from the call's text up to its argument list, before walking the callee.
        const name = this.lastName(call);
        if (name !== undefined && !mayMatter(name) && !this.scopes.isAssigned(name) && !this.scopes.isAttribute(name)) continue;
        const c = this.callee(call);
        if (!c) continue;
        const list = this.byFunction.get(c.fn);
        if (list) list.push(call);
        else this.byFunction.set(c.fn, [call]);
      }
    }
    return this.byFunction.get(fn) ?? [];
  }

  /**
   * What `call` calls: a known function or tensor method (`softmax`, `kl_div`, ...), or an instance
   * of a known module (`KLDivLoss()` with its constructor call).
   */
  callee(call: SyntaxNode): ResolvedCallee | undefined {
    // The same node objects come back from the index; others (reached by walking) by identity.
    const byObject = this.calleeByNode.get(call);
    if (byObject !== undefined) return byObject ?? undefined;
    const key = nodeKey(call);
    let found = this.calleeCache.get(key);
    if (found === undefined) {
      found = this.resolveCallee(call) ?? null;
      this.calleeCache.set(key, found);
    }
    this.calleeByNode.set(call, found);
    return found ?? undefined;
  }

  /** The constructor call a name, `self.x` or expression evaluates to, when it is a known module. */
  instanceOf(node: SyntaxNode, depth = 0): SyntaxNode | undefined {
    const n = unwrap(node);
    if (depth > MAX_DEPTH) return undefined;
    if (n.type === 'call') {
      const c = calleeOf(n, this.imports);
      // nn.KLDivLoss(...).cuda() is the same module.
      if (c?.receiver && c.fn.startsWith('.')) return this.instanceOf(c.receiver, depth + 1);
      return c && MODULE_CLASSES.has(c.fn) ? n : undefined;
    }
    const a = this.single(n);
    if (a) return this.instanceOf(a.value, depth + 1);
    // A parameter with a module as its default: `loss_fn=nn.KLDivLoss()`.
    const byDefault = n.type === 'identifier' ? this.scopes.parameterDefault(n) : undefined;
    return byDefault ? this.instanceOf(byDefault, depth + 1) : undefined;
  }

  /** What the value of `node` holds. */
  facts(node: SyntaxNode, depth = 0): Facts {
    const key = nodeKey(node);
    const cached = this.factsCache.get(key);
    if (cached) return cached;
    const f = depth > MAX_DEPTH ? UNKNOWN : this.computeFacts(unwrap(node), depth);
    this.factsCache.set(key, f);
    return f;
  }

  /** T in `x / T` (through one local name): the temperature a softmax input was divided by. */
  temperatureOf(input: SyntaxNode | undefined, depth = 0): SyntaxNode | undefined {
    if (!input || depth > 3) return undefined;
    const n = unwrap(input);
    if (n.type === 'binary_operator' && operatorOf(n) === '/') {
      const right = n.childForFieldName('right');
      return right && numberValue(right) !== 1 ? right : undefined;
    }
    if (n.type === 'identifier') {
      const a = this.single(n);
      return a ? this.temperatureOf(a.value, depth + 1) : undefined;
    }
    if (n.type === 'call') {
      const c = calleeOf(n, this.imports);
      if (c?.receiver && c.fn.startsWith('.')) return this.temperatureOf(c.receiver, depth + 1);
    }
    return undefined;
  }

  /** The one assignment that gives a name (or `self.x`) its value at this use, if there is one. */
  single(node: SyntaxNode): Assignment | undefined {
    if (node.type === 'identifier') {
      const r = this.scopes.reaching(node);
      return r && r.length === 1 && !r[0]!.augmented && r[0]!.value !== r[0]!.target ? r[0] : undefined;
    }
    if (node.type === 'attribute') return this.scopes.attribute(node);
    return undefined;
  }

  /** `F.kl_div(...)` → `kl_div`, `self.log(...)` → `log`; undefined when the callee is not a name or attribute. */
  private lastName(call: SyntaxNode): string | undefined {
    const args = call.lastChild;
    if (!args || args.type !== 'argument_list') return undefined;
    let end = args.startIndex;
    while (end > call.startIndex && /\s/.test(this.source[end - 1]!)) end--;
    let start = end;
    while (start > call.startIndex && /[\w]/.test(this.source[start - 1]!)) start--;
    return start < end ? this.source.slice(start, end) : undefined;
  }

  private resolveCallee(call: SyntaxNode): ResolvedCallee | undefined {
    const known = calleeOf(call, this.imports);
    if (known) return known;
    const fn = call.firstChild;
    if (!fn) return undefined;
    // Only names the file assigns (crit = nn.KLDivLoss(); self.crit = ...) can hold a module.
    if (fn.type === 'identifier' && !this.scopes.isAssigned(fn.text)) return undefined;
    if (fn.type === 'attribute' && !this.scopes.isAttribute(fn.childForFieldName('attribute')?.text ?? '')) return undefined;
    const ctor = this.instanceOf(fn);
    if (!ctor) return undefined;
    const c = calleeOf(ctor, this.imports)!;
    return { fn: `${c.fn}()`, constructorCall: ctor };
  }

  private computeFacts(n: SyntaxNode, depth: number): Facts {
    switch (n.type) {
      case 'identifier': {
        const reach = this.scopes.reaching(n);
        const detachedHere = this.scopes.inNoGrad(n.startIndex);
        if (!reach || reach.some((a) => a.augmented || a.value === a.target)) return { ...UNKNOWN, names: [n], detached: detachedHere };
        const all = reach.map((a) => {
          const f = this.facts(a.value, depth + 1);
          return { ...f, detached: f.detached || this.scopes.inNoGrad(a.statement.startIndex) };
        });
        const first = all[0]!;
        if (all.some((f) => f.form !== first.form)) return { ...UNKNOWN, names: [n] };
        return { ...first, names: [n, ...first.names], detached: all.every((f) => f.detached) || detachedHere };
      }
      case 'attribute': {
        const object = n.childForFieldName('object');
        if (n.childForFieldName('attribute')?.text === 'data' && object) return { ...this.facts(object, depth + 1), detached: true };
        const a = this.scopes.attribute(n);
        return a ? this.facts(a.value, depth + 1) : UNKNOWN;
      }
      case 'subscript': {
        const value = n.childForFieldName('value');
        return value ? this.facts(value, depth + 1) : UNKNOWN;
      }
      case 'call':
        return this.callFacts(n, depth);
      case 'binary_operator': {
        // Only whether gradients flow: `x.detach() / T` is detached, `x.detach() + y` is not.
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = operatorOf(n);
        const dl = l ? this.facts(l, depth + 1).detached : false;
        const dr = r ? this.facts(r, depth + 1).detached || numberValue(r) !== undefined : false;
        return { ...UNKNOWN, detached: op === '/' || op === '*' ? dl && (op === '/' || dr) : dl && dr };
      }
      default:
        return UNKNOWN;
    }
  }

  private callFacts(call: SyntaxNode, depth: number): Facts {
    const c = this.callee(call);
    if (!c) return UNKNOWN;
    const input = c.receiver ?? argument(call, 0, 'input');
    const producer = (fn: string): Producer => ({ call, fn, input, temperature: this.temperatureOf(input) });
    // A softmax of detached logits is detached too.
    const detachedInput = (): boolean => (input ? this.facts(input, depth + 1).detached || this.scopes.inNoGrad(call.startIndex) : false);
    switch (c.fn) {
      case 'softmax':
      case 'sigmoid':
      case 'Softmax()':
      case 'Sigmoid()':
        return { form: 'probs', producer: producer(c.fn), detached: detachedInput(), names: [] };
      case 'log_softmax':
      case 'logsigmoid':
      case 'LogSoftmax()':
        return { form: 'logprobs', producer: producer(c.fn), detached: detachedInput(), names: [] };
      case 'log': {
        if (!input) return UNKNOWN;
        const inner = this.facts(input, depth + 1);
        const clipped = this.clipOf(input);
        return { form: 'logprobs', producer: producer('log'), detached: inner.detached, names: [], ...(clipped ? { clipped } : {}) };
      }
      case 'exp': {
        if (!input) return UNKNOWN;
        const inner = this.facts(input, depth + 1);
        return inner.form === 'logprobs' ? { form: 'probs', producer: producer('exp'), detached: inner.detached, names: [] } : UNKNOWN;
      }
      case 'detach':
        return input ? { ...this.facts(input, depth + 1), detached: true } : UNKNOWN;
      default:
        if (c.fn.startsWith('.') && c.receiver) {
          const inner = this.facts(c.receiver, depth + 1);
          return c.fn === '.detach_' ? { ...inner, detached: true } : inner;
        }
        return UNKNOWN;
    }
  }

  /** `q + eps`, `q.clamp(min=eps)`, `torch.clamp(q, min=eps)`: a floor that keeps a log finite. */
  clipOf(node: SyntaxNode): Facts['clipped'] {
    const n = unwrap(node);
    if (n.type === 'binary_operator' && operatorOf(n) === '+') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left && right) {
        if (isEpsilon(right, this)) return { node: n, inner: left, floor: right };
        if (isEpsilon(left, this)) return { node: n, inner: right, floor: left };
      }
      return undefined;
    }
    if (n.type === 'call') {
      const c = calleeOf(n, this.imports);
      if (c?.fn !== 'clamp') return undefined;
      const inner = c.receiver ?? argument(n, 0, 'input');
      const floor = c.receiver ? (argument(n, 0, 'min') ?? argument(n, undefined, 'min')) : argument(n, 1, 'min');
      if (inner && floor && isEpsilon(floor, this)) return { node: n, inner, floor };
    }
    return undefined;
  }
}

/**
 * A small positive constant: a literal below 1e-3, or a name that says it is one (`eps`,
 * `self.epsilon`, `torch.finfo(x.dtype).eps`) — unless its one assignment says otherwise
 * (`eps = 0.0`).
 */
export function isEpsilon(node: SyntaxNode, model?: Model): boolean {
  const n = unwrap(node);
  const v = numberValue(n);
  if (v !== undefined) return v > 0 && v < 1e-3;
  if (n.type !== 'identifier' && n.type !== 'attribute') return false;
  const a = model?.single(n);
  if (a && numberValue(a.value) !== undefined) return isEpsilon(a.value);
  return isEpsilonName(n);
}

/** `eps`, `self.epsilon`, `EPS`, `tiny`, `torch.finfo(p.dtype).eps`: the last name of the chain. */
export function isEpsilonName(node: SyntaxNode): boolean {
  const n = unwrap(node);
  if (n.type !== 'identifier' && n.type !== 'attribute') return false;
  const last = (n.type === 'attribute' ? (n.childForFieldName('attribute')?.text ?? '') : n.text).toLowerCase();
  return /^(eps|epsilon|_eps|tiny|eps_?\d*|.*_eps|.*_epsilon)$/.test(last);
}
