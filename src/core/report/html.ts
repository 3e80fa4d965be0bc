/**
 * The standalone report: one self-contained HTML document with the value, the derivation and the
 * charts. The same pieces (`reportBody`) are what the results panel and notebook outputs show.
 * TeX is typeset by a function the caller passes in (KaTeX's renderToString), so this module
 * stays free of any renderer.
 */
import type { Chart } from '../chart/model';
import type { Step } from '../derive/step';
import { formatNumber, formatValue } from '../format';
import type { Value, Warning } from '../result';
import { isScalar } from '../tensor';

export interface ReportContent {
  /** The program as the user wrote it. */
  readonly source: string;
  readonly value: Value;
  readonly steps: readonly Step[];
  readonly charts: readonly Chart[];
}

export type RenderTex = (tex: string) => string;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function headline(value: Value, digits: number): string {
  if (value.type !== 'result') {
    return `<div class="kl-value"><span class="kl-number">${escapeHtml(formatValue(value, { digits }))}</span></div>`;
  }
  const r = value.result;
  const unit = r.unit ? ` <span class="kl-unit">${escapeHtml(r.unit.name)}</span>` : '';
  const main = isScalar(r.value)
    ? `<span class="kl-label">${escapeHtml(r.label)} =</span> <span class="kl-number">${escapeHtml(formatNumber(r.value.data[0]!, digits))}</span>${unit}`
    : `<span class="kl-label">${escapeHtml(r.label)}</span> <span class="kl-number kl-small">${escapeHtml(formatValue({ type: 'tensor', tensor: r.value }, { digits }))}</span>${unit}`;
  let reverse = '';
  if ((r.kind === 'discrete' || r.kind === 'gaussian') && r.measure === 'KL' && r.reverse) {
    const label = r.label.replace(/^KL\((.*)‖(.*)\)$/, 'KL($2‖$1)');
    reverse = `<div class="kl-reverse">reverse ${escapeHtml(label)} = ${escapeHtml(formatValue({ type: 'tensor', tensor: r.reverse.value }, { digits }))}${r.unit ? ` ${escapeHtml(r.unit.name)}` : ''}</div>`;
  }
  return `<div class="kl-value">${main}</div>${reverse}`;
}

function warnings(ws: readonly Warning[]): string {
  if (ws.length === 0) return '';
  return `<ul class="kl-warnings">${ws.map((w) => `<li class="kl-warning" data-code="${escapeHtml(w.code)}">${escapeHtml(w.message)}</li>`).join('')}</ul>`;
}

function step(s: Step, renderTex: RenderTex): string {
  const kind = s.kind ?? 'equation';
  const body = kind === 'equation' ? `<div class="kl-math">${renderTex(s.tex)}</div>` : `<p>${escapeHtml(s.text)}</p>`;
  return `<li class="kl-step kl-step-${kind}"><div class="kl-step-title">${escapeHtml(s.title)}</div>${body}</li>`;
}

function table(c: Chart): string {
  const head = c.table.columns.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const rows = c.table.rows.map((r) => `<tr>${r.map((x) => `<td>${escapeHtml(typeof x === 'number' ? formatNumber(x, 6) : x)}</td>`).join('')}</tr>`).join('');
  return `<details class="kl-table"><summary>Data (${c.table.rows.length} rows)</summary><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></details>`;
}

/** The report's inner HTML: value, warnings, derivation, charts. Shared by every surface. */
export function reportBody(content: ReportContent, renderTex: RenderTex, digits = 5): string {
  const ws = content.value.type === 'result' ? content.value.result.warnings : [];
  const steps = content.steps.length > 0 ? `<section class="kl-derivation"><h2>Derivation</h2><ol>${content.steps.map((s) => step(s, renderTex)).join('')}</ol></section>` : '';
  const charts =
    content.charts.length > 0
      ? `<section class="kl-charts"><h2>Charts</h2>${content.charts
          .map((c) => `<figure class="kl-chart" data-chart="${escapeHtml(c.id)}">${c.svg}<figcaption>${escapeHtml(c.title)} — ${escapeHtml(c.description)}</figcaption>${table(c)}</figure>`)
          .join('')}</section>`
      : '';
  return `<section class="kl-result"><pre class="kl-source">${escapeHtml(content.source)}</pre>${headline(content.value, digits)}${warnings(ws)}</section>${steps}${charts}`;
}

