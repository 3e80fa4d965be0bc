/**
 * Where names get their values: the functions of a file (or notebook cell), the assignments in
 * each, `self.x = ...` attributes of classes, parameters, and the `torch.no_grad()` regions.
 *
 * A use of a name is resolved to the assignments that reach it in the same function — the last
 * one before it that every path runs through, and any in branches after that one. Names a function
 * does not assign come from the enclosing function or the module (cell), where one assignment
 * must be all there is. Anything less certain resolves to nothing, and the rules say nothing.
 */
import { type Imports, canonicalOf, calleeOf } from './names';
import { dottedName, operatorOf, type SyntaxNode, unwrap } from './syntax';

export interface Scope {
  readonly node: SyntaxNode | undefined; // undefined: the module (or notebook cell)
  readonly start: number;
  readonly end: number;
  readonly parent: Scope | undefined;
  /** The class a method belongs to. */
  readonly classNode: SyntaxNode | undefined;
  readonly name: string;
}

export interface Assignment {
  readonly name: string;
  /** The name (or `self.x` attribute) assigned. */
  readonly target: SyntaxNode;
  /** The assigned expression; for `x += e`, the augmented assignment node itself. */
  readonly value: SyntaxNode;
  readonly statement: SyntaxNode;
  readonly scope: Scope;
  readonly augmented: boolean;
}

export class Scopes {
  readonly module: Scope;
  private readonly functions: Scope[] = [];
  private readonly classes: { node: SyntaxNode; start: number; end: number }[] = [];
  private readonly assignments = new Map<string, Assignment[]>();
  private readonly attributes = new Map<string, Assignment[]>();
  private readonly attributeNames = new Set<string>();
  private noGradRanges: { start: number; end: number }[] | undefined;
  private readonly parameters = new Map<Scope, Set<string>>();
  private readonly uses = new Map<string, SyntaxNode[]>();
  readonly calls: SyntaxNode[];

  constructor(
    readonly root: SyntaxNode,
    readonly imports: Imports,
  ) {
    this.module = { node: undefined, start: root.startIndex, end: root.endIndex, parent: undefined, classNode: undefined, name: '<module>' };
    // One walk of the tree for what every lint needs (each descendantsOfType walks it all); in
    // document order, so outer functions come before inner ones.
    const functions: SyntaxNode[] = [];
    const assignments: SyntaxNode[] = [];
    const calls: SyntaxNode[] = [];
    // A walk costs about as much as the tree is big, whatever it finds: comments, decorators and
    // `with` statements (few) come along rather than taking a walk of their own.
    const rare = { comments: [] as SyntaxNode[], decorators: [] as SyntaxNode[], withs: [] as SyntaxNode[] };
    const types = ['import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'assignment', 'augmented_assignment', 'call', 'comment', 'decorator', 'with_statement'];
    for (const n of root.descendantsOfType(types)) {
      if (!n) continue;
      const type = n.type;
      if (type === 'call') calls.push(n);
      else if (type === 'assignment' || type === 'augmented_assignment') assignments.push(n);
      else if (type === 'comment') rare.comments.push(n);
      else if (type === 'function_definition') functions.push(n);
      else if (type === 'class_definition') this.classes.push({ node: n, start: n.startIndex, end: n.endIndex });
      else if (type === 'with_statement') rare.withs.push(n);
      else if (type === 'decorator') rare.decorators.push(n);
      else imports.add(n);
    }
    this.rare = rare;
    const open: Scope[] = [];
    for (const n of functions) {
      const start = n.startIndex;
      const end = n.endIndex;
      while (open.length > 0 && open[open.length - 1]!.end <= start) open.pop();
      const parent = open[open.length - 1];
      const cls = this.innermostClass(start);
      const classNode = cls && (!parent || cls.start > parent.start) ? cls.node : undefined;
      const scope: Scope = { node: n, start, end, parent, classNode, name: n.childForFieldName('name')?.text ?? '' };
      this.functions.push(scope);
      open.push(scope);
    }
    for (const n of assignments) this.addAssignment(n, n.type === 'augmented_assignment');
    this.calls = calls;
  }

  /** Comments, decorators and `with` statements, gathered in the same walk. */
  private readonly rare: { comments: SyntaxNode[]; decorators: SyntaxNode[]; withs: SyntaxNode[] };

  /** The comments of the unit (for suppressions), read when first asked for. */
  get comments(): readonly SyntaxNode[] {
    return this.rare.comments;
  }

  /**
   * The `a - b` differences in the functions (or, outside them, the module) whose source `mention`
   * accepts — a cheap look at the text that spares walking the rest of a big file for them.
   */
  differencesWhere(source: string, mention: (text: string) => boolean): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const collect = (node: SyntaxNode): void => {
      for (const n of node.descendantsOfType('binary_operator')) if (n && operatorOf(n) === '-') out.push(n);
    };
    if (!mention(source)) return out;
    let covered = 0;
    let inFunctions = false;
    for (const f of this.functions) {
      if (f.start < covered || f.parent) continue; // outermost functions; nested ones come with them
      if (mention(source.slice(f.start, f.end))) {
        collect(f.node!);
        inFunctions = true;
      }
      covered = f.end;
    }
    // The text mentions it outside every function (a script): walk the whole module instead.
    if (!inFunctions || this.functions.length === 0) {
      out.length = 0;
      collect(this.root);
    }
    return out;
  }

