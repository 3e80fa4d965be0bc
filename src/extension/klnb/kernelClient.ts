/**
 * The host's handle on one notebook's kernel worker: runs cells one at a time and interrupts them.
 * An interrupt first asks the running computation to stop (it checks between chunks); one that does
 * not stop within INTERRUPT_GRACE_MS is ended with the worker, and the notebook's variables with it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CellOutcome, CellRequest } from './kernel';
import type { HostToKernel, KernelToHost, KernelWorkerData } from './protocol';

export const INTERRUPT_GRACE_MS = 2000;

interface Pending {
  readonly id: number;
  readonly resolve: (outcome: CellOutcome) => void;
}

export class KernelClient {
  private worker: Worker | undefined;
  private flag = new Int32Array(new SharedArrayBuffer(4));
  private pending: Pending | undefined;
  private nextId = 1;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(private readonly workerPath: string) {}

  run(request: CellRequest): Promise<CellOutcome> {
    if (this.pending) return Promise.reject(new Error('a cell is already running in this notebook'));
    const worker = this.ensureWorker();
    Atomics.store(this.flag, 0, 0);
    const id = this.nextId++;
    return new Promise<CellOutcome>((resolve) => {
      this.pending = { id, resolve };
      const message: HostToKernel = { type: 'run', id, request };
      worker.postMessage(message);
    });
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  interrupt(): void {
    if (!this.pending) return;
    Atomics.store(this.flag, 0, 1);
    this.killTimer ??= setTimeout(() => {
      this.killTimer = undefined;
      if (!this.pending) return;
      this.finish({
        kind: 'error',
        name: 'Interrupted',
        message: "interrupted: the computation did not stop when asked, so the notebook's kernel was restarted and its variables were cleared; run the earlier cells again",
      });
      this.stopWorker();
    }, INTERRUPT_GRACE_MS);
  }

  dispose(): void {
    this.finish({ kind: 'error', name: 'Interrupted', message: 'the notebook was closed' });
    this.stopWorker();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const data: KernelWorkerData = { interrupt: this.flag.buffer as SharedArrayBuffer };
    const worker = new Worker(this.workerPath, { workerData: data });
    worker.on('message', (reply: KernelToHost) => {
      if (reply.id === this.pending?.id) this.finish(reply.outcome);
    });
    worker.on('error', (e) => {
      this.finish({ kind: 'error', name: 'Internal error', message: `the notebook's kernel failed: ${e.message}; its variables were cleared` });
      this.worker = undefined;
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private finish(outcome: CellOutcome): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(outcome);
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}

export function kernelWorkerPath(extensionPath: string): string {
  return join(extensionPath, 'dist', 'klnbKernel.js');
}
