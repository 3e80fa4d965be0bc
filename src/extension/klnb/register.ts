/** KL notebooks: the .klnb serializer, the "KL Lens" controller, and their commands. */
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { reportError } from '../log';
import { registerController } from './controller';
import { copyPythonHelper } from './copyPythonHelper';
import { newNotebook } from './newNotebook';
import { KL_NOTEBOOK_TYPE, KlNotebookSerializer } from './serializer';

export function registerKlNotebooks(context: vscode.ExtensionContext): vscode.Disposable {
  const guarded = (id: CommandId, run: () => Promise<void>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async () => {
      try {
        await run();
      } catch (e) {
        reportError(id, e);
      }
    });
  return vscode.Disposable.from(
    vscode.workspace.registerNotebookSerializer(KL_NOTEBOOK_TYPE, new KlNotebookSerializer(), { transientOutputs: false }),
    registerController(context),
    guarded(CommandId.NewNotebook, newNotebook),
    guarded(CommandId.CopyPythonHelper, () => copyPythonHelper(context.extensionPath)),
  );
}