  /** The innermost function containing `index`, or the module. */
  scopeAt(index: number): Scope {
    let best: Scope = this.module;
    for (const f of this.functions) {
      if (f.start > index) break;
      if (index < f.end && f.start >= (best.node ? best.start : -1)) best = f;
    }
    return best;
  }

  /** True when `index` runs with gradients off: in `with torch.no_grad():` or a `@torch.no_grad()` function. */
  inNoGrad(index: number): boolean {
    if (!this.noGradRanges) {
      this.noGradRanges = [];
      for (const d of this.rare.decorators) this.markNoGradDecorator(d);
      for (const w of this.rare.withs) this.markNoGradWith(w);
    }
    return this.noGradRanges.some((r) => r.start <= index && index < r.end);
  }

  /** The parameters of a function scope. */
  parametersOf(scope: Scope): Set<string> {
    let names = this.parameters.get(scope);
    if (names) return names;
    names = new Set<string>();
    const params = scope.node?.childForFieldName('parameters');
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
      if (id) names.add(id.text);
    }
    this.parameters.set(scope, names);
    return names;
  }

  /**
   * The assignments of `name` that reach the use `use`, latest first; undefined when the name's
   * value there is not known (a parameter, a loop, a path on which it is not assigned).
   */
  reaching(use: SyntaxNode): Assignment[] | undefined {
    const name = use.text;
    const all = this.assignments.get(name);
    const useScope = this.scopeAt(use.startIndex);
    let scope: Scope | undefined = useScope;
    while (scope) {
      const inScope = all?.filter((a) => a.scope === scope) ?? [];
      if (inScope.length > 0) {
        // The module (cell) or an enclosing function, seen from a function defined in it: that runs
        // later, so one assignment must be all there is.
        if (scope !== useScope) return inScope.length === 1 && !inScope[0]!.augmented ? inScope : undefined;
        const before = inScope.filter((a) => a.statement.endIndex <= use.startIndex);
        if (before.length === 0) return undefined;
        const out: Assignment[] = [];
        for (let i = before.length - 1; i >= 0; i--) {
          const a = before[i]!;
          out.push(a);
          if (!a.augmented && dominates(a.statement, use, scope.node)) return out;
        }
        return coversAllBranches(out, use, scope.node) ? out : undefined;
      }
      if (scope.node && this.parametersOf(scope).has(name)) return undefined;
      scope = scope.parent ?? (scope === this.module ? undefined : this.module);
    }
    // Nothing in this file or cell: in a notebook, a name a cell before it assigned at its top level.
    return this.previous?.topLevel(name);
  }

  /** The earlier notebook cell's scopes, whose top-level names later cells see. */
  previous: Scopes | undefined;

  /**
   * The one top-level assignment of `name` in this cell (or, if none, in the nearest earlier cell
   * that assigns it): what a later cell sees after running this one.
   */
  topLevel(name: string): Assignment[] | undefined {
    const here = (this.assignments.get(name) ?? []).filter((a) => a.scope === this.module);
    if (here.length === 0) return this.assignments.has(name) ? undefined : this.previous?.topLevel(name);
    const [a] = here;
    const statement = a!.statement.parent?.type === 'expression_statement' ? a!.statement.parent : a!.statement;
    return here.length === 1 && !a!.augmented && statement.parent?.type === 'module' ? here : undefined;
  }

  /**
   * The default value of the parameter `use` names, when nothing in its function assigns it:
   * `def __init__(self, loss_fn=nn.KLDivLoss())` then `self.loss_fn = loss_fn`.
   */
  parameterDefault(use: SyntaxNode): SyntaxNode | undefined {
    const scope = this.scopeAt(use.startIndex);
    if (!scope.node || this.assignedBefore(use)) return undefined;
    for (const p of scope.node.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p || (p.type !== 'default_parameter' && p.type !== 'typed_default_parameter')) continue;
      if (p.childForFieldName('name')?.text === use.text) return p.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }

  /** True when the file (or an earlier notebook cell) assigns `name` somewhere. */
  isAssigned(name: string): boolean {
    return this.assignments.has(name) || (this.previous?.isAssigned(name) ?? false);
  }

  /** True when some class of the file assigns `self.<name>`. */
  isAttribute(name: string): boolean {
    return this.attributeNames.has(name);
  }

  /** True when the name is assigned in the use's function before the use, on any path. */
  assignedBefore(use: SyntaxNode): boolean {
    const scope = this.scopeAt(use.startIndex);
    return (this.assignments.get(use.text) ?? []).some((a) => a.scope === scope && a.statement.startIndex < use.startIndex);
  }

  /** The single assignment of `self.<attr>` in the class of `use` (its methods), if there is one. */
  attribute(use: SyntaxNode): Assignment | undefined {
    const parts = dottedName(use);
    if (!parts || parts.length !== 2 || parts[0] !== 'self') return undefined;
    let cls = this.scopeAt(use.startIndex).classNode ?? this.innermostClass(use.startIndex)?.node;
    // Up the base classes defined in the same file: the attribute may be set in the parent's __init__.
    for (let depth = 0; cls && depth < 8; depth++) {
      const found = this.attributes.get(`${cls.startIndex}:${parts[1]}`);
      if (found) return found.length === 1 ? found[0] : undefined;
      cls = this.baseClass(cls);
    }
    return undefined;
  }

  /** The first base class of `cls` that is defined in the same file. */
  private baseClass(cls: SyntaxNode): SyntaxNode | undefined {
    const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
    for (const b of bases) {
      if (b?.type !== 'identifier') continue;
      const found = this.classes.find((c) => c.node.childForFieldName('name')?.text === b.text);
      if (found) return found.node;
    }
    return undefined;
  }

  /** Every use of `name` as a value in `scope` (not as an attribute or keyword name). */
  usesOf(name: string, scope: Scope): SyntaxNode[] {
    const key = `${scope.start}:${name}`;
    let found = this.uses.get(key);
    if (found) return found;
    const from = scope.node ?? this.root;
    found = [];
    for (const id of from.descendantsOfType('identifier')) {
      if (!id || id.text !== name) continue;
      const parent = id.parent;
      if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.startIndex === id.startIndex) continue;
      if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.startIndex === id.startIndex) continue;
      if (parent?.type === 'assignment' && parent.childForFieldName('left')?.startIndex === id.startIndex) continue;
      if (parent?.type === 'pattern_list' || parent?.type === 'tuple_pattern') continue;
      found.push(id);
    }
    this.uses.set(key, found);
    return found;
  }

  private innermostClass(index: number): { node: SyntaxNode; start: number; end: number } | undefined {
    let best: { node: SyntaxNode; start: number; end: number } | undefined;
    for (const c of this.classes) if (c.start <= index && index < c.end && (!best || c.start >= best.start)) best = c;
    return best;
  }

  private addAssignment(node: SyntaxNode, augmented: boolean): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    const scope = this.scopeAt(node.startIndex);
    const record = (target: SyntaxNode, value: SyntaxNode): void => {
      if (target.type === 'identifier') {
        const a: Assignment = { name: target.text, target, value: augmented ? node : value, statement: node, scope, augmented };
        const list = this.assignments.get(a.name) ?? [];
        list.push(a);
        this.assignments.set(a.name, list);
      } else if (target.type === 'attribute' && !augmented) {
        const parts = dottedName(target);
        const cls = scope.classNode;
        if (parts && parts.length === 2 && parts[0] === 'self' && cls) {
          const key = `${cls.startIndex}:${parts[1]}`;
          this.attributeNames.add(parts[1]!);
          const list = this.attributes.get(key) ?? [];
          list.push({ name: parts[1]!, target, value, statement: node, scope, augmented });
          this.attributes.set(key, list);
        }
      }
    };
    if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
      const targets = left.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
      const r = unwrap(right);
      const values = r.type === 'expression_list' || r.type === 'tuple' ? r.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') : [];
      if (values.length === targets.length) targets.forEach((t, i) => record(t, values[i]!));
      else for (const t of targets) if (t.type === 'identifier') this.markUnknown(t, node, scope);
      return;
    }
    record(left, right);
  }

  /** `a, b = f()`: the names are assigned, to values the model cannot see. */
  private markUnknown(target: SyntaxNode, statement: SyntaxNode, scope: Scope): void {
    const list = this.assignments.get(target.text) ?? [];
    list.push({ name: target.text, target, value: target, statement, scope, augmented: false });
    this.assignments.set(target.text, list);
  }

  private markNoGradDecorator(decorator: SyntaxNode): void {
    const expr = decorator.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!expr || !this.isNoGrad(expr)) return;
    const definition = decorator.parent?.childForFieldName('definition');
    if (definition) this.noGradRanges!.push({ start: definition.startIndex, end: definition.endIndex });
  }

  private markNoGradWith(w: SyntaxNode): void {
    const clause = w.namedChildren.find((c) => c?.type === 'with_clause');
    const items = clause?.namedChildren ?? [];
    if (!items.some((item) => item?.type === 'with_item' && item.childForFieldName('value') && this.isNoGrad(item.childForFieldName('value')!))) return;
    const body = w.childForFieldName('body');
    if (body) this.noGradRanges!.push({ start: body.startIndex, end: body.endIndex });
  }

  private isNoGrad(expr: SyntaxNode): boolean {
    const e = unwrap(expr);
    if (e.type === 'call') return calleeOf(e, this.imports)?.fn === 'no_grad';
    const parts = dottedName(e);
    return parts !== undefined && canonicalOf(this.imports.qualify(parts)) === 'no_grad';
  }
}

