/** The webview document: strict CSP, the panel script by nonce, KaTeX CSS and fonts via asWebviewUri. */
import * as vscode from 'vscode';
import { REPORT_CSS } from '../../core/report/html';

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

/** The report stylesheet without its stand-alone theme: in VS Code the --vscode-* variables come from the editor. */
const PANEL_CSS = REPORT_CSS.replace(/:root \{[\s\S]*?\}\n@media \(prefers-color-scheme: dark\) \{ :root \{[\s\S]*?\} \}\n/, '').replace(
  /body \{[^}]*\}/,
  'body { color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 20px; }',
);

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const n = nonce();
  const asset = (...path: string[]): vscode.Uri => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path));
  // KaTeX's markup carries inline style attributes (glyph heights), hence 'unsafe-inline' for styles only.
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('katex', 'katex.min.css')}">
<style>${PANEL_CSS}
.kl-toolbar { position: sticky; top: 0; display: flex; gap: 6px; flex-wrap: wrap; padding: 8px 0; background: var(--vscode-editor-background); z-index: 1; }
.kl-toolbar button, .kl-svg-button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 4px 10px; cursor: pointer; border-radius: 2px; }
.kl-toolbar button:hover, .kl-svg-button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.kl-toolbar .kl-unit-switch[aria-pressed="true"] { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
.kl-files { color: var(--vscode-descriptionForeground); }
.kl-files .kl-file { background: none; border: none; padding: 0; color: var(--vscode-textLink-foreground); cursor: pointer; font: inherit; text-decoration: underline; }
.kl-status { color: var(--vscode-descriptionForeground); padding: 12px 0; }
.kl-error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
</style>
<title>KL Lens</title>
</head><body>
<div class="kl-toolbar" role="toolbar" aria-label="Result actions">
  <button data-action="copyValue" title="Copy the value to the clipboard">Copy value</button>
  <button data-action="copyLatex" title="Copy the derivation as LaTeX">Copy LaTeX</button>
  <button data-action="saveHtml" title="Save a self-contained HTML report">Save HTML report</button>
  <span class="kl-units" hidden><button class="kl-unit-switch" data-unit="nats">nats</button><button class="kl-unit-switch" data-unit="bits">bits</button></span>
</div>
<main id="content"><p class="kl-status">Evaluating…</p></main>
<script nonce="${n}" src="${asset('panel.js')}"></script>
</body></html>`;
}
