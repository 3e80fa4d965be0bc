/**
 * Divergences over tensors too large to hold: the operands are read in chunks of rows into
 * buffers reused for the whole run, so peak memory is the chunk size whatever the file size.
 *
 * ## Method
 * Rows that fit in a chunk are read, checked, normalized and reduced with the same row kernels as
 * the in-memory path. A single row larger than a chunk (one 10⁸-element distribution) is read
 * twice: a first pass for the sums that normalization needs, a second for the terms. Row sums
 * and row values are compensated sums carried across chunks. Progress is reported and
 * cancellation checked after every chunk.
 *
 * KL and Jeffreys over float32/float64 files (and over two softmaxes of such logits), entropy,
 * cross-entropy and Jensen–Shannon over such files take the fast paths of kernels/fastKl.ts
 * instead: one pass (two for JS), vector kernels, pieces spread over threads by the host. The
 * loops here stay as the reference that the fast paths are tested against.
 */
import { KlError, type Span } from '../errors';
import { type FastKlPlan, type FastSums, jsPass, planFastKl, runFastKl, type PieceScheduler } from '../kernels/fastKl';
import { type IndexList, type MergedKl, ROW_SLOTS, Slot } from '../kernels/job';
import type { LazyTensor } from '../lazy';
import { logRatio } from '../numeric/xlogy';
import { CompensatedSum } from '../numeric/sum';
import { MAX_LISTED_INDICES, type DiscreteMeasure, type DiscreteResult, type Operand, type Warning } from '../result';
import { shapeString, size, unravel, indexString, type Tensor } from '../tensor';
import { hellingerKernel, tvKernel } from './distances';
import { crossEntropyKernel, entropyKernel } from './entropy';
import { jeffreysKernel } from './jeffreys';
import { jsKernel, klToMixtureP, klToMixtureQ } from './js';
import { klKernel } from './kl';
import { negativeEntryHint, NORMALIZED_TOLERANCE, normalizationWarning, notNormalizedWarning } from './operands';
import { resolveUnit, type MeasureOptions } from './options';
import { assemble, describeViolations, reduce, type RowKernel, scaled } from './rowwise';

/** Elements per operand per chunk: 8 MiB of float64. */
export const CHUNK_ELEMENTS = 1 << 20;

export interface Runtime {
  /** Called after each chunk with the elements done and the total. */
  readonly progress?: (done: number, total: number) => void;
  /** Polled after each chunk; true stops the run with a 'cancelled' error. */
  readonly isCancelled?: () => boolean;
  /** Elements per chunk (default CHUNK_ELEMENTS); smaller values exercise chunk boundaries in tests. */
  readonly chunkElements?: number;
  /** The unit for calls that set no base= (the editor's nats/bits setting). */
  readonly defaultBase?: number;
  /** false runs every measure the reference way even where a fast path applies (tests compare the two). */
  readonly fastPaths?: boolean;
  /** Spreads the pieces of a fast pass over threads (the host provides it; none runs them here). */
  readonly scheduler?: PieceScheduler;
  /** Elements per piece of a fast pass (default PIECE_ELEMENTS); tests use small ones. */
  readonly pieceElements?: number;
}

export interface LazyArg {
  readonly role: string;
  readonly text: string;
  readonly span: Span | undefined;
  readonly lazy: LazyTensor;
}

export type StreamMeasure = Exclude<DiscreteMeasure, 'W1' | 'MI'>;

interface Plan {
  readonly label: (p: string, q: string) => string;
  readonly main: RowKernel;
  readonly unitless?: boolean;
  /** Extra per-row quantities: named parts, or (for KL) the reverse direction. */
  readonly parts?: readonly { readonly name: (p: string, q: string) => string; readonly kernel: RowKernel; readonly swap?: boolean }[];
  readonly reverse?: boolean;
  /** Where q = 0 < p makes the measure infinite. */
  readonly support?: 'forward' | 'both';
  readonly sqrtRows?: boolean;
}