/**
 * True when the assignments are made in every branch of an `if` that has an `else` (each in the
 * branch's own block), and that `if` is on every path to the use: one of them surely ran.
 */
function coversAllBranches(assignments: readonly Assignment[], use: SyntaxNode, scopeNode: SyntaxNode | undefined): boolean {
  const byIf = new Map<number, { node: SyntaxNode; blocks: Set<number> }>();
  for (const a of assignments) {
    const statement = a.statement.parent?.type === 'expression_statement' ? a.statement.parent : a.statement;
    const block = statement.parent;
    const clause = block?.parent;
    if (block?.type !== 'block' || !clause) continue;
    const ifNode = clause.type === 'if_statement' ? clause : clause.type === 'elif_clause' || clause.type === 'else_clause' ? clause.parent : undefined;
    if (ifNode?.type !== 'if_statement') continue;
    const entry = byIf.get(ifNode.startIndex) ?? { node: ifNode, blocks: new Set<number>() };
    entry.blocks.add(block.startIndex);
    byIf.set(ifNode.startIndex, entry);
  }
  for (const { node, blocks } of byIf.values()) {
    const branches: number[] = [];
    const consequence = node.childForFieldName('consequence');
    if (consequence) branches.push(consequence.startIndex);
    let hasElse = false;
    for (const c of node.namedChildren) {
      if (c?.type === 'elif_clause') {
        const b = c.childForFieldName('consequence');
        if (b) branches.push(b.startIndex);
      } else if (c?.type === 'else_clause') {
        hasElse = true;
        const b = c.childForFieldName('body');
        if (b) branches.push(b.startIndex);
      }
    }
    if (hasElse && branches.every((b) => blocks.has(b)) && use.startIndex >= node.endIndex && dominates(node, use, scopeNode)) return true;
  }
  return false;
}

/** Statements whose blocks may not run: the branches of `if`, loops, `except` and `case`. */
const BRANCHING = new Set(['if_statement', 'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'except_clause', 'case_clause']);

/**
 * True when every path to `use` runs `statement`: each branch or loop body around the statement
 * (up to the function) also holds the use. `with` and `try` bodies run on the way to what follows.
 */
function dominates(statement: SyntaxNode, use: SyntaxNode, scopeNode: SyntaxNode | undefined): boolean {
  let child = statement;
  for (let n = statement.parent; n; child = n, n = n.parent) {
    if (scopeNode && n.startIndex === scopeNode.startIndex && n.type === scopeNode.type) break;
    if (BRANCHING.has(n.type) && child.type === 'block' && (use.startIndex < child.startIndex || use.startIndex >= child.endIndex)) return false;
  }
  return true;
}
