import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charts } from '../../../../src/core/chart/index';
import type { DiscreteResult } from '../../../../src/core/index';
import { build, chartById, ids, PROGRAMS } from './fixtures';
import { byClass, texts, type Element } from './xml';

/** Bars per series name: the rects of the `kl-bars` groups, positive and negative together. */
function bars(svg: Element): Map<string, Element[]> {
  const out = new Map<string, Element[]>();
  for (const g of byClass(svg, 'kl-bars')) {
    const name = g.attrs['data-series']!;
    out.set(name, [...(out.get(name) ?? []), ...g.children.filter((c) => c.tag === 'rect')]);
  }
  return out;
}

function discrete(program: string): { r: DiscreteResult; list: ReturnType<typeof charts> } {
  const { result, charts: list } = build(program);
  assert.equal(result.kind, 'discrete');
  return { r: result as DiscreteResult, list };
}

describe('charts of two-distribution results', () => {
  for (const name of ['kl', 'js', 'ce', 'jeffreys', 'tv', 'hellinger', 'w1'] as const) {
    it(`${name}: distributions then contributions, with the result's numbers in the tables`, () => {
      const { r, list } = discrete(PROGRAMS[name]!);
      assert.deepEqual(ids(list), ['distributions', 'contributions']);
      const [P, Q] = r.operands;
      const n = P!.shape[0]!;
      const dist = chartById(list, 'distributions');
      const series = bars(dist.svg);
      assert.deepEqual([...series.keys()], [P!.role, Q!.role]);
      assert.equal(series.get(P!.role)!.length, n);
      assert.equal(series.get(Q!.role)!.length, n);
      assert.deepEqual(dist.chart.table.columns, ['element', P!.role, Q!.role]);
      assert.deepEqual(
        dist.chart.table.rows,
        Array.from({ length: n }, (_, i) => [String(i), P!.tensor!.data[i], Q!.tensor!.data[i]]),
      );
      const contrib = chartById(list, 'contributions');
      assert.equal([...bars(contrib.svg).values()].flat().length, n);
      assert.deepEqual(
        contrib.chart.table.rows.map((row) => row[1]),
        Array.from(r.terms!.data),
      );
      // Every element is labelled with its index under the axis.
      const labels = texts(contrib.svg);
      for (let i = 0; i < n; i++) assert.ok(labels.includes(String(i)), `label ${i}`);
    });
  }

  it('colours contributions by sign: negative terms go in the negative group', () => {
    const { r, list } = discrete(PROGRAMS.kl!);
    const { svg } = chartById(list, 'contributions');
    const groups = byClass(svg, 'kl-bars');
    const negative = groups.filter((g) => g.attrs['data-sign'] === 'negative').flatMap((g) => g.children);
    const positive = groups.filter((g) => g.attrs['data-sign'] === 'positive').flatMap((g) => g.children);
    const terms = Array.from(r.terms!.data);
    assert.equal(negative.length, terms.filter((t) => t < 0).length);
    assert.equal(positive.length, terms.filter((t) => t >= 0).length);
    assert.ok(negative.length > 0);
    assert.notEqual(groups.find((g) => g.attrs['data-sign'] === 'negative')!.attrs.fill, groups[0]!.attrs.fill);
  });

  it('draws a zero line that positive bars rise from and negative bars hang from', () => {
    const { list } = discrete(PROGRAMS.kl!);
    const { svg } = chartById(list, 'contributions');
    const zeros = byClass(svg, 'kl-zero');
    assert.equal(zeros.length, 1);
    const zeroY = Number(/^M[\d.]+ ([\d.]+)H/.exec(zeros[0]!.attrs.d!)![1]);
    for (const g of byClass(svg, 'kl-bars')) {
      for (const b of g.children) {
        const [y, h] = [Number(b.attrs.y), Number(b.attrs.height)];
        const edge = g.attrs['data-sign'] === 'negative' ? y : y + h;
        assert.ok(Math.abs(edge - zeroY) <= 0.011, `bar edge ${edge} vs zero line ${zeroY}`);
      }
    }
  });

  it('marks an infinite term: a bar to the top, an ∞ label, ∞ in the table and the description', () => {
    const { r, list } = discrete(PROGRAMS.klInfinite!);
    assert.equal(r.terms!.data[2], Infinity);
    const { chart, svg } = chartById(list, 'contributions');
    const marks = byClass(svg, 'kl-infinite');
    assert.equal(marks.length, 1);
    assert.equal(marks[0]!.text, '∞');
    const dashed = [...bars(svg).values()].flat().filter((b) => b.attrs['stroke-dasharray']);
    assert.equal(dashed.length, 1, 'the infinite bar is outlined');
    // It reaches from the zero line to the top of the plot, above every finite bar.
    const top = Number(dashed[0]!.attrs.y);
    for (const b of [...bars(svg).values()].flat()) assert.ok(Number(b.attrs.y) >= top);
    assert.deepEqual(chart.table.rows[2], ['2', '∞']);
    assert.match(chart.description, /1 infinite term \(element 2\)/);
    assert.ok(!chart.svg.includes('NaN'));
  });

  it('H(P): P alone over the support, and its −p log p terms', () => {
    const { r, list } = discrete(PROGRAMS.h!);
    assert.deepEqual(ids(list), ['distributions', 'contributions']);
    const dist = chartById(list, 'distributions');
    assert.deepEqual([...bars(dist.svg).keys()], ['P']);
    assert.deepEqual(dist.chart.table.columns, ['element', 'P']);
    const contrib = chartById(list, 'contributions');
    assert.deepEqual(contrib.chart.table.rows.map((row) => row[1]), Array.from(r.terms!.data));
    assert.match(contrib.chart.description, /−p·log p/);
  });

  it('n = 1: one pair of bars and one zero contribution, no NaN anywhere', () => {
    const { list } = discrete('KL([1] || [1])');
    assert.deepEqual(ids(list), ['distributions', 'contributions']);
    const dist = chartById(list, 'distributions');
    assert.deepEqual([...bars(dist.svg).values()].map((b) => b.length), [1, 1]);
    const contrib = chartById(list, 'contributions');
    assert.deepEqual(contrib.chart.table.rows, [['0', 0]]);
    for (const c of list) assert.ok(!c.svg.includes('NaN'), c.id);
  });

  it('equal distributions: every contribution is 0, the axis is not degenerate, no cumulative chart', () => {
    const p = Array.from({ length: 50 }, (_, i) => i + 1);
    const { list } = discrete(`JS([${p}] || [${p}])`);
    assert.deepEqual(ids(list), ['distributions', 'contributions']);
    const contrib = chartById(list, 'contributions');
    assert.ok(contrib.chart.table.rows.every((row) => row[1] === 0));
    assert.match(contrib.chart.description, /Every contribution is 0/);
    for (const c of list) assert.ok(!/NaN|Infinity/.test(c.svg), c.id);
  });

  it('zeros in P: their contribution is exactly 0 (0·log 0 = 0)', () => {
    const { r, list } = discrete('KL([0.5, 0.5, 0] || [0.5, 0.25, 0.25])');
    assert.equal(r.terms!.data[2], 0);
    assert.deepEqual(chartById(list, 'contributions').chart.table.rows[2], ['2', 0]);
  });

  it('N-D input: per-row values first (with their mean), then the elements of the largest row', () => {
    const { r, list } = discrete(PROGRAMS.nd!);
    assert.deepEqual(ids(list), ['rows', 'distributions', 'contributions']);
    const rows = chartById(list, 'rows');
    assert.equal([...bars(rows.svg).values()].flat().length, 3);
    assert.equal(byClass(rows.svg, 'kl-mean').length, 1);
    const values = Array.from(r.rows.data);
    const mean = values.reduce((a, b) => a + b) / values.length;
    assert.deepEqual(rows.chart.table.rows.slice(0, 3).map((row) => row[1]), values);
    assert.equal(rows.chart.table.rows[3]![0], 'mean');
    assert.ok(Math.abs((rows.chart.table.rows[3]![1] as number) - mean) < 1e-15);
    const largest = values.indexOf(Math.max(...values));
    const dist = chartById(list, 'distributions');
    assert.match(dist.chart.title, new RegExp(`row ${largest} \\(largest\\)`));
    assert.deepEqual(
      dist.chart.table.rows.map((row) => row[1]),
      Array.from(r.operands[0]!.tensor!.data.subarray(largest * 2, largest * 2 + 2)),
    );
  });

  it('N-D input with an infinite row: its bar is marked ∞, the mean is ∞, and that row is explained', () => {
    const { r, list } = discrete('KL([[0.5, 0.5], [1, 0], [0.3, 0.7]] || [[0.4, 0.6], [0.5, 0.5], [0, 1]])');
    assert.equal(r.rows.data[2], Infinity);
    const rows = chartById(list, 'rows');
    assert.deepEqual(byClass(rows.svg, 'kl-infinite').map((e) => e.text), ['∞']);
    assert.deepEqual(rows.chart.table.rows[3], ['mean', '∞']);
    assert.ok(texts(rows.svg).includes('mean ∞'));
    assert.match(chartById(list, 'contributions').chart.title, /row 2 \(largest\)/);
  });

  it('without terms (too large to keep): distributions only, selected by |p − q|', () => {
    const { result } = build('KL([0.1, 0.45, 0.3, 0.15] || [0.25, 0.25, 0.25, 0.25])');
    const r = { ...(result as DiscreteResult), terms: undefined };
    assert.deepEqual(ids(charts(r)), ['distributions']);
    const top = charts(r, { topK: 2 });
    assert.deepEqual(ids(top), ['distributions']);
    // |p − q| = 0.15, 0.2, 0.05, 0.1: elements 1 and 0, largest first.
    assert.deepEqual(chartById(top, 'distributions').chart.table.rows.map((row) => row[0]), ['1', '0', 'all other (2)']);
  });

  it('streamed operands (no tensors, no terms): no element charts', () => {
    const { result } = build(PROGRAMS.kl!);
    const r = result as DiscreteResult;
    const streamed: DiscreteResult = { ...r, terms: undefined, operands: r.operands.map(({ tensor: _t, ...o }) => o) };
    assert.deepEqual(charts(streamed), []);
  });
});