const PLANS: Record<StreamMeasure, Plan> = {
  KL: { label: (p, q) => `KL(${p}‖${q})`, main: klKernel, reverse: true, support: 'forward' },
  JS: {
    label: (p, q) => `JS(${p}, ${q})`,
    main: jsKernel,
    parts: [
      { name: (p) => `KL(${p}‖M)`, kernel: klToMixtureP },
      { name: (_p, q) => `KL(${q}‖M)`, kernel: klToMixtureQ },
    ],
  },
  H: { label: (p) => `H(${p})`, main: entropyKernel },
  CE: {
    label: (p, q) => `H(${p}, ${q})`,
    main: crossEntropyKernel,
    support: 'forward',
    parts: [
      { name: (p) => `H(${p})`, kernel: entropyKernel },
      { name: (p, q) => `KL(${p}‖${q})`, kernel: klKernel },
    ],
  },
  Jeffreys: {
    label: (p, q) => `J(${p}, ${q})`,
    main: jeffreysKernel,
    support: 'both',
    parts: [
      { name: (p, q) => `KL(${p}‖${q})`, kernel: klKernel },
      { name: (p, q) => `KL(${q}‖${p})`, kernel: klKernel, swap: true },
    ],
  },
  TV: { label: (p, q) => `TV(${p}, ${q})`, main: tvKernel, unitless: true },
  Hellinger: {
    label: (p, q) => `Hellinger(${p}, ${q})`,
    main: hellingerKernel,
    unitless: true,
    sqrtRows: true,
    parts: [{ name: () => 'Hellinger²', kernel: hellingerKernel }],
  },
};

/** Per-operand bookkeeping while streaming: row sums and what normalization did. */
class OperandState {
  rescaledRows = 0;
  offRows = 0;
  minSum = Infinity;
  maxSum = -Infinity;
  readonly sums: Float64Array;

  constructor(readonly arg: LazyArg, rows: number) {
    this.sums = new Float64Array(rows);
  }

  record(row: number, total: number): void {
    this.sums[row] = total;
    if (total !== 1) this.rescaledRows++;
    if (Math.abs(total - 1) > NORMALIZED_TOLERANCE) this.offRows++;
    this.minSum = Math.min(this.minSum, total);
    this.maxSum = Math.max(this.maxSum, total);
  }
}

function fail(fn: string, arg: LazyArg, message: string): never {
  throw new KlError('evaluation', `${fn}: argument ${arg.role} ${message}`, arg.span);
}

/** Checks a chunk like checkProbabilities does, reporting the element's index in the whole tensor. */
function checkChunk(fn: string, arg: LazyArg, data: Float64Array, count: number, first: number, chunk: number): void {
  for (let i = 0; i < count; i++) {
    const x = data[i]!;
    if (!(x >= 0 && x < Infinity)) failElement(fn, arg, x, first + i, chunk);
  }
}

function failElement(fn: string, arg: LazyArg, x: number, flat: number, chunk: number): never {
  const where = `at index ${indexString(flat, arg.lazy.shape)}`;
  if (Number.isNaN(x)) fail(fn, arg, `has NaN ${where}`);
  if (x === Infinity) fail(fn, arg, `has an infinite entry ${where}`);
  fail(fn, arg, `has a negative entry ${x} ${where}; probabilities must be ≥ 0${negativeEntryHint(arg.text, seenWith(arg.lazy, flat, chunk))}`);
}

/**
 * What the pass held when it met element `flat`, read again for the message (one row, not a
 * second pass over the file): the element's row, or for a row longer than a chunk the
 * chunk-aligned part of it. Such a part cannot show that a row of log-probabilities is
 * normalized, so the hint for it is at most "logits or unnormalized log-probabilities; pass
 * softmax(x)" — right for both. The fast paths and the reference path read the same range.
 */
function seenWith(lazy: LazyTensor, flat: number, chunk: number): Float64Array {
  const n = lazy.shape.length === 0 ? 1 : lazy.shape[lazy.shape.length - 1]!;
  const rowStart = flat - (flat % n);
  const from = n <= chunk ? rowStart : rowStart + Math.floor((flat - rowStart) / chunk) * chunk;
  const out = new Float64Array(Math.min(n <= chunk ? n : chunk, rowStart + n - from));
  lazy.read(from, out.length, out);
  return out;
}

