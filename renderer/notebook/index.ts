/**
 * The notebook renderer's entry point (dist/notebookRenderer.js, an ES module VS Code imports into
 * the output webview).
 *
 * KaTeX's fonts are loaded from dist/katex/fonts next to this script, resolved through
 * import.meta.url: VS Code imports renderers from their webview resource URL, which keeps file
 * paths in the URL path, so relative URLs resolve to files of the extension; inlining the fonts
 * instead would add ~400 KB of base64 to every notebook that loads the renderer.
 */
import katexCss from 'katex/dist/katex.min.css';
import type { ActivationFunction } from 'vscode-notebook-renderer';
import { createRenderer } from './renderer';

export const activate: ActivationFunction = (context) => createRenderer(context, { katexCss, fontBase: new URL('katex/fonts/', import.meta.url).href });
