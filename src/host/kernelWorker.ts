/**
 * A kernel thread (see threads.ts): opens the two files again by their locators and runs pieces
 * of the job until none is left or the stop flag is up, then replies with every piece's partial.
 */
import { workerData } from 'node:worker_threads';
import { runnerFor } from '../core/kernels/fastKl';
import { type KlPartial, pieceCount } from '../core/kernels/job';
import type { RawElements } from '../core/lazy';
import { rawElements } from '../io/entry';
import { type FileLocator, openLocated } from './load';
import { Flag, type KernelWorkerData, type KernelWorkerReply } from './threads';

const { job, locators, flags: buffer, index, port } = workerData as KernelWorkerData;
const flags = new Int32Array(buffer);
const heartbeat = Flag.Heartbeats + index;
Atomics.add(flags, heartbeat, 1);
const opened: { close(): void }[] = [];
let reply: KernelWorkerReply;
try {
  const raws = locators.map((locator) => {
    const { entry, source } = openLocated(locator as FileLocator);
    opened.push(source);
    const raw = rawElements(entry);
    if (!raw) throw new Error(`${(locator as FileLocator).path} changed since it was opened`);
    return raw;
  }) as RawElements[];
  const runner = runnerFor(job, raws[0]!, raws[1]!);
  const partials: KlPartial[] = [];
  const count = pieceCount(job);
  while (!Atomics.load(flags, Flag.Stop)) {
    const k = Atomics.add(flags, Flag.Next, 1);
    if (k >= count) break;
    const part = runner.run(k);
    partials.push(part);
    Atomics.add(flags, Flag.Done, 1);
    Atomics.add(flags, heartbeat, 1);
    if (part.bad || part.fallback) Atomics.store(flags, Flag.Stop, 1);
  }
  reply = { partials };
} catch (e) {
  reply = { error: e instanceof Error ? e.message : String(e) };
} finally {
  for (const s of opened) s.close();
}
port.postMessage(reply);
Atomics.add(flags, Flag.Replies, 1);
Atomics.notify(flags, Flag.Replies);
port.close();