function failRowSum(fn: string, arg: LazyArg, s: number, row: number, shape: readonly number[]): void {
  const rows = size(shape) / shape[shape.length - 1]!;
  if (s === Infinity) fail(fn, arg, `row ${indexString(row, shape.slice(0, -1))} sums to more than the largest double; rescale it before reading`);
  if (s === 0) fail(fn, arg, rows === 1 ? 'sums to 0, so it cannot be normalized' : `row ${indexString(row, shape.slice(0, -1))} sums to 0, so it cannot be normalized`);
}

function rowSum(data: Float64Array, from: number, to: number, into = new CompensatedSum()): CompensatedSum {
  for (let i = from; i < to; i++) into.add(data[i]!);
  return into;
}

interface Violations {
  count: number;
  readonly indices: number[][];
}

/**
 * Fills the per-row state of the reference path from a fast pass: the same row sums, checks and
 * messages, and from the pass's sums (kernels/klPieces.ts, kernels/entropyPieces.ts)
 * KL(p̂‖q̂) = A/Σp + log(Σq/Σp), KL(q̂‖p̂) = −B/Σq + log(Σp/Σq), H(p̂) = log Σp − Σp·log p / Σp;
 * then J = KL(p̂‖q̂) + KL(q̂‖p̂) and H(p̂, q̂) = H(p̂) + KL(p̂‖q̂) (Gibbs' identity).
 * `results` are the rows of the plan's kernels, in their order (main, parts, reverse).
 */
function fromFastPass(
  merged: MergedKl,
  o: {
    measure: StreamMeasure;
    P: LazyArg;
    Q: LazyArg | undefined;
    shape: readonly number[];
    chunk: number;
    normalize: boolean;
    states: readonly OperandState[];
    results: readonly Float64Array[];
    violations: Violations;
    reverseViolations: Violations;
  },
): void {
  if (merged.bad) failElement(o.measure, merged.bad.operand === 0 || !o.Q ? o.P : o.Q, merged.bad.value, merged.bad.index, o.chunk);
  const data = merged.rows;
  const [r0, r1, r2] = o.results as [Float64Array, Float64Array | undefined, Float64Array | undefined];
  for (let r = 0; r < r0.length; r++) {
    const base = r * ROW_SLOTS;
    const sp = data[base + Slot.SumP]!;
    const sq = data[base + Slot.SumQ]!;
    o.states.forEach((st, k) => {
      const s = k === 0 ? sp : sq;
      st.record(r, s);
      if (o.normalize && s !== 1) failRowSum(o.measure, st.arg, s, r, o.shape);
    });
    const a = data[base + Slot.PD]!;
    const b = data[base + Slot.QD]!;
    const plogp = data[base + Slot.PLogP]!;
    const forward = data[base + Slot.Forward]! > 0 ? Infinity : o.normalize ? a / sp + logRatio(sq, sp) : a;
    const reverse = data[base + Slot.Reverse]! > 0 ? Infinity : o.normalize ? -b / sq + logRatio(sp, sq) : -b;
    const entropy = o.normalize ? Math.log(sp) - plogp / sp : -plogp;
    switch (o.measure) {
      case 'KL':
        [r0[r], r1![r]] = [forward, reverse];
        break;
      case 'Jeffreys':
        [r0[r], r1![r], r2![r]] = [forward + reverse, forward, reverse];
        break;
      case 'CE':
        [r0[r], r1![r], r2![r]] = [entropy + forward, entropy, forward];
        break;
      case 'H':
        r0[r] = entropy;
        break;
      // JS: only the row sums come from this pass; jsTerms fills the rows.
    }
  }
  const list = (into: Violations, from: IndexList): void => {
    into.count = from.count;
    for (const flat of from.indices.slice(0, MAX_LISTED_INDICES)) into.indices.push(unravel(flat, o.shape));
  };
  if (o.measure === 'Jeffreys') list(o.violations, mergeIndices(merged.forward, merged.reverse));
  else if (o.measure === 'KL' || o.measure === 'CE') list(o.violations, merged.forward);
  if (o.measure === 'KL') list(o.reverseViolations, merged.reverse);
}

/**
 * JS's second fast pass, once the first gave the row sums (in `states`): per row
 * ½KL(p̂‖m̂) + ½KL(q̂‖m̂) into results[0] and the two KLs into results[1], results[2].
 */
