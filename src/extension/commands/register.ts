/** Registers every command; each command's logic lives in its own file. */
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { reportError } from '../log';
import type { ResultsPanel } from '../panel/resultsPanel';
import { compareFiles } from './compareFiles';
import { evaluateExpression } from './evaluate';
import { evaluateFile } from './evaluateFile';
import { evaluateSelection } from './evaluateSelection';
import { inspectFile } from './inspectFile';
import { type OpenInPanelArgs, openInPanel } from './openInPanel';

/** Errors thrown low are caught here, once: logged and shown as one message. */
function guarded<A extends unknown[]>(id: CommandId, run: (...args: A) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => {
    try {
      await run(...args);
    } catch (e) {
      reportError(id, e);
    }
  });
}

export function registerCommands(context: vscode.ExtensionContext, panel: ResultsPanel): vscode.Disposable {
  return vscode.Disposable.from(
    guarded(CommandId.Evaluate, (initial?: string) => evaluateExpression(context, panel, typeof initial === 'string' ? initial : undefined)),
    guarded(CommandId.EvaluateSelection, () => evaluateSelection(panel)),
    guarded(CommandId.CompareFiles, (clicked?: vscode.Uri, selected?: vscode.Uri[]) => compareFiles(panel, clicked, selected)),
    guarded(CommandId.InspectFile, (uri?: vscode.Uri) => inspectFile(panel, uri)),
    guarded(CommandId.EvaluateFile, (uri?: vscode.Uri, statement?: number) => evaluateFile(panel, uri instanceof vscode.Uri ? uri : undefined, typeof statement === 'number' ? statement : undefined)),
    guarded(CommandId.OpenInPanel, (args?: OpenInPanelArgs) => openInPanel(panel, args)),
  );
}
