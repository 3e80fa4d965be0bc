/**
 * Hover previews: finds the array literal or KL(...) call under the mouse (no file I/O, bounded by
 * the size setting) and hands it to the pure builder; this provider only wraps the result.
 */
import * as vscode from 'vscode';
import { findArrayAt, findKlCallAt, findNamedArrays } from '../../core/selection/find';
import { CommandId } from '../commandIds';
import { settings } from '../settings';
import { buildArrayHover, buildComparisonHover, DARK_COLORS, HIGH_CONTRAST_COLORS, HIGH_CONTRAST_LIGHT_COLORS, LIGHT_COLORS } from './buildHover';

/** Python (and Jupyter cells), JS/TS, JSON, Julia, R, Markdown, plain text and KL files. */
export const HOVER_LANGUAGES = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'json', 'jsonc', 'julia', 'r', 'markdown', 'plaintext', 'kl'];

function themeColors() {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Dark:
      return DARK_COLORS;
    case vscode.ColorThemeKind.HighContrast:
      return HIGH_CONTRAST_COLORS;
    case vscode.ColorThemeKind.HighContrastLight:
      return HIGH_CONTRAST_LIGHT_COLORS;
    default:
      return LIGHT_COLORS;
  }
}

function markdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  // Only our own command may run from the link; images are data: URIs we built.
  md.isTrusted = { enabledCommands: [CommandId.OpenInPanel] };
  md.supportHtml = false;
  return md;
}

export function registerHover(): vscode.Disposable {
  // Named arrays of the last document version hovered: the scan is linear, but not per mouse move.
  let cache: { uri: string; version: number; maxChars: number; named: ReturnType<typeof findNamedArrays> } | undefined;
  const namedArrays = (document: vscode.TextDocument, text: string, maxChars: number): ReturnType<typeof findNamedArrays> => {
    const uri = document.uri.toString();
    if (cache?.uri !== uri || cache.version !== document.version || cache.maxChars !== maxChars) {
      cache = { uri, version: document.version, maxChars, named: findNamedArrays(text, maxChars) };
    }
    return cache.named;
  };
  const provider: vscode.HoverProvider = {
    provideHover(document, position, token) {
      const s = settings();
      if (!s.hoverEnabled) return undefined;
      const text = document.getText();
      const offset = document.offsetAt(position);
      const options = { digits: s.digits, colors: themeColors(), topK: s.topK, base: s.base, command: CommandId.OpenInPanel };
      const named = namedArrays(document, text, s.hoverMaxChars);
      if (token.isCancellationRequested) return undefined;
      const call = findKlCallAt(text, offset, { maxChars: s.hoverMaxChars, named });
      if (call) {
        const content = buildComparisonHover(call.p.tensor, call.q.tensor, [call.p.name, call.q.name], options);
        if (content) return new vscode.Hover(markdown(content.markdown), new vscode.Range(document.positionAt(call.span.start), document.positionAt(call.span.end)));
      }
      const found = findArrayAt(text, offset, s.hoverMaxChars);
      if (!found || token.isCancellationRequested) return undefined;
      const range = new vscode.Range(document.positionAt(found.span.start), document.positionAt(found.span.end));
      const parts: vscode.MarkdownString[] = [];
      const single = buildArrayHover(found.tensor, options);
      if (single) parts.push(markdown(single.markdown));
      // Another named array of the same length in the document: show KL both ways too.
      const other = found.name ? named.find((n) => n.name !== found.name && n.tensor.data.length === found.tensor.data.length) : undefined;
      if (other) {
        const pair = buildComparisonHover(found.tensor, other.tensor, [found.name, other.name], options);
        if (pair) parts.push(markdown(pair.markdown));
      }
      return parts.length > 0 ? new vscode.Hover(parts, range) : undefined;
    },
  };
  return vscode.languages.registerHoverProvider(
    HOVER_LANGUAGES.map((language) => ({ language })),
    provider,
  );
}
