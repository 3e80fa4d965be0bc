/**
 * Errors are caught once, at the command boundary: logged to the "KL Lens" output channel with
 * detail, shown to the user as one clear message.
 */
import * as vscode from 'vscode';

let channel: vscode.OutputChannel | undefined;

export function outputChannel(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('KL Lens');
  return channel;
}

export function log(message: string): void {
  outputChannel().appendLine(`[${new Date().toISOString()}] ${message}`);
}

/** One readable message for the user; the stack, if any, only in the output channel. */
export function reportError(context: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log(`${context}: ${message}${error instanceof Error && error.stack && !isExpected(error) ? `\n${error.stack}` : ''}`);
  void vscode.window.showErrorMessage(`KL Lens: ${message}`);
}

function isExpected(e: Error): boolean {
  return e.name === 'KlError' || e.name === 'TensorFormatError' || e.name === 'EvaluationFailure';
}
