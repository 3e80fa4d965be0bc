/**
 * What a cell shows for each outcome, as plain data (mime + text) so it is testable without VS Code:
 * a result is the renderer's payload with the one-line value as its text/plain twin.
 */
import { KL_LENS_MIME } from '../../core/notebook/payload';
import type { CellOutcome } from './kernel';

export type OutputSpec =
  | { readonly kind: 'items'; readonly items: readonly { readonly mime: string; readonly text: string }[] }
  | { readonly kind: 'error'; readonly name: string; readonly message: string };

export function cellOutputs(outcome: CellOutcome): OutputSpec[] {
  switch (outcome.kind) {
    case 'empty':
      return [];
    case 'assigned':
      return [{ kind: 'items', items: [{ mime: 'text/plain', text: outcome.text }] }];
    case 'error':
      return [{ kind: 'error', name: outcome.name, message: outcome.message }];
    case 'value': {
      const e = outcome.embedding;
      if (!e) return [{ kind: 'items', items: [{ mime: 'text/plain', text: outcome.text }] }];
      if (e.kind === 'too-big') return [{ kind: 'items', items: [{ mime: 'text/plain', text: `${outcome.text}\n\n${e.message}` }] }];
      return [{ kind: 'items', items: [{ mime: KL_LENS_MIME, text: JSON.stringify(e.payload) }, { mime: 'text/plain', text: outcome.text }] }];
    }
  }
}
