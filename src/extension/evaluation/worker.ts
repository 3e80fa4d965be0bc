/** The evaluation worker: one request in, progress and one reply out. Terminated to cancel. */
import { parentPort, workerData } from 'node:worker_threads';
import { KlError } from '../../core/errors';
import { threadScheduler } from '../../host/threads';
import { TensorFormatError } from '../../io/errors';
import { evaluateRequest } from './evaluate';
import type { EvaluationRequest, WorkerReply } from './protocol';

const post = (reply: WorkerReply): void => parentPort!.postMessage(reply);
let last = 0;
try {
  const model = evaluateRequest(workerData as EvaluationRequest, {
    // The fast KL pass spreads over kernel threads of its own; terminating this worker ends them.
    scheduler: threadScheduler(),
    progress: (done, total) => {
      // Throttled: the host only needs a few updates a second.
      const now = Date.now();
      if (now - last > 100) {
        last = now;
        post({ type: 'progress', done, total });
      }
    },
  });
  post({ type: 'done', model });
} catch (e) {
  if (e instanceof KlError) post({ type: 'error', message: e.message, ...(e.span ? { offset: e.span.start, end: e.span.end } : {}) });
  else if (e instanceof TensorFormatError) post({ type: 'error', message: e.message });
  else post({ type: 'error', message: `internal error: ${e instanceof Error ? e.message : String(e)}` });
}
