/**
 * Runs pieces of the two passes of Jensen–Shannon over operands stored as float32 or float64:
 * 'sums' adds up each row of p and q (and finds the first element that is not a probability),
 * 'js' then sums a·log(a/m) and b·log(b/m) with a = p/Σp, b = q/Σq, m = (a + b)/2. The vector
 * loops take what they can; the rest is taken one element at a time with relEntr's conventions.
 *
 * ## Method
 * m depends on both normalized values, so the sums must be known before any term: unlike KL there
 * is no one-pass identity. JS(p̂, q̂) = ½KL(p̂‖m) + ½KL(q̂‖m) (divergence/js.ts), each term finite.
 */
import { CompensatedSum } from '../numeric/sum';
import { relEntr } from '../numeric/xlogy';
import { type BadElement, type KlPartial, ROW_SLOTS, Slot } from './job';
import { addLanePairs, BLOCK, badElement, blockLoop, pieceRows, RegionPieceRunner } from './pieces';

export class JsPieceRunner extends RegionPieceRunner {
  run(piece: number): KlPartial {
    const { from, to, firstRow, rows } = pieceRows(this.job, piece);
    const { kernel, size, wide } = this.regions;
    const offsets = this.regions.offsets as [number, number];
    const views = this.regions.views as [Float32Array | Float64Array, Float32Array | Float64Array];
    const terms = this.job.kind === 'js';
    // 'sums': Σp, Σq; 'js': Σa·log(a/m), Σb·log(b/m).
    let sums = [new CompensatedSum(), new CompensatedSum()];
    const slots = terms ? [Slot.PD, Slot.QD] : [Slot.SumP, Slot.SumQ];
    const closeRow = (row: number): void => {
      const base = (row - firstRow) * ROW_SLOTS;
      sums.forEach((s, k) => (rows[base + slots[k]!] = s.value()));
      sums = [new CompensatedSum(), new CompensatedSum()];
    };
    const partial = (rest: Partial<KlPartial> = {}): KlPartial => ({ piece, firstRow, rows, forward: { count: 0, indices: [] }, reverse: { count: 0, indices: [] }, ...rest });

    let start = from;
    let ia = 1;
    let ib = 1;
    const block = (i: number, m: number): number => {
      const took = kernel.jsBlock(offsets[0] + i * size, offsets[1] + i * size, m, wide, ia, ib);
      if (took > 0) addLanePairs(kernel.sums(), sums);
      return took;
    };
    // The pair the loop stopped at (or the last one), with 0·log 0 = 0. The first pass checked
    // every element; one that is bad now means the file changed in between.
    const rest = (first: number, stop: number): BadElement | undefined => {
      for (let i = first; i < stop; i++) {
        const bad = badElement(views[0][i]!, 0, start + i) ?? badElement(views[1][i]!, 1, start + i);
        if (bad) return bad;
        const a = views[0][i]! * ia;
        const b = views[1][i]! * ib;
        const mid = 0.5 * (a + b);
        sums[0]!.add(relEntr(a, mid));
        sums[1]!.add(relEntr(b, mid));
      }
      return undefined;
    };
    const segment = (chunkStart: number, i: number, end: number, row: number): BadElement | undefined => {
      start = chunkStart;
      if (terms) {
        ia = this.job.scales![2 * row]!;
        ib = this.job.scales![2 * row + 1]!;
        return blockLoop(i, end, BLOCK, 2, block, rest);
      }
      // p first, then q up to p's bad element if any: the first in the tensor, P's at a tie (as klPieces.ts).
      const badP = this.sum(0, i, end, start, sums[0]!);
      return this.sum(1, i, badP ? badP.index - start : end, start, sums[1]!) ?? badP;
    };

    const { row, bad } = this.regions.walk(this.job.n, from, to, segment, closeRow);
    if (bad && terms) return partial({ bad });
    closeRow(row);
    if (bad) return partial({ rows: rows.subarray(0, (row - firstRow + 1) * ROW_SLOTS), bad });
    return partial();
  }

  /** Adds elements [from, to) of operand k into `into`, up to the first that is not a probability. */
  private sum(k: 0 | 1, from: number, to: number, start: number, into: CompensatedSum): BadElement | undefined {
    const { kernel, size, wide } = this.regions;
    const offset = this.regions.offsets[k]!;
    const view = this.regions.views[k]!;
    return blockLoop(
      from,
      to,
      BLOCK,
      4,
      (j, m) => {
        const took = kernel.sumBlock(offset + j * size, m, wide);
        if (took > 0) into.add(kernel.sums()[0]! + kernel.sums()[1]!);
        return took;
      },
      (j, stop) => {
        for (; j < stop; j++) {
          const bad = badElement(view[j]!, k, start + j);
          if (bad) return bad;
          into.add(view[j]!);
        }
        return undefined;
      },
    );
  }
}
