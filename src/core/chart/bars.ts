/**
 * Bar charts over categories: one series (optionally coloured by sign) or several side by side.
 * Infinite values are drawn to the edge of the plot and labelled ∞ rather than dropped or clipped
 * silently, since an infinite term is usually the most important thing on the chart.
 */
import { scaleBand, scaleLinear } from 'd3-scale';
import {
  axisCaption,
  bandLabels,
  baseline,
  frame,
  HEADER_HEIGHT,
  labelLayout,
  leftMargin,
  legend,
  type LegendItem,
  linearTicks,
  referenceLine,
  yAxis,
} from './axis';
import type { Context } from './context';
import { el, text } from './svg';

export interface BarSeries {
  readonly name: string;
  readonly color: string;
  readonly values: ArrayLike<number>;
}

export interface BarSpec {
  readonly labels: readonly string[];
  readonly series: readonly BarSeries[];
  /** Colour each bar of the (single) series by its sign: the series' colour (or the positive one) and the negative one. */
  readonly signed?: boolean;
  /** With `signed`: use the series' colour for values ≥ 0 instead of the positive colour. */
  readonly ownPositive?: boolean;
  /** What the y axis measures (a unit), written above it. */
  readonly caption?: string;
  /** A dashed reference line, e.g. the mean of per-row values. */
  readonly mean?: { readonly value: number; readonly label: string };
  /** A category drawn lighter: the "all other" bar, which sums many elements. */
  readonly muted?: number;
  readonly legend?: readonly LegendItem[];
}

/** The body (everything inside <svg>) of a bar chart. */
export function barChart(spec: BarSpec, ctx: Context): string {
  const { palette } = ctx;
  const n = spec.labels.length;
  let lo = 0;
  let hi = 0;
  let extreme = false;
  let negativeExtreme = false;
  for (const s of spec.series) {
    for (let i = 0; i < n; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      } else if (v === Infinity) extreme = true;
      else if (v === -Infinity) negativeExtreme = true;
    }
  }
  if (spec.mean && Number.isFinite(spec.mean.value)) {
    lo = Math.min(lo, spec.mean.value);
    hi = Math.max(hi, spec.mean.value);
  }
  // An infinite bar reaches the plot's edge: leave headroom so it stands out from every finite bar.
  if (extreme) hi = hi > 0 ? hi + (hi - lo) * 0.15 : lo < 0 ? -lo / 2 : 1;
  if (negativeExtreme) lo = lo < 0 ? lo - (hi - lo) * 0.15 : hi > 0 ? -hi / 2 : -1;
  // All zero (equal distributions): an empty axis from 0 to 1 rather than a degenerate one.
  const y = scaleLinear().domain(lo === hi ? [0, 1] : [lo, hi]).nice();
  const ticks = linearTicks(y);
  const left = leftMargin(ticks);
  const layout = labelLayout(spec.labels, ctx.width - left - 12);
  const f = frame(ctx, { left, bottom: layout.height, top: HEADER_HEIGHT + (extreme ? 12 : 0) });
  y.range([f.bottom, f.top]);
  const x = scaleBand<number>()
    .domain(Array.from({ length: n }, (_, i) => i))
    .range([f.left, f.right])
    .paddingInner(n > 60 ? 0.1 : 0.2)
    .paddingOuter(0.1);
  const inner = scaleBand<number>()
    .domain(spec.series.map((_, i) => i))
    .range([0, x.bandwidth()])
    .paddingInner(spec.series.length > 1 ? 0.08 : 0);
  const zero = y(0);
  const marks: string[] = [];
  const groups = spec.series.map((s, si) => {
    const colors = spec.signed ? [spec.ownPositive ? s.color : palette.positive, palette.negative] : [s.color, s.color];
    const bars = ['', ''];
    for (let i = 0; i < n; i++) {
      const v = s.values[i]!;
      const bx = x(i)! + inner(si)!;
      const cx = bx + inner.bandwidth() / 2;
      if (Number.isNaN(v)) {
        marks.push(text(cx, zero - 3, 'NaN'));
        continue;
      }
      const top = v === Infinity ? f.top : v === -Infinity ? f.bottom : y(v);
      const infinite = !Number.isFinite(v);
      if (v === Infinity) marks.push(text(cx, f.top - 3, '∞', { class: 'kl-infinite', 'font-size': 14 }));
      if (v === -Infinity) marks.push(text(cx, f.bottom - 4, '−∞', { class: 'kl-infinite', 'font-size': 14 }));
      const side = spec.signed && v < 0 ? 1 : 0;
      // Infinite bars are outlined with a dashed stroke: their height is the plot's, not their value.
      bars[side] += el('rect', {
        x: bx,
        y: Math.min(top, zero),
        width: inner.bandwidth(),
        height: Math.abs(top - zero),
        'fill-opacity': i === spec.muted ? 0.45 : infinite ? 0.6 : undefined,
        stroke: infinite ? palette.foreground : undefined,
        'stroke-dasharray': infinite ? '3 2' : undefined,
      });
    }
    return bars
      .map((b, k) => (b ? el('g', { class: 'kl-bars', 'data-series': s.name, 'data-sign': spec.signed ? (k === 1 ? 'negative' : 'positive') : undefined, fill: colors[k] }, b) : ''))
      .join('');
  });
  const centers = Array.from({ length: n }, (_, i) => x(i)! + x.bandwidth() / 2);
  return (
    axisCaption(spec.caption ?? '', palette) +
    yAxis(y, f, ticks, palette) +
    groups.join('') +
    baseline(zero, f, palette) +
    (spec.mean ? referenceLine(Number.isFinite(spec.mean.value) ? y(spec.mean.value) : f.top, f, palette) : '') +
    (marks.length > 0 ? el('g', { class: 'kl-marks', fill: palette.foreground, 'text-anchor': 'middle' }, marks.join('')) : '') +
    bandLabels(spec.labels, centers, f, layout, palette) +
    legend([...(spec.legend ?? []), ...(spec.mean ? [{ label: spec.mean.label, color: palette.foreground, mark: 'dash' as const }] : [])], f, palette)
  );
}
