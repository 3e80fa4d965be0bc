/**
 * Squiggles for .kl files: syntax errors at once (parsing is cheap and runs on the host), then
 * evaluation errors from the worker, debounced, at their spans.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { KlError } from '../../core/errors';
import { parse } from '../../core/lang/parser';
import { makeRequest } from '../commands/request';
import { EvaluationFailure, runWorker } from '../evaluation/runner';

const DEBOUNCE_MS = 400;

function rangeOf(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  const from = document.positionAt(start);
  const to = document.positionAt(Math.max(end, start + 1));
  return new vscode.Range(from, to.isEqual(from) ? from.translate(0, 1) : to);
}

export function registerDiagnostics(context: vscode.ExtensionContext): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('kl');
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, vscode.CancellationTokenSource>();

  const check = async (document: vscode.TextDocument): Promise<void> => {
    const key = document.uri.toString();
    running.get(key)?.cancel();
    const source = document.getText();
    try {
      parse(source);
    } catch (e) {
      if (e instanceof KlError && e.span) {
        collection.set(document.uri, [new vscode.Diagnostic(rangeOf(document, e.span.start, e.span.end), e.message, vscode.DiagnosticSeverity.Error)]);
        return;
      }
      throw e;
    }
    // A notebook cell reads names that earlier cells define: only its syntax can be checked on its own.
    if (document.uri.scheme === 'vscode-notebook-cell') {
      collection.set(document.uri, []);
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    running.set(key, cts);
    const baseDir = document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined;
    try {
      await runWorker(makeRequest(source, baseDir ? { baseDir } : {}), context.extensionPath, cts.token);
      if (!cts.token.isCancellationRequested) collection.set(document.uri, []);
    } catch (e) {
      if (cts.token.isCancellationRequested) return;
      const span = e instanceof EvaluationFailure && e.offset !== undefined ? rangeOf(document, e.offset, e.end ?? e.offset + 1) : new vscode.Range(0, 0, 0, 1);
      const message = e instanceof Error ? e.message.replace(/ \(at \d+:\d+\)$/, '') : String(e);
      collection.set(document.uri, [new vscode.Diagnostic(span, message, vscode.DiagnosticSeverity.Error)]);
    } finally {
      if (running.get(key) === cts) running.delete(key);
    }
  };

  const schedule = (document: vscode.TextDocument): void => {
    if (document.languageId !== 'kl') return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => void check(document), DEBOUNCE_MS));
  };

  vscode.workspace.textDocuments.forEach(schedule);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(schedule),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      collection.delete(d.uri);
      running.get(d.uri.toString())?.cancel();
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
