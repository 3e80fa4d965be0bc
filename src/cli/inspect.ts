/** `kl-lens inspect FILE`: every tensor in a file with its dtype, shape, size and a summary. */
import { formatNumber } from '../core/format';
import { jsonNumber } from '../core/json';
import { openFileSource } from '../host/fileSource';
import { TensorFormatError } from '../io/errors';
import { summarize, type TensorStats, type TensorSummary } from '../io/inspect';
import { openTensorFile } from '../io/open';
import type { InspectArgs } from './args';

export function inspectCommand(args: InspectArgs): number {
  let source;
  try {
    source = openFileSource(args.file);
  } catch (e) {
    if (e instanceof TensorFormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TensorFormatError(args.file, code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  try {
    const file = openTensorFile(source);
    const summaries = file.entries.map((e) => summarize(e));
    if (args.json) {
      const tensors = summaries.map((s) => ({
        key: s.key,
        dtype: s.dtype,
        shape: s.shape,
        elements: s.elements,
        bytes: s.bytes,
        ...(s.stats ? { min: jsonNumber(s.stats.min), max: jsonNumber(s.stats.max), sum: jsonNumber(s.stats.sum), looksLike: s.stats.looksLike, ...(s.stats.problem ? { problem: s.stats.problem } : {}) } : {}),
      }));
      process.stdout.write(`${JSON.stringify({ file: args.file, format: file.format, tensors, ...(file.metadata ? { metadata: file.metadata } : {}) })}\n`);
    } else {
      process.stdout.write(table(args.file, file.format, summaries));
    }
    return 0;
  } finally {
    source.close();
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${x.toFixed(1)} ${units[i]}`;
}

function looksLike(stats: TensorStats): string {
  return stats.problem === undefined ? stats.looksLike : `${stats.looksLike} (${stats.problem})`;
}

function table(name: string, format: string, rows: readonly TensorSummary[]): string {
  const header = ['key', 'dtype', 'shape', 'size', 'min', 'max', 'sum', 'last axis looks like'];
  const cells = rows.map((s) => [
    s.key === '' ? '(whole file)' : s.key,
    s.dtype,
    `[${s.shape.join(', ')}]`,
    formatBytes(s.bytes),
    ...(s.stats ? [formatNumber(s.stats.min), formatNumber(s.stats.max), formatNumber(s.stats.sum), looksLike(s.stats)] : ['', '', '', s.elements === 0 ? 'empty' : 'not summarised (large)']),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => `  ${c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  return `${name}: ${format}, ${rows.length} tensor${rows.length === 1 ? '' : 's'}\n${line(header)}${cells.map(line).join('')}`;
}
