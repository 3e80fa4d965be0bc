import * as vscode from 'vscode';
import { parseBase } from '../core/units';

export interface Settings {
  readonly base: number;
  readonly digits: number;
  readonly hoverEnabled: boolean;
  readonly hoverMaxChars: number;
  readonly topK: number;
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration('klLens');
  return {
    base: parseBase(c.get<string>('base', 'nats')) ?? Math.E,
    digits: c.get<number>('digits', 5),
    hoverEnabled: c.get<boolean>('hover.enabled', true),
    hoverMaxChars: c.get<number>('hover.maxChars', 200_000),
    topK: c.get<number>('chart.topK', 20),
  };
}
