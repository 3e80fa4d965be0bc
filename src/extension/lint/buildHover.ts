/**
 * The hover text of a `kl_div` / `KLDivLoss` call: what it computes with the user's names, the
 * divergence that is (or why it is none), and what its reduction does. Pure, for unit tests.
 */
import type { Explanation } from '../../core/lint/explain';

/** Inline code that survives any backticks in the user's text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.includes('`') ? ` ${text} ` : text}${fence}`;
}

/**
 * Compact, since the hover shows the call's diagnostics above it: what the call computes and the
 * divergence that is (or that it is none), what the reduction does, then where names came from.
 */
export function buildLintHover(e: Explanation): string {
  const lines = [
    `**KL Lens** · this call computes ${code(e.formula)}${e.divergence ? ` = **${code(e.divergence)}**` : ' — **not a KL divergence**'}`,
    '',
    `${escape(capitalize(e.reduction))}.`,
  ];
  if (e.notes.length > 0) {
    lines.push('');
    for (const n of e.notes) lines.push(`- ${escape(n)}`);
  }
  return lines.join('\n');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Markdown's special characters in plain text. */
function escape(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');
}
