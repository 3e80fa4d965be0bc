/** "KL Lens: Evaluate Expression…": a quick input that remembers past expressions. */
import * as vscode from 'vscode';
import type { ResultsPanel } from '../panel/resultsPanel';
import { makeRequest } from './request';

const HISTORY_KEY = 'klLens.history';
const HISTORY_SIZE = 30;

export async function evaluateExpression(context: vscode.ExtensionContext, panel: ResultsPanel, initial?: string): Promise<void> {
  const history = context.globalState.get<string[]>(HISTORY_KEY, []);
  const source = await pickExpression(history, initial);
  if (source === undefined || source.trim() === '') return;
  await context.globalState.update(HISTORY_KEY, [source, ...history.filter((h) => h !== source)].slice(0, HISTORY_SIZE));
  await panel.show(makeRequest(source));
}

function pickExpression(history: readonly string[], initial?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick();
    pick.title = 'KL Lens: Evaluate Expression';
    pick.placeholder = 'KL(p || q), JS(p, q), KL(N(0, 1) || N(1, 2)), distill(s, t, T=4), ... (Enter to evaluate)';
    pick.value = initial ?? '';
    pick.items = history.map((h) => ({ label: h, description: 'recent' }));
    // Typed text is what runs; with nothing typed, the highlighted past expression does.
    pick.onDidAccept(() => {
      const chosen = pick.value.trim() !== '' ? pick.value : pick.activeItems[0]?.label;
      resolve(chosen);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
