/** The file paths a program passes to load() as string literals, found with the real parser. */
import { parse } from './parser';
import { walkExpr } from './walk';

export function loadPaths(source: string): string[] {
  let statements;
  try {
    statements = parse(source).statements;
  } catch {
    return []; // evaluation reports the syntax error
  }
  const paths = new Set<string>();
  for (const s of statements) {
    walkExpr(s.value, (e) => {
      if (e.type === 'call' && e.callee === 'load' && e.args[0]?.type === 'string') paths.add(e.args[0].value);
    });
  }
  return [...paths];
}
