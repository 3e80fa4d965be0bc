/**
 * The syntax tree the KL rules read: the part of a tree-sitter node they use (web-tree-sitter's
 * `Node` has all of it), and small helpers over Python's grammar. Reading a node's fields crosses
 * into WebAssembly, so the helpers ask for what they need and nothing more.
 */

export interface Point {
  readonly row: number;
  readonly column: number;
}

/** A node of a tree-sitter Python syntax tree. Offsets count UTF-16 code units, as JS strings do. */
export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly text: string;
  readonly parent: SyntaxNode | null;
  readonly namedChildren: readonly (SyntaxNode | null)[];
  readonly children: readonly (SyntaxNode | null)[];
  readonly namedChildCount: number;
  readonly firstChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly hasError: boolean;
  readonly isError: boolean;
  readonly isMissing: boolean;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): (SyntaxNode | null)[];
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
}

/** Strips parentheses: `((x))` → `x`. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!inner) return n;
    n = inner;
  }
  return n;
}

/** The expression a parenthesized node stands in, climbing out of parentheses. */
export function outerOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  return n;
}

export interface CallArgs {
  readonly positional: readonly SyntaxNode[];
  /** keyword → the `keyword_argument` node (its `value` field is the value). */
  readonly keywords: ReadonlyMap<string, SyntaxNode>;
  /** True when `*args` or `**kwargs` make the binding of parameters unknowable. */
  readonly splat: boolean;
  readonly list: SyntaxNode | null;
}

const argsCache = new WeakMap<SyntaxNode, CallArgs>();

/** The arguments of a call, split into positional and keyword ones. */
export function callArgs(call: SyntaxNode): CallArgs {
  const cached = argsCache.get(call);
  if (cached) return cached;
  const list = call.childForFieldName('arguments');
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  let splat = false;
  if (list && list.type === 'argument_list') {
    for (const a of list.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        if (name) keywords.set(name.text, a);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        splat = true;
      } else {
        positional.push(a);
      }
    }
  } else if (list) {
    // f(x for x in y): one generator argument.
    positional.push(list);
  }
  const args = { positional, keywords, splat, list };
  argsCache.set(call, args);
  return args;
}

/** The value of keyword `name`, or else of positional argument `index` (as Python binds them). */
export function argument(call: SyntaxNode, index: number | undefined, name: string): SyntaxNode | undefined {
  const args = callArgs(call);
  const kw = args.keywords.get(name);
  if (kw) return kw.childForFieldName('value') ?? undefined;
  if (index !== undefined && index < args.positional.length) return args.positional[index];
  return undefined;
}

/** `a.b.c` → ['a', 'b', 'c']; undefined when the chain does not start at a plain name. */
export function dottedName(node: SyntaxNode): string[] | undefined {
  const parts: string[] = [];
  let n = unwrap(node);
  while (n.type === 'attribute') {
    const object = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    if (!object || !attr || parts.length > 64) return undefined;
    parts.push(attr.text);
    n = unwrap(object);
  }
  if (n.type !== 'identifier') return undefined;
  parts.push(n.text);
  return parts.reverse();
}

/** The operator of a binary or unary operator node (`+`, `-`, `*`, `/`, `**`, ...). */
export function operatorOf(node: SyntaxNode): string | undefined {
  if (node.type !== 'binary_operator' && node.type !== 'unary_operator' && node.type !== 'augmented_assignment') return undefined;
  return node.childForFieldName('operator')?.text;
}

/** A numeric literal's value (`1e-8`, `-0.5`, `1_000`), or undefined. */
export function numberValue(node: SyntaxNode): number | undefined {
  const n = unwrap(node);
  if (n.type === 'integer' || n.type === 'float') {
    const v = Number(n.text.replace(/_/g, ''));
    return Number.isFinite(v) ? v : undefined;
  }
  if (n.type === 'unary_operator') {
    const arg = n.childForFieldName('argument');
    const v = arg ? numberValue(arg) : undefined;
    const op = operatorOf(n);
    if (v === undefined) return undefined;
    return op === '-' ? -v : op === '+' ? v : undefined;
  }
  return undefined;
}

/** A string literal's value when it has no interpolation (`'mean'`, `"batchmean"`), or undefined. */
export function stringValue(node: SyntaxNode): string | undefined {
  const n = unwrap(node);
  if (n.type !== 'string') return undefined;
  const match = /^[rRuU]?(['"])(.*)\1$/s.exec(n.text);
  if (!match || n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return match[2];
}

/** `True` / `False` as a boolean, or undefined. */
export function booleanValue(node: SyntaxNode): boolean | undefined {
  const n = unwrap(node);
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  return undefined;
}

/** Source text without whitespace, for comparing two spellings of one expression (`self.T` vs `self . T`). */
export function normalized(node: SyntaxNode): string {
  return node.text.replace(/\s+/g, '');
}

/** True for expressions that need no parentheses as an operand: names, calls, attributes, literals. */
export function isAtom(node: SyntaxNode): boolean {
  return ['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression', 'integer', 'float', 'string', 'true', 'false', 'none', 'list', 'tuple'].includes(node.type);
}

/** The text of `node` ready to be an operand of `*`, `/` or `**`. */
export function asOperand(node: SyntaxNode): string {
  return isAtom(node) ? node.text : `(${node.text})`;
}

/**
 * The words of the identifiers in an expression, lower-cased and split at `_`, digits and camel
 * case: `teacherLogits_T` → teacher, logits, t.
 */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const ident of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    for (const part of ident.split(/[_\d]+/)) {
      for (const w of part.split(/(?<=[a-z])(?=[A-Z])/)) if (w) words.push(w.toLowerCase());
    }
  }
  return words;
}

/** More terms than any formula the rules look for has: past this, a sum is not one of them. */
const MAX_TERMS = 32;

/**
 * The terms of a sum with their signs: `1 + a - (b - c)` → +1, +a, −b, +c. Unary minus flips
 * the sign; anything else is one term. With `keepParentheses`, `(b - c)` stays one term. A sum of
 * more than MAX_TERMS terms (generated code) is cut short, without recursing down it.
 */
export function additiveTerms(node: SyntaxNode, keepParentheses = false): { sign: number; node: SyntaxNode }[] {
  const out: { sign: number; node: SyntaxNode }[] = [];
  // Depth first, left to right, on an explicit stack: a left-leaning chain of `+` is as deep as it is long.
  const stack: { node: SyntaxNode; sign: number; top: boolean }[] = [{ node, sign: 1, top: true }];
  while (stack.length > 0 && out.length + stack.length <= MAX_TERMS) {
    const { node: m, sign, top } = stack.pop()!;
    const n = keepParentheses && !top ? m : unwrap(m);
    const op = n.type === 'binary_operator' ? operatorOf(n) : undefined;
    if (op === '+' || op === '-') {
      stack.push({ node: n.childForFieldName('right')!, sign: op === '-' ? -sign : sign, top: false });
      stack.push({ node: n.childForFieldName('left')!, sign, top: false });
    } else if (n.type === 'unary_operator' && operatorOf(n) === '-') {
      stack.push({ node: n.childForFieldName('argument')!, sign: -sign, top: false });
    } else {
      out.push({ sign, node: unwrap(n) });
    }
  }
  return stack.length > 0 ? [] : out;
}
