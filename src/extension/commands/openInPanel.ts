/** "Open in KL Lens" from a hover: the hover's program and arrays, in the results panel. */
import type { PlainTensor } from '../evaluation/protocol';
import type { ResultsPanel } from '../panel/resultsPanel';
import { makeRequest } from './request';

export interface OpenInPanelArgs {
  readonly source: string;
  readonly bindings?: Record<string, PlainTensor>;
}

export async function openInPanel(panel: ResultsPanel, args?: OpenInPanelArgs): Promise<void> {
  if (!args || typeof args.source !== 'string') return;
  await panel.show(makeRequest(args.source, args.bindings ? { bindings: args.bindings } : {}));
}
