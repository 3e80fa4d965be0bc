/**
 * Properties that keep charts readable, checked on the geometry of the SVG rather than on stored
 * snapshots: top-k bars on their own scale with "all other" drawn apart, ellipses with equal units,
 * a cumulative share that never passes 100%, and labels that stay legible on coloured cells.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaleLinear } from 'd3-scale';
import { linearTicks, stepTicks } from '../../../../src/core/chart/axis';
import { restDomain } from '../../../../src/core/chart/bars';
import { charts } from '../../../../src/core/chart/index';
import type { DiscreteResult } from '../../../../src/core/index';
import { build, chartById, type Built } from './fixtures';
import { byClass, byTag, texts, type Element } from './xml';

/** The report's 2000-element softmax pair: the top 20 hold ~4% of the mass, "all other" ~96%. */
const LARGE = `x = [${Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 250).join(',')}]\nKL(softmax(x) || softmax(x / 2))`;

function num(s: string): number {
  return Number(s.replace('−', '-').replace('%', 'e-2'));
}

interface Axis {
  /** Tick values, from the labels. */
  readonly values: number[];
  /** Pixel positions of the grid lines, in the same order. */
  readonly positions: number[];
  /** The grid lines' other coordinates: [left, right] for y, [top, bottom] for x. */
  readonly span: [number, number];
}

/** The axis whose labels are anchored `anchor` ('end': y axis, 'middle': x axis) and its grid path just before them. */
function axis(svg: Element, anchor: 'end' | 'middle'): Axis {
  const kids = svg.children;
  const i = kids.findIndex((e, k) => e.tag === 'g' && e.attrs['text-anchor'] === anchor && kids[k - 1]?.tag === 'path' && byTag(e, 'text').length > 0);
  assert.ok(i > 0, `no ${anchor} axis`);
  const d = kids[i - 1]!.attrs.d!;
  const values = byTag(kids[i]!, 'text').map((t) => num(t.text));
  if (anchor === 'end') {
    const lines = [...d.matchAll(/M(-?[\d.]+) (-?[\d.]+)H(-?[\d.]+)/g)].map((m) => m.slice(1).map(Number) as [number, number, number]);
    return { values, positions: lines.map((l) => l[1]), span: [lines[0]![0], lines[0]![2]] };
  }
  const lines = [...d.matchAll(/M(-?[\d.]+) (-?[\d.]+)V(-?[\d.]+)/g)].map((m) => m.slice(1).map(Number) as [number, number, number]);
  return { values, positions: lines.map((l) => l[0]), span: [lines[0]![1], lines[0]![2]] };
}

/** Pixels per unit of an axis, from its first and last tick. */
function pixelsPerUnit(a: Axis): number {
  const last = a.values.length - 1;
  return Math.abs((a.positions[last]! - a.positions[0]!) / (a.values[last]! - a.values[0]!));
}

function rects(g: readonly Element[]): Element[] {
  return g.flatMap((e) => e.children.filter((c) => c.tag === 'rect'));
}

/** The y of the zero line. */
function zeroLine(svg: Element): number {
  return Number(/^M[\d.]+ (-?[\d.]+)H/.exec(byClass(svg, 'kl-zero')[0]!.attrs.d!)![1]);
}

