/** Messages between the KL notebook controller (extension host) and its kernel worker. */
import type { CellOutcome, CellRequest } from './kernel';

export type HostToKernel = { readonly type: 'run'; readonly id: number; readonly request: CellRequest };

export type KernelToHost = { readonly type: 'done'; readonly id: number; readonly outcome: CellOutcome };

/** workerData: a one-element Int32Array over shared memory; the host sets it to 1 to interrupt. */
export interface KernelWorkerData {
  readonly interrupt: SharedArrayBuffer;
}