describe('charts of MI', () => {
  it('small tables: heatmaps of J and of each cell contribution', () => {
    const { r, list } = discrete(PROGRAMS.mi!);
    assert.deepEqual(ids(list), ['joint', 'contributions']);
    const joint = chartById(list, 'joint');
    assert.equal(byClass(joint.svg, 'kl-cells').flatMap((g) => g.children).length, 6);
    assert.deepEqual(joint.chart.table.columns, ['row', 'column', 'probability']);
    assert.deepEqual(joint.chart.table.rows.map((row) => row[2]), Array.from(r.operands[0]!.tensor!.data));
    const contrib = chartById(list, 'contributions');
    const cells = byClass(contrib.svg, 'kl-cells');
    assert.equal(cells.flatMap((g) => g.children).length, 6);
    const negatives = Array.from(r.terms!.data).filter((t) => t < 0).length;
    assert.equal(cells.find((g) => g.attrs['data-sign'] === 'negative')?.children.length ?? 0, negatives);
    assert.deepEqual(contrib.chart.table.rows.map((row) => row[2]), Array.from(r.terms!.data));
    assert.deepEqual(contrib.chart.table.rows[4]!.slice(0, 2), [1, 1]);
  });

  it('large tables: the top-k cells labelled [row, column], and the cumulative share', () => {
    const side = 30;
    const J = Array.from({ length: side }, (_, a) => Array.from({ length: side }, (_, b) => 1 + ((a * 7 + b * 13) % 17) + (a === b ? 40 : 0)));
    const { r, list } = discrete(`MI(${JSON.stringify(J)})`);
    assert.deepEqual(ids(list), ['contributions', 'cumulative']);
    const contrib = chartById(list, 'contributions');
    assert.equal([...bars(contrib.svg).values()].flat().length, 21);
    const rows = contrib.chart.table.rows;
    assert.equal(rows[20]![0], `all other (${side * side - 20})`);
    for (const row of rows.slice(0, 20)) {
      const [, a, b] = /^\[(\d+), (\d+)\]$/.exec(row[0] as string)!.map(Number) as [number, number, number];
      assert.equal(row[1], r.terms!.data[a * side + b]);
    }
    assert.ok(texts(contrib.svg).includes(rows[0]![0] as string));
  });
});
