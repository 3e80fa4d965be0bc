/**
 * Chooses and runs the fast path of KL (and of Jeffreys, cross-entropy and entropy, which come
 * from the same sums) over file-backed operands: float32/float64 stored row-major go through the
 * vector kernels, two softmaxes of such logits (KL and Jeffreys) through the fused softmax pass. Anything else (other dtypes, strided storage, mixed dtypes, big-endian files, an
 * engine without WebAssembly SIMD) is left to the reference path in divergence/stream.ts.
 */
import type { LazyTensor, RawElements } from '../lazy';
import { type KlJob, type KlPartial, mergePartials, type MergedKl, pieceCount, pieceRange } from './job';
import { EntropyPieceRunner } from './entropyPieces';
import { JsPieceRunner } from './jsPieces';
import { KlPieceRunner } from './klPieces';
import { SoftmaxPieceRunner } from './softmaxPieces';
import { kernelsAvailable } from './wasm';

/** Elements per piece: big enough that a piece costs far more than handing it to a thread. */
export const PIECE_ELEMENTS = 1 << 21;
/** A softmax row is read whole; longer rows go the reference way. */
export const MAX_SOFTMAX_ROW = 1 << 22;

/**
 * Runs the pieces of a job, some of them on other threads. `local` runs a piece on this thread;
 * `tick` reports the elements done and throws when the run is cancelled. Returns undefined when
 * it cannot help (the operands cannot be opened elsewhere), and the caller runs every piece here.
 * It may stop early after a piece that reports a bad element or a fallback, once every piece
 * before that one has finished.
 */
export type PieceScheduler = (
  job: KlJob,
  locators: readonly [unknown, unknown],
  local: (piece: number) => KlPartial,
  tick: (done: number) => void,
) => KlPartial[] | undefined;

export interface FastKlPlan {
  readonly job: KlJob;
  readonly p: RawElements;
  readonly q: RawElements;
}

/**
 * What a fast pass sums: KL's (also Jeffreys'), those plus Σp·log p, Σp·log p of P alone, or the
 * row sums that JS's second pass (jsPass) needs.
 */
export type FastSums = 'kl' | 'ce' | 'entropy' | 'sums';

/**
 * The fast path with rows of n elements, if there is one: for KL(P‖Q) (sums 'kl'), H(P, Q)
 * ('ce') or H(P) ('entropy', where Q is P).
 */
export function planFastKl(P: LazyTensor, Q: LazyTensor, size: { n: number; total: number; chunk: number; piece?: number }, sums: FastSums = 'kl'): FastKlPlan | undefined {
  if (!kernelsAvailable()) return undefined;
  const { n, total, chunk } = size;
  const base = { n, total, pieceElements: Math.max(chunk, size.piece ?? PIECE_ELEMENTS), chunkElements: chunk };
  const a = P.softmaxOf;
  const b = Q.softmaxOf;
  if (sums !== 'kl') return P.raw && Q.raw && P.raw.dtype === Q.raw.dtype ? { job: { ...base, kind: sums, temperature: 1 }, p: P.raw, q: Q.raw } : undefined;
  if (a && b && a.temperature === b.temperature && a.temperature > 0 && a.source.raw && b.source.raw) {
    if (a.source.raw.dtype !== b.source.raw.dtype || n > MAX_SOFTMAX_ROW) return undefined;
    const chunkElements = Math.max(chunk, n);
    return { job: { ...base, kind: 'softmax', temperature: a.temperature, chunkElements, pieceElements: Math.max(base.pieceElements, chunkElements) }, p: a.source.raw, q: b.source.raw };
  }
  if (!P.raw || !Q.raw || P.raw.dtype !== Q.raw.dtype) return undefined;
  return { job: { ...base, kind: 'kl', temperature: 1 }, p: P.raw, q: Q.raw };
}

/** JS's second pass over the operands of a 'sums' plan, with per row the factors 1/Σp, 1/Σq (or 1). */
export function jsPass(plan: FastKlPlan, scales: Float64Array): FastKlPlan {
  return { ...plan, job: { ...plan.job, kind: 'js', scales } };
}

/** Runs a job's pieces on the threads the scheduler offers (or here) and merges them. */
export function runFastKl(plan: FastKlPlan, tick: (done: number) => void, scheduler: PieceScheduler | undefined, listLimit: number): MergedKl {
  const { job } = plan;
  let runner: { run(piece: number): KlPartial } | undefined;
  const local = (piece: number): KlPartial => {
    runner ??= runnerFor(job, plan.p, plan.q);
    return runner.run(piece);
  };
  const scheduled = scheduler?.(job, [plan.p.locator, plan.q.locator], local, tick);
  return mergePartials(job, scheduled ?? runHere(job, local, tick), listLimit);
}

export function runnerFor(job: KlJob, p: RawElements, q: RawElements): { run(piece: number): KlPartial } {
  if (job.kind === 'entropy') return new EntropyPieceRunner(job, p);
  if (job.kind === 'sums' || job.kind === 'js') return new JsPieceRunner(job, p, q);
  return job.kind === 'softmax' ? new SoftmaxPieceRunner(job, p, q) : new KlPieceRunner(job, p, q);
}

function runHere(job: KlJob, local: (piece: number) => KlPartial, tick: (done: number) => void): KlPartial[] {
  const partials: KlPartial[] = [];
  const count = pieceCount(job);
  let done = 0;
  for (let k = 0; k < count; k++) {
    const part = local(k);
    partials.push(part);
    if (part.bad || part.fallback) break;
    const { from, to } = pieceRange(job, k);
    done += to - from;
    tick(done);
  }
  return partials;
}
