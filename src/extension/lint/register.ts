/**
 * KL Lint in the editor: squiggles, quick fixes and hovers for Python files and notebook cells.
 * The parser (WebAssembly) loads on the first Python document, not at activation.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RULE_IDS, type RuleId } from '../../core/lint/index';
import { loadPythonParser } from '../../host/python';
import { log } from '../log';
import { klLintCodeActions } from './codeActions';
import { isPython, LintDiagnostics } from './diagnostics';
import { klLintHover } from './hover';
import { type LintSettings, Linter } from './linter';
import { Trees } from './trees';

function lintSettings(): LintSettings {
  const c = vscode.workspace.getConfiguration('klLens.lint');
  const ignore = (c.get<unknown[]>('ignore', []) ?? []).map((x) => String(x).toUpperCase()).filter((x): x is RuleId => (RULE_IDS as readonly string[]).includes(x));
  return { enabled: c.get<boolean>('enabled', true), ignore };
}

export function registerLint(context: vscode.ExtensionContext): vscode.Disposable {
  let ready:
    | { trees: Trees; linter: Linter; diagnostics: LintDiagnostics; actions: vscode.CodeActionProvider; hover: vscode.HoverProvider }
    | undefined;
  let loading: Promise<void> | undefined;
  const subscriptions: vscode.Disposable[] = [];

  const start = (): Promise<void> =>
    (loading ??= loadPythonParser(join(context.extensionPath, 'dist')).then(
      (parser) => {
        const trees = new Trees(parser);
        const linter = new Linter(trees, lintSettings);
        const diagnostics = new LintDiagnostics(linter, context.extensionUri);
        ready = { trees, linter, diagnostics, actions: klLintCodeActions(linter), hover: klLintHover(linter) };
        subscriptions.push(trees, diagnostics);
        for (const d of vscode.workspace.textDocuments) if (isPython(d)) diagnostics.schedule(d, 0);
      },
      (e: unknown) => log(`KL Lint is off: the Python parser did not load: ${e instanceof Error ? e.message : String(e)}`),
    ));

  const onOpen = (d: vscode.TextDocument): void => {
    if (!isPython(d)) return;
    if (ready) ready.diagnostics.schedule(d, 0);
    else void start();
  };
  vscode.workspace.textDocuments.forEach(onOpen);

  const selector: vscode.DocumentSelector = [{ language: 'python' }];
  const whenReady = <T>(f: (r: NonNullable<typeof ready>) => T): T | undefined => (ready ? f(ready) : undefined);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(onOpen),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!ready || !isPython(e.document)) return;
      ready.trees.edited(e);
      ready.diagnostics.schedule(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      whenReady((r) => {
        r.trees.forget(d.uri);
        r.linter.forget(d.uri);
        if (d.uri.scheme !== 'vscode-notebook-cell') r.diagnostics.clear(d.uri);
      });
    }),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      // Cells added, removed or moved change what later cells see.
      if (e.contentChanges.length === 0) return;
      whenReady((r) => {
        for (const c of e.contentChanges) for (const cell of c.removedCells) r.diagnostics.clear(cell.document.uri);
        const first = e.notebook.getCells().find((c) => isPython(c.document));
        if (first) r.diagnostics.schedule(first.document);
      });
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      whenReady((r) => {
        for (const cell of nb.getCells()) r.diagnostics.clear(cell.document.uri);
        r.linter.forget(nb.uri);
      });
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('klLens.lint')) return;
      whenReady((r) => {
        r.linter.reset();
        // Turned off: nothing is linted, and what was shown goes.
        if (!lintSettings().enabled) r.diagnostics.collection.clear();
        for (const d of vscode.workspace.textDocuments) if (isPython(d)) r.diagnostics.update(d);
      });
    }),
    vscode.languages.registerCodeActionsProvider(
      selector,
      { provideCodeActions: (...args) => whenReady((r) => r.actions.provideCodeActions(...args)) },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerHoverProvider(selector, { provideHover: (...args) => whenReady((r) => r.hover.provideHover(...args)) }),
    { dispose: () => subscriptions.forEach((s) => s.dispose()) },
  );
}
