/**
 * What the piece runners share: kernel regions that the operands' bytes are read straight into,
 * the walk over a piece in buffer-sized reads cut at row ends, and the block loop that lets a
 * vector kernel take what it can and hands the group it stopped at to plain code.
 */
import type { CompensatedSum } from '../numeric/sum';
import type { RawElements } from '../lazy';
import { type BadElement, type KlJob, type KlPartial, pieceRange, ROW_SLOTS } from './job';
import { Kernels } from './wasm';

/** Values per kernel call: short enough that plain sums in the lanes lose nothing that matters. */
export const BLOCK = 4096;

/** One region per operand, each as raw bytes and as a typed view of the operands' dtype. */
export class OperandRegions {
  readonly kernel: Kernels;
  readonly wide: boolean;
  /** Bytes per element. */
  readonly size: number;
  readonly offsets: readonly number[];
  readonly views: readonly (Float32Array | Float64Array)[];

  constructor(
    private readonly operands: readonly RawElements[],
    private readonly chunkElements: number,
  ) {
    this.wide = operands[0]!.dtype === 'float64';
    this.size = this.wide ? 8 : 4;
    this.kernel = new Kernels(operands.map(() => chunkElements * this.size));
    this.offsets = this.kernel.offsets;
    this.views = this.offsets.map((offset) => (this.wide ? this.kernel.float64(offset, chunkElements) : this.kernel.float32(offset, chunkElements)));
  }

  /**
   * Reads [from, to) chunk by chunk and calls `segment` for each part of a chunk that lies in one
   * row (chunk indices [i, end), `start` = the chunk's first flat index), `closeRow` as a row ends.
   * Stops at the first bad element a segment reports; the row it is in is left open for the caller.
   */
  walk(
    n: number,
    from: number,
    to: number,
    segment: (start: number, i: number, end: number, row: number) => BadElement | undefined,
    closeRow: (row: number) => void,
  ): { row: number; bad?: BadElement } {
    let row = Math.floor(from / n);
    for (let start = from; start < to; start += this.chunkElements) {
      const count = Math.min(this.chunkElements, to - start);
      this.operands.forEach((operand, k) => operand.read(start, count, this.kernel.bytes(this.offsets[k]!, count * this.size)));
      let i = 0;
      while (i < count) {
        if (start + i === (row + 1) * n) {
          closeRow(row);
          row++;
        }
        const end = Math.min(count, (row + 1) * n - start);
        const bad = segment(start, i, end, row);
        if (bad) return { row, bad };
        i = end;
      }
    }
    return { row };
  }

  /** walk() with every segment run through blockLoop (BLOCK values a call), `rest` given the chunk's first flat index. */
  walkBlocks(
    n: number,
    from: number,
    to: number,
    group: number,
    block: (i: number, m: number) => number,
    rest: (i: number, stop: number, start: number) => BadElement | undefined,
    closeRow: (row: number) => void,
  ): { row: number; bad?: BadElement } {
    return this.walk(n, from, to, (start, i, end) => blockLoop(i, end, BLOCK, group, block, rest, start), closeRow);
  }
}

/** A runner whose operands are read straight into kernel regions; subclasses sum what their measure needs. */
export abstract class RegionPieceRunner {
  protected readonly regions: OperandRegions;

  constructor(
    protected readonly job: KlJob,
    ...operands: RawElements[]
  ) {
    this.regions = new OperandRegions(operands, job.chunkElements);
  }

  abstract run(piece: number): KlPartial;
}

/** The element range of a piece, its first row and room for ROW_SLOTS sums per row it touches. */
export function pieceRows(job: KlJob, piece: number): { from: number; to: number; firstRow: number; rows: Float64Array } {
  const { from, to } = pieceRange(job, piece);
  const firstRow = Math.floor(from / job.n);
  const rowCount = Math.floor((to - 1) / job.n) - firstRow + 1;
  return { from, to, firstRow, rows: new Float64Array(rowCount * ROW_SLOTS) };
}

/**
 * Runs [from, to) through `block(i, m)`, a vector kernel over m values from i that returns how
 * many it took; where it stops short, `rest(i, stop, start)` takes the next `group` values (the
 * group the kernel stopped at, or the last few) one at a time, `start` passed through (a chunk's
 * first flat index; no wrapping closure, as rest runs once per such group). Returns the first bad
 * element `rest` reports.
 */
export function blockLoop(
  from: number,
  to: number,
  blockSize: number,
  group: number,
  block: (i: number, m: number) => number,
  rest: (i: number, stop: number, start: number) => BadElement | undefined,
  start = 0,
): BadElement | undefined {
  let i = from;
  while (i < to) {
    const m = Math.min(blockSize, to - i);
    const took = block(i, m);
    i += took;
    if (took === m) continue;
    const stop = Math.min(i + group, to);
    const bad = rest(i, stop, start);
    if (bad) return bad;
    i = stop;
  }
  return undefined;
}

/** Adds each pair of lanes (lanes[2k] + lanes[2k + 1]) into sums[k]. */
export function addLanePairs(lanes: Float64Array, sums: readonly CompensatedSum[]): void {
  for (let k = 0; k < sums.length; k++) sums[k]!.add(lanes[2 * k]! + lanes[2 * k + 1]!);
}

/** An element that is not a probability (NaN, negative, +∞), as checkProbabilities refuses it. */
export function badElement(x: number, operand: 0 | 1, index: number): BadElement | undefined {
  return x >= 0 && x < Infinity ? undefined : { operand, index, value: x };
}
