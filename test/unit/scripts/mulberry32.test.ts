/** The seeded generator behind the benchmark's inputs and the randomized kernel tests. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../scripts/mulberry32.mjs';

describe('mulberry32', () => {
  it('repeats its sequence for a seed and gives another for another seed', () => {
    const take = (seed: number): number[] => {
      const rand = mulberry32(seed);
      return Array.from({ length: 8 }, rand);
    };
    assert.deepEqual(take(7), take(7));
    assert.notDeepEqual(take(7), take(8));
  });

  it('is uniform on [0, 1): every draw in range, and ten equal bins pass a chi-square test', () => {
    const rand = mulberry32(12345);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = rand();
      assert.ok(x >= 0 && x < 1, `draw ${i} is ${x}`);
      bins[Math.floor(x * 10)]!++;
    }
    const chi2 = bins.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    // 27.88 is the 0.999 quantile of chi-square with 9 degrees of freedom.
    assert.ok(chi2 < 27.88, `chi-square ${chi2.toFixed(2)} over bins ${bins.join(', ')}`);
  });
});
