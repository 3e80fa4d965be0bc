import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charts } from '../../../../src/core/chart/index';
import type { DiscreteResult, EstimatorResult } from '../../../../src/core/index';
import { chartById, ids, resultWith, tensorValue, vocabulary } from './fixtures';
import { byClass, texts } from './xml';

const N = 50_000;

function klVocabulary(n: number, patch?: (q: Float64Array) => void): DiscreteResult {
  const { p, q } = vocabulary(n);
  patch?.(q);
  return resultWith('KL(p || q)', { p: tensorValue(p), q: tensorValue(q) }) as DiscreteResult;
}

function barCount(svg: ReturnType<typeof chartById>['svg']): number {
  return byClass(svg, 'kl-bars').flatMap((g) => g.children).length;
}

describe('large supports (50,000 elements)', () => {
  const r = klVocabulary(N);
  const terms = r.terms!.data;

  it('is fast and small: top-k bars, not 50,000', () => {
    const t0 = performance.now();
    const list = charts(r);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 200, `charts() took ${elapsed.toFixed(1)} ms`);
    assert.deepEqual(ids(list), ['distributions', 'contributions', 'cumulative']);
    const bytes = list.reduce((s, c) => s + c.svg.length, 0);
    assert.ok(bytes < 30_000, `${bytes} bytes of SVG`);
    assert.equal(barCount(chartById(list, 'contributions').svg), 21);
    assert.equal(barCount(chartById(list, 'distributions').svg), 42);
  });

  it('shows the top 20 by |contribution| with their indices, and all the others summed', () => {
    const { chart, svg } = chartById(charts(r), 'contributions');
    const rows = chart.table.rows;
    assert.equal(rows.length, 21);
    const magnitudes = Array.from(terms, Math.abs).sort((a, b) => b - a);
    rows.slice(0, 20).forEach((row, k) => {
      const i = Number(row[0]);
      assert.equal(row[1], terms[i], `element ${i}`);
      assert.equal(Math.abs(terms[i]!), magnitudes[k], `rank ${k}`);
    });
    const chosen = new Set(rows.slice(0, 20).map((row) => Number(row[0])));
    let rest = 0;
    terms.forEach((t, i) => void (chosen.has(i) ? 0 : (rest += t)));
    assert.equal(rows[20]![0], `all other (${N - 20})`);
    assert.ok(Math.abs((rows[20]![1] as number) - rest) < 1e-9);
    const labels = texts(svg);
    for (const row of rows) assert.ok(labels.includes(row[0] as string), `label ${row[0]}`);
  });

  it('pairs P and Q for the same elements, with the rest of their mass summed', () => {
    const { chart } = chartById(charts(r), 'distributions');
    const contributions = chartById(charts(r), 'contributions').chart.table.rows.map((row) => row[0]);
    assert.deepEqual(chart.table.rows.map((row) => row[0]), contributions);
    const [P, Q] = r.operands;
    for (const row of chart.table.rows.slice(0, 20)) {
      assert.equal(row[1], P!.tensor!.data[Number(row[0])]);
      assert.equal(row[2], Q!.tensor!.data[Number(row[0])]);
    }
    const shownP = chart.table.rows.slice(0, 20).reduce((s, row) => s + (row[1] as number), 0);
    assert.ok(Math.abs(shownP + (chart.table.rows[20]![1] as number) - 1) < 1e-9, 'P sums to 1 with the rest');
  });

  it('cumulative: how many elements carry 50% and 90% of Σ|contribution|, marked', () => {
    const { chart, svg } = chartById(charts(r), 'cumulative');
    // Q is noise, so some terms are negative: the shares are of the total absolute contribution.
    assert.ok(terms.some((t) => t < 0));
    const sorted = Array.from(terms, Math.abs).sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b);
    const needed = (share: number): number => {
      let s = 0;
      for (let k = 0; k < sorted.length; k++) if ((s += sorted[k]!) / total >= share) return k + 1;
      return sorted.length;
    };
    assert.deepEqual(chart.table.rows, [
      [0.5, needed(0.5), N],
      [0.9, needed(0.9), N],
    ]);
    const labels = texts(svg);
    assert.ok(labels.includes(`50%: ${needed(0.5)} elements`), labels.join(' | '));
    assert.ok(labels.includes(`90%: ${needed(0.9)} elements`));
    // The curve is downsampled to at most two points per pixel column.
    const d = byClass(svg, 'kl-curve')[0]!.attrs.d!;
    assert.ok((d.match(/[ML]/g) ?? []).length <= 2 * 560);
  });

  it('no cumulative chart when the divergence is infinite', () => {
    const inf = klVocabulary(N, (q) => void (q[7] = 0));
    const list = charts(inf);
    assert.deepEqual(ids(list), ['distributions', 'contributions']);
    const { chart, svg } = chartById(list, 'contributions');
    assert.deepEqual(chart.table.rows[0], ['7', '∞']);
    assert.equal(byClass(svg, 'kl-infinite')[0]?.text, '∞');
  });

  it('topK narrows the selection', () => {
    const list = charts(r, { topK: 5 });
    assert.equal(barCount(chartById(list, 'contributions').svg), 6);
    assert.equal(chartById(list, 'contributions').chart.table.rows[5]![0], `all other (${N - 5})`);
  });

  it('just above topK: the rest is a single element', () => {
    const small = klVocabulary(21);
    const list = charts(small);
    assert.deepEqual(ids(list), ['distributions', 'contributions', 'cumulative']);
    assert.equal(chartById(list, 'contributions').chart.table.rows[20]![0], 'all other (1)');
  });
});