describe('top-k bars: "all other" apart, beyond an axis break', () => {
  const { result, charts: list } = build(LARGE);
  const r = result as DiscreteResult;

  for (const id of ['distributions', 'contributions']) {
    it(`${id}: the top-k bars fill the plot; the summed bar is cut with a break mark and its value printed`, () => {
      const c = chartById(list, id);
      const shown = rects(byClass(c.svg, 'kl-bars').filter((g) => !byClass(g, 'kl-rest').includes(g)));
      const rest = rects(byClass(c.svg, 'kl-rest'));
      assert.equal(shown.length, id === 'distributions' ? 40 : 20);
      assert.equal(rest.length, id === 'distributions' ? 2 : 1);
      // The cut bars reach from the zero line to the plot's top: the full height of the positive side.
      const zero = zeroLine(c.svg);
      for (const b of rest) {
        assert.equal(b.attrs['data-clipped'], 'true');
        assert.ok(Math.abs(Number(b.attrs.y) + Number(b.attrs.height) - zero) < 0.02);
      }
      const plot = Number(rest[0]!.attrs.height);
      const tallest = Math.max(...shown.map((b) => Number(b.attrs.height)));
      assert.ok(tallest >= 0.6 * plot, `tallest top-k bar ${tallest}px of ${plot}px`);
      // The axis is scaled to the top-k bars: its top tick is within a factor 1.5 of the largest.
      const rows = c.chart.table.rows;
      const largest = Math.max(...rows.slice(0, 20).flatMap((row) => row.slice(1) as number[]));
      const y = axis(c.svg, 'end');
      assert.ok(Math.max(...y.values) <= 1.5 * largest, `top tick ${Math.max(...y.values)} for bars up to ${largest}`);
      // One break mark per cut bar, the divider between the areas, and every rest bar right of it.
      assert.equal(byClass(c.svg, 'kl-break').length, 1);
      const divider = Number(/^M(-?[\d.]+) /.exec(byClass(c.svg, 'kl-axis-break')[0]!.children[0]!.attrs.d!)![1]);
      for (const b of shown) assert.ok(Number(b.attrs.x) + Number(b.attrs.width) < divider);
      for (const b of rest) assert.ok(Number(b.attrs.x) > divider);
      // The sum is printed on the chart (to 4 significant digits) and exact in the table.
      const last = rows[rows.length - 1]!;
      assert.equal(last[0], 'all other (1980)');
      const printed = texts(byClass(c.svg, 'kl-rest-values')[0]!);
      const values = last.slice(1) as number[];
      assert.equal(printed.length, values.length);
      values.forEach((v, i) => assert.ok(printed[i]!.endsWith(String(+v.toPrecision(4))), `${printed[i]} for ${v}`));
      assert.ok(texts(c.svg).includes('all other (1980)'));
      assert.match(c.chart.description, /stands apart beyond an axis break, cut at the edge/);
    });
  }

  it('distributions: the printed values name their series', () => {
    const printed = texts(byClass(chartById(list, 'distributions').svg, 'kl-rest-values')[0]!);
    assert.deepEqual(printed.map((t) => t.split(' ')[0]), [r.operands[0]!.role, r.operands[1]!.role]);
  });

  it('a summed bar within reach of the others stays on the scale: not cut, no break mark', () => {
    const list2 = charts(build('KL([0.3, 0.3, 0.2, 0.2] || [0.25, 0.25, 0.25, 0.25])').result, { topK: 3 });
    const c = chartById(list2, 'distributions');
    const rest = rects(byClass(c.svg, 'kl-rest'));
    assert.equal(rest.length, 2);
    for (const b of rest) assert.equal(b.attrs['data-clipped'], undefined);
    assert.equal(byClass(c.svg, 'kl-break').length, 0);
    assert.match(c.chart.description, /stands apart beyond an axis break, with its value printed/);
  });

  it('a negative sum beside positive bars hangs below zero, on room made for it', () => {
    // One large positive term; the other five are negative and sum to about −0.29.
    const list2 = charts(build('KL([0.5, 0.1, 0.1, 0.1, 0.1, 0.1] || [0.1, 0.18, 0.18, 0.18, 0.18, 0.18])').result, { topK: 1 });
    const c = chartById(list2, 'contributions');
    const [rest] = rects(byClass(c.svg, 'kl-rest'));
    assert.ok(Number(rest!.attrs.height) > 10);
    assert.ok(Math.abs(Number(rest!.attrs.y) - zeroLine(c.svg)) < 0.02, 'hangs from the zero line');
    assert.equal(rest!.attrs.fill, 'var(--vscode-charts-red, #f14c4c)');
  });

  it('restDomain: widens for a near sum, leaves a far one out, makes room for a missing sign', () => {
    assert.deepEqual(restDomain(0, 0.002, [0.96]), [0, 0.002]);
    assert.deepEqual(restDomain(0, 0.002, [0.0025]), [0, 0.0025]);
    assert.deepEqual(restDomain(0, 1, [-5]), [-0.5, 1]);
    assert.deepEqual(restDomain(-1, 0, [3]), [-1, 0.5]);
    assert.deepEqual(restDomain(0, 1, [NaN]), [0, 1]);
  });
});

