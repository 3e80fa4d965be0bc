/**
 * Styles of one notebook output, inside its shadow root. Colours come from the --vscode-* variables
 * VS Code sets on the output webview (they inherit through the shadow boundary), so light, dark
 * and high-contrast themes apply without a stylesheet per theme.
 */
import { REPORT_VIEW_CSS } from '../../src/core/report/html';

export const OUTPUT_CSS = `
:host { display: block; color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family, system-ui, sans-serif);
  font-size: var(--vscode-font-size, 13px); line-height: 1.5; }
.kl-output { position: relative; padding: 4px 0; }
${REPORT_VIEW_CSS}
.kl-source { font-family: var(--vscode-editor-font-family, monospace); }
h2 { font-size: 14px; margin: 16px 0 6px; }
.kl-actions { position: absolute; top: 4px; right: 0; }
.kl-actions button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground);
  border: 1px solid var(--vscode-contrastBorder, transparent); padding: 3px 10px; border-radius: 2px; cursor: pointer; font: inherit; }
.kl-actions button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.kl-actions button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.kl-output:has(.kl-actions) .kl-source { margin-right: 120px; }
.kl-error { border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); border-radius: 4px;
  background: var(--vscode-inputValidation-errorBackground, transparent); padding: 8px 12px; }
.kl-error-title { font-weight: 600; color: var(--vscode-errorForeground); }
.kl-error-message { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 0; font-family: var(--vscode-editor-font-family, monospace); }
.kl-error .kl-source { margin: 8px 0 0; }
.kl-error mark { background: transparent; color: inherit; text-decoration: underline wavy var(--vscode-editorError-foreground, red); text-underline-offset: 3px; }
`;
