import type * as vscode from 'vscode';
import { registerCommands } from './commands/register';
import { registerHover } from './hover/provider';
import { registerCodeLens } from './kl/codeLens';
import { registerKlNotebooks } from './klnb/register';
import { registerDiagnostics } from './kl/diagnostics';
import { registerLint } from './lint/register';
import { registerRendererMessaging } from './notebook/rendererMessaging';
import { ResultsPanel } from './panel/resultsPanel';

export function activate(context: vscode.ExtensionContext): void {
  const panel = new ResultsPanel(context);
  context.subscriptions.push(
    panel,
    registerCommands(context, panel),
    registerHover(),
    registerDiagnostics(context),
    registerCodeLens(),
    registerRendererMessaging(panel),
    registerKlNotebooks(context),
    registerLint(context),
  );
}

export function deactivate(): void {}
