/**
 * Spreads the pieces of a fast KL pass over worker threads, synchronously: the evaluator is
 * synchronous (src/io/source.ts says why), so this thread runs pieces too and then blocks on
 * Atomics.wait until the workers reply through a MessagePort read with receiveMessageOnPort.
 *
 * ## Method
 * Pieces are handed out by an atomic counter in shared memory, so a slow thread (a busy core, a
 * worker still starting) simply takes fewer. A piece with a bad element or a fallback raises a
 * stop flag: no new piece is started, and since pieces are taken in order every earlier piece is
 * finished, which keeps the first reported bad element the first in the tensor. Pieces a worker
 * could not run (it failed to open the file) are run here.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { PieceScheduler } from '../core/kernels/fastKl';
import { type KlJob, type KlPartial, pieceCount } from '../core/kernels/job';

/** Shared Int32 slots: next piece, stop flag, pieces done, worker replies; then one heartbeat per worker. */
export const enum Flag {
  Next = 0,
  Stop = 1,
  Done = 2,
  Replies = 3,
  Heartbeats = 4,
}

/** A started worker that shows no sign of life for this long is given up (its pieces run here). */
const STALL_MS = 10_000;

/** What the main thread sends a kernel worker. */
export interface KernelWorkerData {
  readonly job: KlJob;
  readonly locators: readonly [unknown, unknown];
  readonly flags: SharedArrayBuffer;
  /** Its heartbeat slot is Flag.Heartbeats + index: raised on start and after every piece. */
  readonly index: number;
  readonly port: MessagePort;
}

export type KernelWorkerReply = { readonly partials: KlPartial[] } | { readonly error: string };

/** Each thread holds its own buffers and kernel memory (~20 MB): more cores than this rarely pay. */
export const MAX_THREADS = 4;

export interface ThreadOptions {
  /** Threads in all, this one included (default: the cores available, at most MAX_THREADS). */
  readonly threads?: number;
  /** The bundled kernel worker (default: kernelWorker.js beside this bundle). */
  readonly workerPath?: string;
  /** Jobs with fewer pieces run on this thread alone: starting a worker costs tens of ms. */
  readonly minPieces?: number;
}

export function threadScheduler(options: ThreadOptions = {}): PieceScheduler {
  return (job, locators, local, tick) => {
    const count = pieceCount(job);
    const threads = Math.min(options.threads ?? Math.min(availableParallelism(), MAX_THREADS), count);
    const workerPath = options.workerPath ?? join(__dirname, 'kernelWorker.js');
    if (threads < 2 || count < (options.minPieces ?? 3) || locators[0] === undefined || locators[1] === undefined || !existsSync(workerPath)) return undefined;

    const flags = new Int32Array(new SharedArrayBuffer(4 * (Flag.Heartbeats + threads)));
    const workers: { worker: Worker; port: MessagePort }[] = [];
    const partials: KlPartial[] = [];
    const progress = (): void => tick(Math.min(job.total, Atomics.load(flags, Flag.Done) * job.pieceElements));
    try {
      for (let t = 1; t < threads; t++) {
        const { port1, port2 } = new MessageChannel();
        const data: KernelWorkerData = { job, locators, flags: flags.buffer as SharedArrayBuffer, index: t, port: port2 };
        const worker = new Worker(workerPath, { workerData: data, transferList: [port2] });
        // A worker that fails is noticed by awaitReply and its pieces run here; the event itself
        // would otherwise be an uncaught error once this thread is back in its event loop.
        worker.on('error', () => undefined);
        workers.push({ worker, port: port1 });
      }
      for (;;) {
        if (Atomics.load(flags, Flag.Stop)) break;
        const k = Atomics.add(flags, Flag.Next, 1);
        if (k >= count) break;
        const part = local(k);
        partials.push(part);
        Atomics.add(flags, Flag.Done, 1);
        if (part.bad || part.fallback) {
          Atomics.store(flags, Flag.Stop, 1);
          break;
        }
        progress();
      }
      workers.forEach(({ port }, t) => {
        const reply = awaitReply(port, flags, Flag.Heartbeats + t + 1, progress);
        if (reply && 'partials' in reply) partials.push(...reply.partials);
      });
    } finally {
      // Cancelled (tick threw) or done: workers stop at their next piece and are let go.
      Atomics.store(flags, Flag.Stop, 1);
      for (const { worker, port } of workers) {
        port.close();
        void worker.terminate();
      }
    }
    return complete(job, partials, local);
  };
}

/**
 * Blocks until a worker replies. This thread cannot see a worker end while it blocks (the 'exit'
 * event needs its event loop), so liveness comes from the worker's heartbeat: one that never
 * started by the time every piece was taken, or that stalls, is given up — undefined — and the
 * pieces it had are run here (a late start finds the stop flag up and ends at once).
 */
function awaitReply(port: MessagePort, flags: Int32Array, heartbeat: number, progress: () => void): KernelWorkerReply | undefined {
  let beat = Atomics.load(flags, heartbeat);
  let since = Date.now();
  for (;;) {
    const seen = Atomics.load(flags, Flag.Replies);
    const reply = receiveMessageOnPort(port)?.message as KernelWorkerReply | undefined;
    if (reply) return reply;
    const now = Atomics.load(flags, heartbeat);
    if (now !== beat) {
      beat = now;
      since = Date.now();
    }
    if (beat === 0 || Date.now() - since > STALL_MS) return undefined;
    Atomics.wait(flags, Flag.Replies, seen, 50);
    progress();
  }
}

/** Runs here the pieces no thread returned, up to the first that stopped the run. */
function complete(job: KlJob, partials: KlPartial[], local: (piece: number) => KlPartial): KlPartial[] {
  const have = new Set(partials.map((p) => p.piece));
  const stops = partials.filter((p) => p.bad || p.fallback).map((p) => p.piece);
  const limit = stops.length > 0 ? Math.min(...stops) : pieceCount(job);
  for (let k = 0; k < limit; k++) {
    if (have.has(k)) continue;
    const part = local(k);
    partials.push(part);
    if (part.bad || part.fallback) break;
  }
  return partials;
}
