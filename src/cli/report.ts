/** `kl-lens eval ... --html report.html`: the self-contained report of a program's value. */
import { writeFileSync } from 'node:fs';
import katex from 'katex';
import { charts } from '../core/chart/index';
import { derive } from '../core/derive/index';
import type { Value } from '../core/result';
import { reportDocument } from '../core/report/html';
import { inlinedKatexCss } from '../host/katexAssets';

export function renderTex(tex: string): string {
  return katex.renderToString(tex, { displayMode: true, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
}

export function reportHtml(source: string, value: Value, digits: number): string {
  const steps = value.type === 'result' ? derive(value.result, { digits }) : [];
  const chartList = value.type === 'result' ? charts(value.result) : [];
  return reportDocument({ source, value, steps, charts: chartList }, renderTex, inlinedKatexCss(), digits);
}

export function writeReport(path: string, source: string, value: Value, digits: number): void {
  writeFileSync(path, reportHtml(source, value, digits));
}