function jsTerms(plan: FastKlPlan, o: { normalize: boolean; states: readonly OperandState[]; results: readonly Float64Array[]; tick: (done: number) => void; scheduler: PieceScheduler | undefined }): boolean {
  const [sp, sq] = o.states.map((st) => st.sums) as [Float64Array, Float64Array];
  const scales = new Float64Array(2 * sp.length);
  for (let r = 0; r < sp.length; r++) [scales[2 * r], scales[2 * r + 1]] = o.normalize ? [1 / sp[r]!, 1 / sq[r]!] : [1, 1];
  const merged = runFastKl(jsPass(plan, scales), o.tick, o.scheduler, MAX_LISTED_INDICES);
  if (merged.bad || merged.fallback) return false;
  const [main, toP, toQ] = o.results as [Float64Array, Float64Array, Float64Array];
  for (let r = 0; r < main.length; r++) {
    const a = merged.rows[r * ROW_SLOTS + Slot.PD]!;
    const b = merged.rows[r * ROW_SLOTS + Slot.QD]!;
    [main[r], toP[r], toQ[r]] = [0.5 * a + 0.5 * b, a, b];
  }
  return true;
}

/** Two increasing index lists as one (Jeffreys is infinite where either direction is). */
function mergeIndices(a: IndexList, b: IndexList): IndexList {
  const indices: number[] = [];
  let i = 0;
  let j = 0;
  while (indices.length < MAX_LISTED_INDICES && (i < a.indices.length || j < b.indices.length)) {
    indices.push(j >= b.indices.length || (i < a.indices.length && a.indices[i]! < b.indices[j]!) ? a.indices[i++]! : b.indices[j++]!);
  }
  return { count: a.count + b.count, indices };
}

/** Which fast pass serves a measure, if one does. */
function fastSums(measure: StreamMeasure, twoOperands: boolean): FastSums | undefined {
  if (measure === 'H') return twoOperands ? undefined : 'entropy';
  if (!twoOperands) return undefined;
  if (measure === 'KL' || measure === 'Jeffreys') return 'kl';
  if (measure === 'JS') return 'sums';
  return measure === 'CE' ? 'ce' : undefined;
}

