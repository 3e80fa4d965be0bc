/**
 * The host end of the notebook renderer's messages: "Open in panel" on an output shows that
 * output's payload in the results panel, evaluated by the worker like any other request.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { NOTEBOOK_DEFAULTS } from '../../core/notebook/evaluate';
import type { RendererToHost } from '../../core/notebook/messages';
import { parsePayload, type Payload } from '../../core/notebook/payload';
import { baseDirFor } from '../commands/request';
import type { EvaluationRequest } from '../evaluation/protocol';
import { reportError } from '../log';
import type { ResultsPanel } from '../panel/resultsPanel';

/** The `notebookRenderer` contribution's id in package.json. */
export const RENDERER_ID = 'kl-lens.renderer';

export function registerRendererMessaging(panel: ResultsPanel): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  return messaging.onDidReceiveMessage(({ editor, message }) => {
    const m = message as RendererToHost;
    if (m?.type !== 'openInPanel') return;
    try {
      // The output's bytes come from a notebook file: validated here as on the renderer side.
      void panel.show(requestFor(parsePayload(m.payload), editor.notebook.uri));
    } catch (e) {
      reportError('open notebook output in panel', e);
    }
  });
}

/** The panel shows what the output showed: the payload's options, else the renderer's defaults. */
function requestFor(payload: Payload, notebook: vscode.Uri): EvaluationRequest {
  const bindings = Object.fromEntries([...payload.variables].map(([name, t]) => [name, { shape: [...t.shape], data: Array.from(t.data) }]));
  return {
    source: payload.expression,
    baseDir: notebook.scheme === 'file' ? dirname(notebook.fsPath) : baseDirFor(notebook),
    bindings,
    defaultBase: payload.options.base ?? Math.E,
    digits: payload.options.digits ?? NOTEBOOK_DEFAULTS.digits,
    topK: payload.options.topK ?? NOTEBOOK_DEFAULTS.topK,
  };
}
