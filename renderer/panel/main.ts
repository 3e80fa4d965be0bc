/**
 * The results panel's script: shows what the host sends, turns toolbar clicks into messages, and
 * keeps the request in the webview state so the panel is restored after a reload.
 */
import type { HostToPanel, PanelToHost } from '../../src/extension/panel/protocol';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const content = document.getElementById('content')!;
const units = document.querySelector<HTMLElement>('.kl-units')!;

function escapeText(s: string): string {
  const div = document.createElement('div');
  div.textContent = s;
  return div.innerHTML;
}

/** The files the result read, each a button that opens it (the host re-evaluates when they change). */
function fileList(files: readonly string[]): HTMLElement {
  const p = document.createElement('p');
  p.className = 'kl-files';
  p.textContent = files.length === 1 ? 'Read from ' : 'Read from: ';
  files.forEach((path, i) => {
    const button = document.createElement('button');
    button.className = 'kl-file';
    button.dataset['reveal'] = path;
    button.title = `${path} (show in the explorer)`;
    button.textContent = path.split(/[\\/]/).pop() ?? path;
    if (i > 0) p.append(', ');
    p.appendChild(button);
  });
  return p;
}

function show(message: HostToPanel): void {
  switch (message.type) {
    case 'busy':
      content.querySelector('.kl-status')?.remove();
      content.insertAdjacentHTML('afterbegin', `<p class="kl-status">Evaluating…</p>`);
      return;
    case 'error':
      content.innerHTML = `<pre class="kl-source">${escapeText(message.source)}</pre><p class="kl-error">${escapeText(message.message)}</p>`;
      return;
    case 'show': {
      // bodyHtml is built by the extension from escaped text, KaTeX markup and our own SVG.
      content.innerHTML = message.model.bodyHtml;
      for (const figure of content.querySelectorAll<HTMLElement>('.kl-chart')) {
        const button = document.createElement('button');
        button.className = 'kl-svg-button';
        button.textContent = 'Save SVG';
        button.dataset['chart'] = figure.dataset['chart'] ?? '';
        figure.appendChild(button);
      }
      // Beside the value, where one looks for what it was computed from.
      if (message.model.files.length > 0) (content.querySelector('.kl-result') ?? content).appendChild(fileList(message.model.files));
      vscode.setState(message.state);
      units.hidden = message.unit === undefined;
      for (const b of units.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String(b.dataset['unit'] === message.unit));
      return;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<HostToPanel>) => show(event.data));

document.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('button');
  if (!target) return;
  const action = target.dataset['action'];
  if (action === 'copyValue' || action === 'copyLatex' || action === 'saveHtml') vscode.postMessage({ type: action });
  else if (target.dataset['unit'] === 'nats' || target.dataset['unit'] === 'bits') vscode.postMessage({ type: 'setUnit', unit: target.dataset['unit'] });
  else if (target.dataset['reveal'] !== undefined) vscode.postMessage({ type: 'reveal', path: target.dataset['reveal'] });
  else if (target.dataset['chart'] !== undefined) vscode.postMessage({ type: 'saveSvg', chartId: target.dataset['chart'] });
});

vscode.postMessage({ type: 'ready' });
