/**
 * Errors raised by the language and the numeric core.
 *
 * Every error carries what went wrong and, when it comes from source text, the character span, so
 * each front end (CLI, diagnostics, notebook outputs) can point at it without parsing messages.
 */

import { LineIndex } from './positions';

/** A half-open range of UTF-16 code units in the program text: `[start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ErrorKind = 'syntax' | 'evaluation' | 'cancelled';

export class KlError extends Error {
  readonly kind: ErrorKind;
  readonly span: Span | undefined;

  constructor(kind: ErrorKind, message: string, span?: Span) {
    super(message);
    this.name = 'KlError';
    this.kind = kind;
    this.span = span;
  }
}

/** 1-based line and column of an offset, counting columns in code points as editors show them. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  return new LineIndex(source).position(offset);
}

/** `syntax error at 1:14: expected ')' but found end of input` — the one-line form every front end shows. */
export function formatError(error: KlError, source: string): string {
  if (error.kind === 'cancelled') return error.message;
  if (!error.span) return `${error.kind} error: ${error.message}`;
  const { line, column } = lineColumn(source, error.span.start);
  return `${error.kind} error at ${line}:${column}: ${error.message}`;
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  // Short names only match up to case: 'r' is not a typo of 'p'.
  let bestDistance = word.length <= 2 ? 1 : Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const w = word.toLowerCase();
    const c = candidate.toLowerCase();
    const d = editDistance(w, c);
    // A case-only difference is the most likely typo (`kl` for `KL`); a prefix (`batch`) is next.
    const score = d === 0 ? 0.5 : w.length >= 3 && c.startsWith(w) ? 1 : d;
    if (score < bestDistance) {
      bestDistance = score;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hint = suggest(word, candidates);
  return hint === undefined ? '' : ` (did you mean '${hint}'?)`;
}
