/**
 * Where a loss term goes: from a call up through the arithmetic around it and through the names
 * it is assigned to, to the sum it is added into — with the factors it is multiplied by on the
 * way. The distillation rule asks whether a KL term meets a cross-entropy and whether T² is
 * among its factors.
 */
import type { Model } from './model';
import { argument, numberValue, normalized, operatorOf, type SyntaxNode, unwrap } from './syntax';

/** A step of the way up: the node reached, and what the way multiplied it by. */
export interface Path {
  readonly node: SyntaxNode;
  readonly factors: readonly SyntaxNode[];
  readonly divisors: readonly SyntaxNode[];
}

/** Methods and functions that reduce a loss without changing what it is a loss of. */
const REDUCERS = new Set(['sum', 'mean', '.float', '.double', '.squeeze', '.clone', '.to', '.item']);

/**
 * The places a term reaches, innermost first, stopping at each `+`/`-` it is an operand of
 * (reported with the other operand) and following assignments to the uses of the name, at most
 * `hops` names deep.
 */
export function* climb(start: SyntaxNode, model: Model, hops = 3): Generator<{ sum: SyntaxNode; other: SyntaxNode; path: Path }> {
  const queue: { node: SyntaxNode; factors: SyntaxNode[]; divisors: SyntaxNode[]; hops: number }[] = [{ node: start, factors: [], divisors: [], hops }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const item = queue.shift()!;
    let node = item.node;
    const factors = [...item.factors];
    const divisors = [...item.divisors];
    for (;;) {
      const p = node.parent;
      if (!p) break;
      if (p.type === 'parenthesized_expression' || p.type === 'unary_operator') {
        node = p;
        continue;
      }
      if (p.type === 'binary_operator') {
        const op = operatorOf(p);
        const left = p.childForFieldName('left');
        const right = p.childForFieldName('right');
        const isLeft = left?.startIndex === node.startIndex && left.endIndex === node.endIndex;
        const other = isLeft ? right : left;
        if (!other) break;
        if (op === '*') factors.push(other);
        else if (op === '/' && isLeft) divisors.push(other);
        else if (op === '+' || op === '-') yield { sum: p, other, path: { node, factors, divisors } };
        else break;
        node = p;
        continue;
      }
      if (p.type === 'attribute' && p.parent?.type === 'call') {
        // term.mean(), term.sum(dim=-1), term.mul(T ** 2)
        const call = p.parent;
        const method = p.childForFieldName('attribute')?.text;
        const by = argument(call, 0, 'other');
        if ((method === 'mul' || method === 'mul_' || method === 'multiply') && by) {
          factors.push(by);
          node = call;
          continue;
        }
        if ((method === 'div' || method === 'div_') && by) {
          divisors.push(by);
          node = call;
          continue;
        }
        const fn = model.callee(call)?.fn;
        if (!fn || !REDUCERS.has(fn)) break;
        node = call;
        continue;
      }
      if (p.type === 'argument_list' && p.parent?.type === 'call') {
        const call = p.parent;
        const fn = model.callee(call)?.fn;
        if ((fn === 'sum' || fn === 'mean') && argument(call, 0, 'input')?.startIndex === node.startIndex) {
          node = call;
          continue;
        }
        break;
      }
      if (p.type === 'augmented_assignment') {
        const op = operatorOf(p);
        const left = p.childForFieldName('left');
        if (left && (op === '+=' || op === '-=') && p.childForFieldName('right')?.startIndex === node.startIndex) {
          yield { sum: p, other: left, path: { node, factors, divisors } };
        }
        break;
      }
      if (p.type === 'assignment' && p.childForFieldName('right')?.startIndex === node.startIndex && item.hops > 0) {
        const target = p.childForFieldName('left');
        if (target?.type === 'identifier') {
          const scope = model.scopes.scopeAt(target.startIndex);
          for (const use of model.scopes.usesOf(target.text, scope)) {
            if (use.startIndex <= p.endIndex) continue;
            const key = `${use.startIndex}`;
            if (seen.has(key)) continue;
            seen.add(key);
            // Only uses this assignment reaches (not after the name was assigned again); `x *= T ** 2`
            // on the way multiplies what the use sees.
            const reach = model.scopes.reaching(use);
            if (!reach?.some((a) => a.statement.startIndex === p.startIndex)) continue;
            const scaled = [...factors];
            const divided = [...divisors];
            for (const a of reach) {
              if (!a.augmented || a.statement.startIndex <= p.startIndex) continue;
              const by = a.statement.childForFieldName('right');
              const op = operatorOf(a.statement);
              if (by && op === '*=') scaled.push(by);
              else if (by && op === '/=') divided.push(by);
            }
            queue.push({ node: use, factors: scaled, divisors: divided, hops: item.hops - 1 });
          }
        }
      }
      break;
    }
  }
}