/** The rules every surface shares (report, panel, notebook outputs): theme colours come from --vscode-* variables. */
export const REPORT_VIEW_CSS = `
.kl-source { background: var(--vscode-textBlockQuote-background); padding: 8px 12px; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12em; overflow: auto; margin: 0 0 12px; }
.kl-value { font-size: 28px; font-weight: 600; }
.kl-value .kl-small { font-size: 16px; font-weight: 400; }
.kl-unit, .kl-label { font-weight: 400; }
.kl-reverse { color: var(--vscode-descriptionForeground); font-size: 16px; }
.kl-warnings { padding-left: 20px; }
.kl-warning { color: var(--vscode-editorWarning-foreground); }
.kl-derivation ol { padding-left: 20px; }
.kl-step { margin: 10px 0; }
.kl-step-title { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--vscode-descriptionForeground); }
.kl-step-warning p { color: var(--vscode-editorWarning-foreground); }
.kl-math { overflow-x: auto; overflow-y: hidden; }
.kl-chart { margin: 16px 0; }
.kl-chart svg { max-width: 100%; height: auto; }
.kl-chart figcaption { font-size: 12px; color: var(--vscode-descriptionForeground); }
.kl-table table { border-collapse: collapse; font-size: 12px; }
.kl-table td, .kl-table th { border: 1px solid var(--vscode-panel-border); padding: 2px 6px; text-align: right; }
h2 { font-size: 16px; margin: 24px 0 8px; }
`;

/**
 * Theme variables for a report outside VS Code: the names VS Code gives webviews, so the same
 * charts and styles work in both. Light by default, dark when the reader prefers it.
 */
export const REPORT_CSS = `
:root { color-scheme: light dark;
  --vscode-editor-background: #ffffff; --vscode-editor-foreground: #1f1f1f; --vscode-descriptionForeground: #5f5f5f;
  --vscode-charts-foreground: #1f1f1f; --vscode-charts-lines: #8a8a8a; --vscode-charts-blue: #1a6fd1;
  --vscode-charts-red: #c72e2e; --vscode-charts-green: #2e8540; --vscode-charts-orange: #c25e00;
  --vscode-textBlockQuote-background: #f3f3f3; --vscode-editorWarning-foreground: #9a6700; --vscode-panel-border: #d4d4d4; }
@media (prefers-color-scheme: dark) { :root {
  --vscode-editor-background: #1e1e1e; --vscode-editor-foreground: #d4d4d4; --vscode-descriptionForeground: #a0a0a0;
  --vscode-charts-foreground: #cccccc; --vscode-charts-lines: #6b6b6b; --vscode-charts-blue: #3794ff;
  --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616;
  --vscode-textBlockQuote-background: #2a2a2a; --vscode-editorWarning-foreground: #cca700; --vscode-panel-border: #3c3c3c; } }
body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 24px; max-width: 960px; }
${REPORT_VIEW_CSS}`;

/** A complete, self-contained document: `katexCss` must already have its fonts inlined. */
export function reportDocument(content: ReportContent, renderTex: RenderTex, katexCss: string, digits = 5): string {
  const title = content.value.type === 'result' ? content.value.result.label : 'KL Lens';
  return wrapReport(reportBody(content, renderTex, digits), title, katexCss);
}

/** The document around an already rendered report body (the panel saves what it shows). */
export function wrapReport(bodyHtml: string, title: string, katexCss: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:">
<title>${escapeHtml(title)} — KL Lens</title>
<style>${katexCss}</style>
<style>${REPORT_CSS}</style>
</head><body>
<h1 style="font-size:14px;font-weight:400;color:var(--vscode-descriptionForeground)">KL Lens report</h1>
${bodyHtml}
</body></html>
`;
}
