/** How messages quote the user's code: short, in backticks, with where a name got its value. */
import type { Facts } from './model';
import type { SyntaxNode } from './syntax';

const MAX_QUOTE = 60;

/** `F.softmax(s / T, dim=-1)` in backticks; long expressions are shortened in the middle. */
export function code(node: SyntaxNode | string): string {
  const text = (typeof node === 'string' ? node : node.text).replace(/\s+/g, ' ').trim();
  if (text.length <= MAX_QUOTE) return `\`${text}\``;
  return `\`${text.slice(0, 34)}…${text.slice(text.length - 20)}\``;
}

/**
 * The argument as the user wrote it, and when it is a name, what it was made by:
 * `` `p_s` (`F.softmax(s / T, -1)` on line 12) ``.
 */
export function quoteValue(node: SyntaxNode, facts: Facts): string {
  const producer = facts.producer;
  if (!producer || facts.names.length === 0) return code(node);
  return `${code(node)} (${code(producer.call)} on line ${producer.call.startPosition.row + 1})`;
}
