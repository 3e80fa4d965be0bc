/**
 * A fast KL pass cut into pieces that any thread can run: the pieces, what each one returns, and
 * how the returns are put back together. Pieces are whole rows when rows fit (so per-row work
 * never straddles threads) and segments of a row otherwise (one 10⁸-element distribution).
 */
export type KlJobKind = 'kl' | 'softmax' | 'ce' | 'entropy' | 'sums' | 'js';

export interface KlJob {
  /**
   * 'kl': the operands are the distributions; 'softmax': they are logits, softmax(x / T) each;
   * 'ce': as 'kl', plus Σp·log p (cross-entropy); 'entropy': one operand (given twice), Σp and Σp·log p;
   * 'sums' then 'js': the two passes of Jensen–Shannon, Σp and Σq, then KL(P‖M) and KL(Q‖M).
   */
  readonly kind: KlJobKind;
  /** Row length (the last axis) and elements in all. */
  readonly n: number;
  readonly total: number;
  /** Elements per piece, and per read within a piece (the buffer size). */
  readonly pieceElements: number;
  readonly chunkElements: number;
  readonly temperature: number;
  /** 'js': per row, the factors that normalize p and q (1/Σp, 1/Σq, or 1 and 1). */
  readonly scales?: Float64Array;
}

/** The first element that is not a probability, in whole-tensor order. */
export interface BadElement {
  readonly operand: 0 | 1;
  readonly index: number;
  readonly value: number;
}

export interface IndexList {
  count: number;
  /** Flat indices in increasing order, at most `limit` of them. */
  readonly indices: number[];
}

/** Slots per row in KlPartial.rows. */
export const ROW_SLOTS = 7;
/**
 * Σp, Σq, Σp·log(p/q), Σq·log(p/q) over the regular pairs; counts of q = 0 < p and p = 0 < q;
 * Σp·log p over p > 0 (jobs 'ce' and 'entropy' only). A 'js' job puts Σa·log(a/m) and Σb·log(b/m)
 * (a = p̂, b = q̂, m = (a + b)/2) in PD and QD.
 */
export const enum Slot {
  SumP = 0,
  SumQ = 1,
  PD = 2,
  QD = 3,
  Forward = 4,
  Reverse = 5,
  PLogP = 6,
}

export interface KlPartial {
  readonly piece: number;
  readonly firstRow: number;
  /** ROW_SLOTS numbers per row the piece touches, from firstRow on. */
  readonly rows: Float64Array;
  readonly forward: IndexList;
  readonly reverse: IndexList;
  readonly bad?: BadElement;
  /** Set when the piece met input the fast path does not take (non-finite logits): redo it all the reference way. */
  readonly fallback?: boolean;
}

export function pieceCount(job: KlJob): number {
  const rows = job.total / job.n;
  if (job.n <= job.pieceElements) return Math.ceil(rows / Math.max(1, Math.floor(job.pieceElements / job.n)));
  return rows * Math.ceil(job.n / job.pieceElements);
}

/** The flat element range [from, to) of piece k. */
export function pieceRange(job: KlJob, k: number): { from: number; to: number } {
  if (job.n <= job.pieceElements) {
    const perPiece = Math.max(1, Math.floor(job.pieceElements / job.n));
    const from = k * perPiece * job.n;
    return { from, to: Math.min(job.total, from + perPiece * job.n) };
  }
  const segments = Math.ceil(job.n / job.pieceElements);
  const row = Math.floor(k / segments);
  const from = row * job.n + (k % segments) * job.pieceElements;
  return { from, to: Math.min((row + 1) * job.n, from + job.pieceElements) };
}

export function noteIndex(list: IndexList, index: number, limit: number): void {
  if (list.count < limit) list.indices.push(index);
  list.count++;
}

export interface MergedKl {
  /** Per row: the ROW_SLOTS slots, summed over pieces. */
  readonly rows: Float64Array;
  readonly forward: IndexList;
  readonly reverse: IndexList;
  readonly bad?: BadElement;
  readonly fallback: boolean;
}

/**
 * Puts the pieces back together in piece order. Row sums of a row split over pieces are added
 * with compensation; the first bad element is the one with the lowest index (pieces are taken in
 * order, so every piece before a bad one was run to the end).
 */
export function mergePartials(job: KlJob, partials: readonly KlPartial[], limit: number): MergedKl {
  const rows = new Float64Array((job.total / job.n) * ROW_SLOTS);
  const compensation = new Float64Array(rows.length);
  const forward: IndexList = { count: 0, indices: [] };
  const reverse: IndexList = { count: 0, indices: [] };
  let bad: BadElement | undefined;
  let fallback = false;
  for (const part of [...partials].sort((a, b) => a.piece - b.piece)) {
    fallback ||= part.fallback === true;
    if (part.bad && (!bad || part.bad.index < bad.index)) bad = part.bad;
    const base = part.firstRow * ROW_SLOTS;
    for (let i = 0; i < part.rows.length; i++) {
      // Neumaier's step (as CompensatedSum), on flat arrays: a row split over pieces adds its parts.
      const x = part.rows[i]!;
      const v = rows[base + i]!;
      const t = v + x;
      if (Number.isFinite(t)) compensation[base + i]! += Math.abs(v) >= Math.abs(x) ? v - t + x : x - t + v;
      rows[base + i] = t;
    }
    for (const [into, from] of [[forward, part.forward], [reverse, part.reverse]] as const) {
      for (const ix of from.indices) if (into.indices.length < limit) into.indices.push(ix);
      into.count += from.count;
    }
  }
  for (let i = 0; i < rows.length; i++) if (Number.isFinite(rows[i])) rows[i]! += compensation[i]!;
  return { rows, forward, reverse, fallback, ...(bad ? { bad } : {}) };
}