describe('ellipses: equal units on both axes', () => {
  const cases = {
    'the report’s pair (wide)': 'KL(N([0, 0], [[1, 0.6], [0.6, 1]]) || N([1, -0.5], [[2, 0], [0, 0.5]]))',
    'correlated and anti-correlated': 'KL(N([0, 0], [[1, 0.8], [0.8, 1]]) || N([1, 0], [[1, -0.3], [-0.3, 0.5]]))',
    tall: 'KL(N([0, 0], [[0.2, 0], [0, 9]]) || N([0, 1], [[0.1, 0.05], [0.05, 4]]))',
    'marginal of 3-D': 'KL(N([0, 0, 0], [[1, 0.2, 0], [0.2, 1, 0], [0, 0, 1]]) || N(0, 1))',
  };
  for (const [name, program] of Object.entries(cases)) {
    it(`${name}: same pixels per unit within 1%, square grid, both 2σ ellipses inside and centred`, () => {
      const c: Built = chartById(build(program).charts, 'ellipses');
      const x = axis(c.svg, 'middle');
      const y = axis(c.svg, 'end');
      const [px, py] = [pixelsPerUnit(x), pixelsPerUnit(y)];
      assert.ok(Math.abs(px / py - 1) < 0.01, `${px} vs ${py} px per unit`);
      assert.equal(x.values[1]! - x.values[0]!, y.values[1]! - y.values[0]!, 'one tick step on both axes');
      assert.ok(x.values.length >= 2 && y.values.length >= 2);
      // The plot: the y grid spans left..right, the x grid top..bottom.
      const [left, right] = y.span;
      const [top, bottom] = x.span;
      const points = byClass(c.svg, 'kl-ellipse')
        .filter((e) => e.attrs['data-sigma'] === '2')
        .flatMap((e) => [...e.attrs.d!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const));
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      assert.ok(x0 >= left && x1 <= right && y0 >= top && y1 <= bottom, 'inside the plot');
      // The ellipses fill the limiting direction (up to the padding) and sit in the middle of the other.
      assert.ok((x1 - x0) / (right - left) > 0.8 || (y1 - y0) / (bottom - top) > 0.8, 'fills one direction');
      assert.ok(Math.abs((x0 + x1) / 2 - (left + right) / 2) < 2, 'centred across');
      assert.ok(Math.abs((y0 + y1) / 2 - (top + bottom) / 2) < 2, 'centred up and down');
    });
  }

  it('a circle is drawn round: its 1σ outline is as wide as it is tall', () => {
    const c = chartById(build('KL(N([0, 0], [[1, 0], [0, 1]]) || N([3, 0], [[4, 0], [0, 0.25]]))').charts, 'ellipses');
    const circle = byClass(c.svg, 'kl-ellipse')[0]!;
    const pts = [...circle.attrs.d!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const w = Math.max(...pts.map((p) => p[0]!)) - Math.min(...pts.map((p) => p[0]!));
    const h = Math.max(...pts.map((p) => p[1]!)) - Math.min(...pts.map((p) => p[1]!));
    assert.ok(Math.abs(w / h - 1) < 0.01, `${w} × ${h}`);
  });
});

describe('cumulative share of Σ|contribution|', () => {
  it('signed terms: never above 100%, rising monotonically to exactly 100%, and described as Σ|contribution|', () => {
    const { result, charts: list } = build(LARGE);
    const terms = (result as DiscreteResult).terms!.data;
    assert.ok(terms.some((t) => t < 0), 'the example has negative terms');
    const c = chartById(list, 'cumulative');
    const y = axis(c.svg, 'end');
    assert.equal(Math.max(...y.values), 1, 'the axis ends at 100%');
    const full = y.positions[y.values.indexOf(1)]!;
    const pts = [...byClass(c.svg, 'kl-curve')[0]!.attrs.d!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => Number(m[2]));
    for (const p of pts) assert.ok(p >= full - 0.01, `point at y ${p} above the 100% line at ${full}`);
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i]! <= pts[i - 1]! + 0.01, 'the share never falls');
    assert.ok(Math.abs(pts[pts.length - 1]! - full) < 0.6, 'ends at 100% (within the half pixel the downsampling may drop)');
    assert.match(c.chart.title, /Σ\|contribution\|/);
    assert.match(c.chart.description, /total absolute contribution, Σ\|contribution\| = /);
    assert.match(c.chart.description, /Some terms are negative/);
    assert.ok(texts(c.svg).includes('share of Σ|contribution|'));
    assert.equal(c.chart.table.columns[0], 'share of Σ|contribution|');
    // The marks agree with a direct count over |terms|.
    const sorted = Array.from(terms, Math.abs).sort((a, b) => b - a);
    const sum = sorted.reduce((a, b) => a + b);
    let run = 0;
    const half = sorted.findIndex((t) => (run += t) / sum >= 0.5) + 1;
    assert.equal(c.chart.table.rows[0]![1], half);
  });

  it('non-negative terms: Σ|contribution| is the total, and the chart says "the total"', () => {
    const p = Array.from({ length: 40 }, (_, i) => 1 + (i % 7));
    const q = Array.from({ length: 40 }, (_, i) => 1 + (i % 5));
    const c = chartById(build(`TV([${p}] || [${q}])`).charts, 'cumulative');
    assert.ok(texts(c.svg).includes('share of the total'));
    assert.doesNotMatch(c.chart.description, /Σ\|/);
  });
});

