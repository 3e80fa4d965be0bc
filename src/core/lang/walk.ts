/**
 * One traversal of the expression tree, so that every pass that looks for names or calls (the
 * files a program loads, the variables a notebook cell reads) sees the same sub-expressions in the
 * same order.
 */
import type { Expr } from './ast';

/** The expressions directly inside `e`, in source order (a call's arguments, then its keywords). */
export function children(e: Expr): readonly Expr[] {
  switch (e.type) {
    case 'call':
      return [...e.args, ...e.keywords.map((k) => k.value)];
    case 'array':
      return e.items;
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    default:
      return [];
  }
}

/**
 * Calls `visit` on `e` and on every expression inside it, each before what it contains, in source
 * order. When `visit` returns `false` the expression's contents are skipped (a pass that replaces a
 * whole call does not look inside it).
 *
 * @example
 * const names: string[] = [];
 * walkExpr(parse('KL(p || q + r)').statements[0].value, (e) => { if (e.type === 'name') names.push(e.name); });
 * // names: ['p', 'q', 'r']
 */
export function walkExpr(e: Expr, visit: (e: Expr) => boolean | void): void {
  if (visit(e) === false) return;
  for (const child of children(e)) walkExpr(child, visit);
}
