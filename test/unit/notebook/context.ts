/**
 * A RendererContext and OutputItems built for tests, with a jsdom document: what VS Code hands the
 * renderer, with a postMessage spy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import type { OutputItem, RendererApi, RendererContext } from 'vscode-notebook-renderer';
import { KL_LENS_MIME } from '../../../src/core/notebook/payload';
import { createRenderer } from '../../../renderer/notebook/renderer';

const ROOT = join(__dirname, '..', '..', '..');
export const KATEX_CSS = readFileSync(join(ROOT, 'node_modules', 'katex', 'dist', 'katex.min.css'), 'utf8');
export const FONT_BASE = 'https://resource.test/dist/katex/fonts/';

export interface TestRenderer {
  readonly api: RendererApi;
  readonly document: Document;
  readonly posted: unknown[];
  /** A fresh output element in the document, as VS Code gives one per output. */
  element(): HTMLElement;
  render(id: string, json: unknown, element?: HTMLElement): Promise<HTMLElement>;
}

export function outputItem(id: string, json: unknown): OutputItem {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  const bytes = new TextEncoder().encode(text);
  return {
    id,
    mime: KL_LENS_MIME,
    metadata: undefined,
    text: () => text,
    json: () => JSON.parse(text),
    data: () => bytes,
    blob: () => {
      throw new Error('not used');
    },
  };
}

/** `messaging: false` is a renderer VS Code gives no postMessage (no host listening). */
export function testRenderer({ messaging = true }: { messaging?: boolean } = {}): TestRenderer {
  const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', { pretendToBeVisual: true });
  const document = dom.window.document;
  const posted: unknown[] = [];
  const context: RendererContext<unknown> = {
    setState: () => undefined,
    getState: () => undefined,
    getRenderer: async () => undefined,
    workspace: { isTrusted: true },
    ...(messaging ? { postMessage: (m: unknown) => void posted.push(m) } : {}),
  };
  const api = createRenderer(context, { katexCss: KATEX_CSS, fontBase: FONT_BASE });
  const element = (): HTMLElement => {
    const div = document.createElement('div');
    document.body.appendChild(div);
    return div;
  };
  return {
    api,
    document,
    posted,
    element,
    async render(id, json, target = element()) {
      await api.renderOutputItem(outputItem(id, json), target, new AbortController().signal);
      return target;
    },
  };
}

/** The output's own root (its shadow root): every query of a test goes through here. */
export function shadow(element: HTMLElement): ShadowRoot {
  const root = element.shadowRoot;
  if (!root) throw new Error('the renderer attached no shadow root');
  return root;
}
