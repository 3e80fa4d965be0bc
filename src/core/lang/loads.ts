/** The file paths a program passes to load() as string literals, found with the real parser. */
import type { Expr } from './ast';
import { parse } from './parser';

export function loadPaths(source: string): string[] {
  let statements;
  try {
    statements = parse(source).statements;
  } catch {
    return []; // evaluation reports the syntax error
  }
  const paths = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.type) {
      case 'call':
        if (e.callee === 'load' && e.args[0]?.type === 'string') paths.add(e.args[0].value);
        e.args.forEach(walk);
        e.keywords.forEach((k) => walk(k.value));
        return;
      case 'array':
        e.items.forEach(walk);
        return;
      case 'unary':
        walk(e.operand);
        return;
      case 'binary':
        walk(e.left);
        walk(e.right);
        return;
      default:
        return;
    }
  };
  statements.forEach((s) => walk(s.value));
  return [...paths];
}