export function streamMeasure(measure: StreamMeasure, P: LazyArg, Q: LazyArg | undefined, options: MeasureOptions, runtime: Runtime = {}): DiscreteResult {
  const plan = PLANS[measure];
  const shape = P.lazy.shape.length === 0 ? [1] : P.lazy.shape;
  const n = shape[shape.length - 1]!;
  const total = size(shape);
  if (total === 0 || n === 0) fail(measure, P, `is empty (shape ${shapeString(shape)})`);
  if (Q) {
    const qShape = Q.lazy.shape.length === 0 ? [1] : Q.lazy.shape;
    const nq = qShape[qShape.length - 1]!;
    if (nq !== n) fail(measure, Q, `has ${nq} ${nq === 1 ? 'entry' : 'entries'} but ${P.role} has ${n}`);
    if (qShape.length !== shape.length || qShape.some((d, i) => d !== shape[i])) {
      fail(measure, Q, `has shape ${shapeString(qShape)} but ${P.role} has shape ${shapeString(shape)}; operands read from files must have the same shape`);
    }
  }
  const rows = total / n;
  const chunk = Math.max(1, runtime.chunkElements ?? CHUNK_ELEMENTS);
  const normalize = options.normalize ?? true;
  const states = [new OperandState(P, rows), ...(Q ? [new OperandState(Q, rows)] : [])];
  const kernels = [plan.main, ...(plan.parts ?? []).map((p) => p.kernel), ...(plan.reverse ? [klKernel] : [])];
  const swapped = [false, ...(plan.parts ?? []).map((p) => p.swap ?? false), ...(plan.reverse ? [true] : [])];
  const results = kernels.map(() => new Float64Array(rows));
  const violations: Violations = { count: 0, indices: [] };
  const reverseViolations: Violations = { count: 0, indices: [] };
  const noteSupport = (p: Float64Array, q: Float64Array, count: number, first: number): void => {
    if (!plan.support && !plan.reverse) return;
    for (let i = 0; i < count; i++) {
      if (q[i] === 0 && p[i]! > 0 && plan.support) add(violations, first + i);
      if (p[i] === 0 && q[i]! > 0 && (plan.reverse || plan.support === 'both')) add(plan.support === 'both' ? violations : reverseViolations, first + i);
    }
  };
  const add = (v: Violations, flat: number): void => {
    if (v.count < MAX_LISTED_INDICES) v.indices.push(unravel(flat, shape));
    v.count++;
  };
  const tick = (done: number): void => {
    runtime.progress?.(done, total);
    if (runtime.isCancelled?.()) throw new KlError('cancelled', `${measure}: cancelled after ${done} of ${total} elements`, options.span);
  };

  const run = (p: Float64Array, q: Float64Array, sums: CompensatedSum[]): void => {
    kernels.forEach((k, j) => (swapped[j] ? k(q, p, sums[j]!, undefined) : k(p, q, sums[j]!, undefined)));
  };

  const sumsOf = runtime.fastPaths === false ? undefined : fastSums(measure, Q !== undefined);
  const fast = sumsOf ? planFastKl(P.lazy, (Q ?? P).lazy, { n, total, chunk, ...(runtime.pieceElements ? { piece: runtime.pieceElements } : {}) }, sumsOf) : undefined;
  // JS reads the files twice (the sums, then the terms): each pass reports half the progress.
  const passes = measure === 'JS' ? 2 : 1;
  const merged = fast ? runFastKl(fast, (done) => tick(Math.floor(done / passes)), runtime.scheduler, MAX_LISTED_INDICES) : undefined;
  if (merged && !merged.fallback) {
    fromFastPass(merged, { measure, P, Q, shape, chunk, normalize, states, results, violations, reverseViolations });
    if (measure === 'JS' && !jsTerms(fast!, { normalize, states, results, tick: (done) => tick(Math.floor((total + done) / 2)), scheduler: runtime.scheduler })) {
      throw new KlError('evaluation', `JS: ${P.text} or ${Q!.text} changed while it was read`, options.span);
    }
  } else if (n <= chunk) {
    const rowsPerChunk = Math.max(1, Math.floor(chunk / n));
    const bufP = new Float64Array(rowsPerChunk * n);
    const bufQ = Q ? new Float64Array(rowsPerChunk * n) : bufP;
    for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
      const count = Math.min(rowsPerChunk, rows - r0);
      const first = r0 * n;
      P.lazy.read(first, count * n, bufP);
      checkChunk(measure, P, bufP, count * n, first, chunk);
      if (Q) {
        Q.lazy.read(first, count * n, bufQ);
        checkChunk(measure, Q, bufQ, count * n, first, chunk);
      }
      for (let r = 0; r < count; r++) {
        const lo = r * n;
        const hi = lo + n;
        states.forEach((st, k) => {
          const buf = k === 0 ? bufP : bufQ;
          const s = rowSum(buf, lo, hi).value();
          st.record(r0 + r, s);
          if (normalize && s !== 1) {
            failRowSum(measure, st.arg, s, r0 + r, shape);
            for (let i = lo; i < hi; i++) buf[i] = buf[i]! / s;
          }
        });
        const p = bufP.subarray(lo, hi);
        const q = bufQ.subarray(lo, hi);
        noteSupport(p, q, n, first + lo);
        const sums = kernels.map(() => new CompensatedSum());
        run(p, q, sums);
        sums.forEach((s, j) => (results[j]![r0 + r] = s.value()));
      }
      tick((r0 + count) * n);
    }
  } else {
    // Rows longer than a chunk: one pass for the sums, one for the terms.
    const bufP = new Float64Array(chunk);
    const bufQ = Q ? new Float64Array(chunk) : bufP;
    const passes = normalize ? 2 : 1;
    let done = 0;
    for (let r = 0; r < rows; r++) {
      const rowStart = r * n;
      const scale = [1, 1];
      if (normalize) {
        const sums = states.map(() => new CompensatedSum());
        for (let c = 0; c < n; c += chunk) {
          const count = Math.min(chunk, n - c);
          P.lazy.read(rowStart + c, count, bufP);
          checkChunk(measure, P, bufP, count, rowStart + c, chunk);
          rowSum(bufP, 0, count, sums[0]);
          if (Q) {
            Q.lazy.read(rowStart + c, count, bufQ);
            checkChunk(measure, Q, bufQ, count, rowStart + c, chunk);
            rowSum(bufQ, 0, count, sums[1]);
          }
          done += count;
          tick(Math.floor(done / passes));
        }
        states.forEach((st, k) => {
          const s = sums[k]!.value();
          st.record(r, s);
          if (s === 0) fail(measure, st.arg, rows === 1 ? 'sums to 0, so it cannot be normalized' : `row ${indexString(r, shape.slice(0, -1))} sums to 0, so it cannot be normalized`);
          scale[k] = 1 / s;
        });
      }
      const sums = kernels.map(() => new CompensatedSum());
      const rawSums = states.map(() => new CompensatedSum());
      for (let c = 0; c < n; c += chunk) {
        const count = Math.min(chunk, n - c);
        const p = bufP.subarray(0, count);
        const q = bufQ.subarray(0, count);
        P.lazy.read(rowStart + c, count, bufP);
        if (Q) Q.lazy.read(rowStart + c, count, bufQ);
        if (!normalize) {
          checkChunk(measure, P, bufP, count, rowStart + c, chunk);
          if (Q) checkChunk(measure, Q, bufQ, count, rowStart + c, chunk);
          rowSum(bufP, 0, count, rawSums[0]);
          if (Q) rowSum(bufQ, 0, count, rawSums[1]);
        } else {
          if (scale[0] !== 1) for (let i = 0; i < count; i++) bufP[i] = bufP[i]! * scale[0]!;
          if (Q && scale[1] !== 1) for (let i = 0; i < count; i++) bufQ[i] = bufQ[i]! * scale[1]!;
        }
        noteSupport(p, q, count, rowStart + c);
        run(p, q, sums);
        done += count;
        tick(Math.floor(done / passes));
      }
      if (!normalize) states.forEach((st, k) => st.record(r, rawSums[k]!.value()));
      sums.forEach((s, j) => (results[j]![r] = s.value()));
    }
  }

  const warnings: Warning[] = [];
  const rowShape = shape.slice(0, -1);
  const operands: Operand[] = states.map((st) => {
    if (normalize && st.offRows > 0) warnings.push(normalizationWarning(st.arg, rows, st.offRows, st.minSum, st.maxSum));
    if (!normalize && st.offRows > 0) warnings.push(notNormalizedWarning(st.arg));
    const sums: Tensor = { shape: rowShape, data: st.sums };
    return { role: st.arg.role, text: st.arg.text, span: st.arg.span, shape, source: st.arg.lazy.label, rescaled: normalize && st.rescaledRows > 0, sums };
  });
  const pRole = P.role;
  const qRole = Q?.role ?? '';
  const infinite = violations.count > 0 ? violations : undefined;
  if (infinite) {
    const where = plan.support === 'both' ? `one of ${pRole}, ${qRole} is 0 where the other is not` : `${qRole} = 0 where ${pRole} > 0`;
    warnings.push({ code: 'infinite', message: `${plan.label(pRole, qRole)} is infinite: ${where} at index ${describeViolations(infinite)}.`, span: Q?.span });
  }
  const mainRows = plan.sqrtRows ? results[0]!.map(Math.sqrt) : results[0]!;
  const partList = plan.parts ?? [];
  const parts = partList.length > 0 ? Object.fromEntries(partList.map((p, j) => [p.name(pRole, qRole), { shape: rowShape, data: results[j + 1]! }])) : undefined;
  const { unit, factor } = resolveUnit(options);
  const result = assemble({
    measure,
    label: plan.label(pRole, qRole),
    operands,
    output: { rows: { shape: rowShape, data: mainRows } },
    ...(parts ? { parts } : {}),
    unit: plan.unitless ? null : unit,
    reduction: options.reduction ?? 'none',
    warnings,
    span: options.span,
    ...(infinite ? { infinite } : {}),
  });
  if (!plan.reverse) return result;
  const reverseRows = scaled({ shape: rowShape, data: results[results.length - 1]! }, factor);
  return {
    ...result,
    reverse: {
      value: reduce(measure, reverseRows, options.reduction ?? 'none', shape[0]!, [], options.span),
      rows: reverseRows,
      ...(reverseViolations.count > 0 ? { infinite: reverseViolations } : {}),
    },
  };
}
