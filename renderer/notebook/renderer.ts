/**
 * The notebook renderer for `application/vnd.kl-lens+json`: validates the payload, evaluates it with
 * the pure core right here (no host round-trip) and shows the same report as the results panel,
 * inside a shadow root per output so notebook and output styles never mix.
 */
import katex from 'katex';
import type { OutputItem, RendererApi, RendererContext } from 'vscode-notebook-renderer';
import { describeFailure, evaluatePayload, type Failure } from '../../src/core/notebook/evaluate';
import { PayloadError } from '../../src/core/notebook/errors';
import type { RendererToHost } from '../../src/core/notebook/messages';
import { parsePayload } from '../../src/core/notebook/payload';
import { installFontFaces, splitKatexCss } from './katexStyles';
import { OUTPUT_CSS } from './styles';

export interface RendererAssets {
  /** katex.min.css as text. */
  readonly katexCss: string;
  /** Absolute URL of the folder with KaTeX's woff2 fonts. */
  readonly fontBase: string;
}

interface Disposable {
  dispose(): void;
}

function renderTex(tex: string): string {
  return katex.renderToString(tex, { displayMode: true, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
}

export function createRenderer(context: RendererContext<unknown>, assets: RendererAssets): RendererApi {
  const katexStyles = splitKatexCss(assets.katexCss, assets.fontBase);
  const outputCss = `${katexStyles.rules}\n${OUTPUT_CSS}`;
  const outputs = new Map<string, Disposable>();

  const disposeOne = (id: string): void => {
    outputs.get(id)?.dispose();
    outputs.delete(id);
  };

  return {
    renderOutputItem(item: OutputItem, element: HTMLElement, signal: AbortSignal): void {
      disposeOne(item.id);
      if (signal.aborted) return;
      const started = performance.now();
      const doc = element.ownerDocument;
      installFontFaces(doc, katexStyles.fontFaces);
      // A re-render reuses the element, and a shadow root can only be attached once.
      const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
      const style = doc.createElement('style');
      style.textContent = outputCss;
      const container = doc.createElement('div');
      container.className = 'kl-output';
      root.replaceChildren(style, container);

      const cleanups: (() => void)[] = [];
      let source: string | undefined;
      try {
        const raw = readJson(item);
        // Known before validation, so a payload error still shows which output it is.
        source = expressionOf(raw);
        const payload = parsePayload(raw);
        const view = evaluatePayload(payload, renderTex);
        // bodyHtml is escaped text, KaTeX markup and our own SVG (src/core/report/html.ts).
        container.innerHTML = view.bodyHtml;
        container.dataset['value'] = view.valueOnly;
        if (context.postMessage) {
          const open = openInPanelButton(doc, context, raw);
          container.prepend(open.element);
          cleanups.push(open.dispose);
        }
      } catch (error) {
        container.replaceChildren(errorBox(doc, describeFailure(error, source), source));
      }
      container.dataset['renderMs'] = (performance.now() - started).toFixed(1);
      outputs.set(item.id, {
        dispose: () => {
          for (const cleanup of cleanups) cleanup();
          root.replaceChildren();
        },
      });
    },

    disposeOutputItem(id?: string): void {
      if (id !== undefined) {
        disposeOne(id);
        return;
      }
      for (const output of outputs.values()) output.dispose();
      outputs.clear();
    },
  };
}

/** item.json() throws a bare SyntaxError: it becomes a payload error like every other. */
function readJson(item: OutputItem): unknown {
  try {
    return item.json();
  } catch (error) {
    throw new PayloadError('', `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function expressionOf(raw: unknown): string | undefined {
  const expression = raw !== null && typeof raw === 'object' ? (raw as { expression?: unknown }).expression : undefined;
  return typeof expression === 'string' ? expression : undefined;
}

function openInPanelButton(doc: Document, context: RendererContext<unknown>, payload: unknown): { element: HTMLElement; dispose: () => void } {
  const bar = doc.createElement('div');
  bar.className = 'kl-actions';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'kl-open-panel';
  button.textContent = 'Open in panel';
  button.title = 'Show this result in the KL Lens results panel';
  const onClick = (): void => {
    const message: RendererToHost = { type: 'openInPanel', payload };
    context.postMessage?.(message);
  };
  button.addEventListener('click', onClick);
  bar.appendChild(button);
  return { element: bar, dispose: () => button.removeEventListener('click', onClick) };
}

/** The failure in the output itself, with the expression and the failing span marked. */
function errorBox(doc: Document, failure: Failure, source: string | undefined): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'kl-error';
  box.setAttribute('role', 'alert');
  const title = doc.createElement('div');
  title.className = 'kl-error-title';
  title.textContent = 'KL Lens could not show this output';
  const message = doc.createElement('pre');
  message.className = 'kl-error-message';
  message.textContent = failure.message;
  box.append(title, message);
  if (source !== undefined) {
    const pre = doc.createElement('pre');
    pre.className = 'kl-source';
    const span = failure.span;
    if (span) {
      const mark = doc.createElement('mark');
      // An empty span (end of input) still gets a visible mark.
      mark.textContent = source.slice(span.start, Math.max(span.end, span.start + 1)) || ' ';
      pre.append(source.slice(0, span.start), mark, source.slice(Math.max(span.end, span.start + 1)));
    } else {
      pre.textContent = source;
    }
    box.appendChild(pre);
  }
  return box;
}
