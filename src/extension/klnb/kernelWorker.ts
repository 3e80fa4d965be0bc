/**
 * The kernel worker: one per open KL notebook, holding its variables between cells, so a long
 * computation never blocks the extension host. Interrupts arrive through shared memory because the
 * worker is busy (not reading messages) while a cell runs; streamed computations poll it per chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NotebookKernel } from './kernel';
import type { HostToKernel, KernelToHost, KernelWorkerData } from './protocol';

const flag = new Int32Array((workerData as KernelWorkerData).interrupt);
const kernel = new NotebookKernel();
const isCancelled = (): boolean => Atomics.load(flag, 0) === 1;

parentPort!.on('message', (message: HostToKernel) => {
  const outcome = kernel.run(message.request, isCancelled);
  const reply: KernelToHost = { type: 'done', id: message.id, outcome };
  parentPort!.postMessage(reply);
});