/**
 * The calls whose values flow into `node` through arithmetic, reductions and local names, that
 * `accept` picks (e.g. the cross-entropy calls).
 */
export function sources(node: SyntaxNode, model: Model, accept: (call: SyntaxNode) => boolean, depth = 0): SyntaxNode[] {
  if (depth > 8) return [];
  const n = unwrap(node);
  switch (n.type) {
    case 'call': {
      if (accept(n)) return [n];
      const c = model.callee(n);
      if (c && REDUCERS.has(c.fn)) {
        const inner = c.receiver ?? argument(n, 0, 'input');
        return inner ? sources(inner, model, accept, depth + 1) : [];
      }
      return [];
    }
    case 'binary_operator': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      return [...(l ? sources(l, model, accept, depth + 1) : []), ...(r ? sources(r, model, accept, depth + 1) : [])];
    }
    case 'unary_operator': {
      const a = n.childForFieldName('argument');
      return a ? sources(a, model, accept, depth + 1) : [];
    }
    case 'identifier': {
      const reach = model.scopes.reaching(n) ?? [];
      return reach.flatMap((a) => {
        if (!a.augmented) return a.value === a.target ? [] : sources(a.value, model, accept, depth + 1);
        const right = a.statement.childForFieldName('right');
        return right ? sources(right, model, accept, depth + 1) : [];
      });
    }
    default:
      return [];
  }
}

/**
 * How many times `factor` multiplies by the temperature `T`: 1 for `T`, 2 for `T * T`, `T ** 2`,
 * `pow(T, 2)` or a name holding one of those, −1 for `1 / T`; a literal temperature also counts
 * in literals (`16` for T = 4).
 */
export function powerOf(factor: SyntaxNode, T: SyntaxNode, model: Model, depth = 0): number {
  if (depth > 4) return 0;
  const n = unwrap(factor);
  const t = normalized(unwrap(T));
  if (normalized(n) === t) return 1;
  const tValue = numberValue(T);
  const v = numberValue(n);
  if (tValue !== undefined && v !== undefined && tValue > 0 && tValue !== 1) {
    const k = Math.log(Math.abs(v)) / Math.log(tValue);
    return Math.abs(k - Math.round(k)) < 1e-9 ? Math.round(k) : 0;
  }
  switch (n.type) {
    case 'binary_operator': {
      const op = operatorOf(n);
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r) return 0;
      if (op === '*') return powerOf(l, T, model, depth + 1) + powerOf(r, T, model, depth + 1);
      if (op === '/') return powerOf(l, T, model, depth + 1) - powerOf(r, T, model, depth + 1);
      if (op === '**') {
        const k = numberValue(r);
        return k !== undefined ? powerOf(l, T, model, depth + 1) * k : 0;
      }
      return 0;
    }
    case 'call': {
      const fn = n.childForFieldName('function');
      const parts = fn?.text.split('.') ?? [];
      if (parts[parts.length - 1] === 'pow') {
        const base = argument(n, 0, 'input');
        const k = argument(n, 1, 'exponent');
        const kv = k ? numberValue(k) : undefined;
        return base && kv !== undefined ? powerOf(base, T, model, depth + 1) * kv : 0;
      }
      return 0;
    }
    case 'identifier':
    case 'attribute': {
      const a = model.single(n);
      return a ? powerOf(a.value, T, model, depth + 1) : 0;
    }
    default:
      return 0;
  }
}

/**
 * The expression a call's value is used as: the call with the method chain after it
 * (`F.kl_div(...).sum(1).mean()`), so an inserted factor multiplies the whole term.
 */
export function termOf(call: SyntaxNode): SyntaxNode {
  let node = call;
  for (;;) {
    const p = node.parent;
    if (p?.type === 'attribute' && p.parent?.type === 'call' && p.childForFieldName('object')?.startIndex === node.startIndex) node = p.parent;
    else if (p?.type === 'subscript' && p.childForFieldName('value')?.startIndex === node.startIndex) node = p;
    else return node;
  }
}
