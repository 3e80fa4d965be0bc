/** The line of a cell that holds an error, with the offending text underlined, as compilers print it. */
import { lineColumn, type Span } from '../../core/errors';

export function spanSnippet(source: string, span: Span): string {
  const { line, column } = lineColumn(source, span.start);
  const lineStart = source.lastIndexOf('\n', span.start - 1) + 1;
  const lineEndAt = source.indexOf('\n', lineStart);
  const lineEnd = lineEndAt < 0 ? source.length : lineEndAt;
  const text = source.slice(lineStart, lineEnd);
  // Columns in code points, as lineColumn counts them; a span running past the line stops at its end.
  const width = Math.max(1, [...source.slice(span.start, Math.min(span.end, lineEnd))].length);
  const gutter = String(line);
  return `${gutter} | ${text}\n${' '.repeat(gutter.length)} | ${' '.repeat(column - 1)}${'^'.repeat(width)}`;
}
