/**
 * Which elements a chart draws one by one. Up to k elements are all drawn in index order; beyond
 * that the k largest by |key| are picked with a selection (not a full sort of a 50,000-element
 * vocabulary) and everything else is summed into one "all other" bar.
 */
import { Adder, quickselect } from 'd3-array';

export interface Selection {
  /** The elements drawn: all of them in index order, or the top k by |key| (largest first). */
  readonly indices: readonly number[];
  /** Elements not drawn individually (n − k, or 0). */
  readonly rest: number;
  readonly n: number;
}

/** Larger |x| first, ∞ before any finite value, NaN last; ties by index so the order is stable. */
function magnitude(x: number): number {
  return Number.isNaN(x) ? -1 : Math.abs(x);
}

/** The top `k` elements of `key` by magnitude (all of them when there are at most k). */
export function selectTop(key: ArrayLike<number>, k: number): Selection {
  const n = key.length;
  if (n <= k) return { indices: Array.from({ length: n }, (_, i) => i), rest: 0, n };
  const order = (a: number, b: number): number => {
    const ma = magnitude(key[a]!);
    const mb = magnitude(key[b]!);
    return ma === mb ? a - b : ma > mb ? -1 : 1;
  };
  const all = Array.from({ length: n }, (_, i) => i);
  // d3's comparator type admits any primitive; the array holds only indices.
  quickselect(all, k - 1, 0, n - 1, (a, b) => order(a as number, b as number));
  const indices = all.slice(0, k).sort(order);
  return { indices, rest: n - k, n };
}

/** Exact sum (d3's Adder) of `values` over the elements a selection leaves out. */
export function restSum(values: ArrayLike<number>, s: Selection): number {
  if (s.rest === 0) return 0;
  const chosen = new Uint8Array(s.n);
  for (const i of s.indices) chosen[i] = 1;
  const sum = new Adder();
  for (let i = 0; i < s.n; i++) if (chosen[i] === 0) sum.add(values[i]!);
  return sum.valueOf();
}

/** `all other (n − k)`: the label of the summed bar. */
export function restLabel(s: Selection): string {
  return `all other (${s.rest})`;
}