describe('small readability fixes', () => {
  it('an infinite bar is at least as tall as the largest bar on the other side of zero', () => {
    const c = chartById(build('KL([0.5, 0.25, 0.25] || [0.5, 0.5, 0], base=2)').charts, 'contributions');
    const bars = rects(byClass(c.svg, 'kl-bars'));
    const inf = bars.find((b) => b.attrs['stroke-dasharray'])!;
    const others = bars.filter((b) => b !== inf).map((b) => Number(b.attrs.height));
    assert.ok(Number(inf.attrs.height) >= Math.max(...others));
  });

  it('tick labels differ even where d3 would round two to the same text', () => {
    const { labels } = linearTicks(scaleLinear().domain([0, 0.0011492]).nice());
    assert.equal(new Set(labels).size, labels.length, labels.join(' '));
    assert.equal(labels[labels.length - 1], '0.0012');
  });

  it('stepTicks: multiples of the step, labelled with the decimals it needs', () => {
    assert.deepEqual(stepTicks([-2.3, 2.3], 1).labels, ['−2', '−1', '0', '1', '2']);
    assert.deepEqual(stepTicks([0, 0.35], 0.1).labels, ['0', '0.1', '0.2', '0.3']);
  });

  it('heatmap values sit on plates of the surface colour (readable on any cell), none without one', () => {
    const { result, charts: list } = build('MI([[10, 2], [3, 15]])');
    for (const id of ['joint', 'contributions']) {
      const svg = chartById(list, id).svg;
      const plates = byClass(svg, 'kl-value-plates');
      assert.equal(plates.length, 1);
      assert.equal(plates[0]!.attrs.fill, 'var(--vscode-editor-background, #1e1e1e)');
      assert.equal(plates[0]!.children.length, byTag(byClass(svg, 'kl-values')[0]!, 'text').length);
    }
    const resolved = { p: '#0066cc', q: '#cc6600', positive: '#228833', negative: '#cc2222', foreground: '#202020', lines: '#999999' };
    for (const c of charts(result, { colors: resolved })) assert.ok(!c.svg.includes('kl-value-plates'), c.id);
    for (const c of charts(result, { colors: { ...resolved, background: '#1e1e1e' } })) assert.ok(c.svg.includes('kl-value-plates'), c.id);
  });

  it('one element carrying more than the total says why', () => {
    const c = chartById(build('KL([12, 30, 5, 3, 50] || [20, 20, 20, 20, 20])').charts, 'contributions');
    assert.match(c.chart.description, /\d{3}% of the total: negative terms cancel part of it/);
  });
});