describe('many rows (10,000 tokens)', () => {
  const n = 10_000;
  const logp = Float64Array.from({ length: n }, (_, i) => -1 - Math.sin(i / 50));
  const logq = Float64Array.from({ length: n }, (_, i) => -1.1 - 0.5 * Math.cos(i / 30) - (i === 5000 ? 20 : 0));
  const r = resultWith('k3(logp, logq)', { logp: tensorValue(logp), logq: tensorValue(logq) }) as EstimatorResult;

  it('a line downsampled per pixel column, with the spike kept and the mean marked', () => {
    const t0 = performance.now();
    const list = charts(r);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 200, `charts() took ${elapsed.toFixed(1)} ms`);
    assert.deepEqual(ids(list), ['rows']);
    const { chart, svg } = chartById(list, 'rows');
    assert.ok(chart.svg.length < 30_000, `${chart.svg.length} bytes`);
    assert.equal(byClass(svg, 'kl-bars').length, 0);
    const d = byClass(svg, 'kl-line')[0]!.attrs.d!;
    assert.ok((d.match(/[ML]/g) ?? []).length <= 2 * 560);
    assert.equal(byClass(svg, 'kl-mean').length, 1);
    assert.ok(texts(svg).includes(`mean ${(+r.mean.toPrecision(4)).toString()}`), texts(svg).join(' | '));
    // The table: one row per column (min and max), then the mean.
    const rows = chart.table.rows;
    assert.ok(rows.length <= 561);
    assert.deepEqual(rows[rows.length - 1], ['mean', r.mean, r.mean]);
    const max = Math.max(...r.samples.data);
    assert.ok(rows.some((row) => row[2] === max), 'the spike is in some column');
    const lo = Math.min(...rows.slice(0, -1).map((row) => row[1] as number));
    assert.equal(lo, Math.min(...r.samples.data));
  });

  it('infinite samples in a line: marked ∞ at the top edge, and in the table', () => {
    const a = Float64Array.from(logp.subarray(0, 1000));
    a[100] = -Infinity;
    const list = charts(resultWith('k3(a, b)', { a: tensorValue(a), b: tensorValue(logq.subarray(0, 1000)) }));
    const { chart, svg } = chartById(list, 'rows');
    assert.equal(byClass(svg, 'kl-line').length, 1);
    assert.ok(texts(svg).includes('∞'));
    assert.ok(chart.table.rows.some((row) => row[2] === '∞'));
    assert.deepEqual(chart.table.rows[chart.table.rows.length - 1], ['mean', '∞', '∞']);
  });

  it('200 rows are still bars; 201 become a line', () => {
    const at = (m: number) =>
      charts(resultWith('k1(a, b)', { a: tensorValue(logp.subarray(0, m)), b: tensorValue(logq.subarray(0, m)) }));
    assert.equal(byClass(chartById(at(200), 'rows').svg, 'kl-bars').flatMap((g) => g.children).length, 200);
    assert.equal(byClass(chartById(at(201), 'rows').svg, 'kl-line').length, 1);
  });
});
