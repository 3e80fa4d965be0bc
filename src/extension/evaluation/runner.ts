/**
 * Runs evaluations off the extension host's thread: each request gets a worker, with a progress
 * notification for long ones and cancellation by terminating the worker.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { lineColumn } from '../../core/errors';
import type { EvaluationRequest, PanelModel, WorkerReply } from './protocol';

/** An evaluation that failed with a message meant for the user (and, when known, where). */
export class EvaluationFailure extends Error {
  constructor(
    message: string,
    readonly offset?: number,
    readonly end?: number,
  ) {
    super(message);
    this.name = 'EvaluationFailure';
  }
}

/** Runs one request in a fresh worker; `token` cancels it (the worker is terminated). */
export function runWorker(
  request: EvaluationRequest,
  extensionPath: string,
  token?: vscode.CancellationToken,
  onProgress?: (done: number, total: number) => void,
): Promise<PanelModel> {
  return new Promise<PanelModel>((resolve, reject) => {
    const worker = new Worker(join(extensionPath, 'dist', 'worker.js'), { workerData: request });
    const cancel = token?.onCancellationRequested(() => {
      void worker.terminate();
      reject(new EvaluationFailure('evaluation cancelled'));
    });
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'progress') {
        onProgress?.(reply.done, reply.total);
        return;
      }
      cancel?.dispose();
      void worker.terminate();
      if (reply.type === 'done') resolve(reply.model);
      else reject(new EvaluationFailure(positioned(reply.message, request.source, reply.offset), reply.offset, reply.end));
    });
    worker.on('error', (e) => {
      cancel?.dispose();
      reject(new EvaluationFailure(`evaluation failed: ${e.message}`));
    });
  });
}

/**
 * runWorker with a cancellable progress notification, for evaluations the user asked for; those
 * that follow a file change or a reload report in the status bar instead of popping up a toast.
 */
export async function evaluateInWorker(request: EvaluationRequest, extensionPath: string, { background = false }: { background?: boolean } = {}): Promise<PanelModel> {
  return await vscode.window.withProgress(
    { location: background ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: 'KL Lens: evaluating', cancellable: !background },
    (progress, token) => {
      let reported = 0;
      return runWorker(request, extensionPath, token, (done, total) => {
        const pct = (100 * done) / Math.max(1, total);
        progress.report({ increment: pct - reported, message: `${Math.round(pct)}%` });
        reported = pct;
      });
    },
  );
}

function positioned(message: string, source: string, offset: number | undefined): string {
  if (offset === undefined) return message;
  const { line, column } = lineColumn(source, offset);
  return `${message} (at ${line}:${column})`;
}
