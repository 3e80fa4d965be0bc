/**
 * Bar charts over categories: one series (optionally coloured by sign) or several side by side.
 * Infinite values are drawn to the edge of the plot and labelled ∞ rather than dropped or clipped
 * silently, since an infinite term is usually the most important thing on the chart.
 *
 * Top-k charts end with an "all other" bar summing thousands of elements, often 50 times the
 * largest shown bar: on a shared scale it would flatten every bar worth reading. It is drawn
 * apart instead, beyond an axis break, on the same scale but cut at the plot's edge (with a break
 * mark) when it does not fit, and its exact value is printed above it.
 */
import { type ScaleLinear, scaleBand, scaleLinear } from 'd3-scale';
import {
  axisCaption,
  bandLabels,
  baseline,
  frame,
  type Frame,
  HEADER_HEIGHT,
  type LabelLayout,
  labelLayout,
  leftMargin,
  legend,
  type LegendItem,
  linearTicks,
  referenceLine,
  textWidth,
  yAxis,
} from './axis';
import type { Context } from './context';
import { el, px, text } from './svg';
import type { Palette } from './theme';

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
  /**
   * The last category is the "all other" bar, which sums many elements: it is drawn apart, beyond
   * an axis break, and left out of the y scale (see `restDomain`), with its values printed.
   */
  readonly rest?: boolean;
  readonly legend?: readonly LegendItem[];
}

export interface BarChart {
  /** Everything inside <svg>. */
  readonly body: string;
  /** Some "all other" bar is beyond the scale of the others and cut at the plot's edge. */
  readonly clipped: boolean;
}

/** The sentence a description adds about the "all other" bar drawn apart. */
export function restNote(clipped: boolean): string {
  return clipped
    ? ' The summed bar stands apart beyond an axis break, cut at the edge because it is off the scale of the others; its value is printed above it.'
    : ' The summed bar stands apart beyond an axis break, with its value printed above it.';
}

/** Gap between the bars and the "all other" bars: the axis break. */
const BREAK_GAP = 16;
/** Line height of the printed "all other" values above the plot. */
const VALUE_LINE = 13;
/**
 * An "all other" value enters the y scale when that at most multiplies the shown bars' extent by
 * this: the shown bars then keep most of the height, and a bar barely over them is not cut.
 */
const REST_FITS = 1.5;

/** The body of a bar chart and whether an "all other" bar is cut. */
export function barChart(spec: BarSpec, ctx: Context): BarChart {
  const { palette } = ctx;
  const n = spec.labels.length;
  // Index of the "all other" category, drawn apart; -1 without one.
  const ri = spec.rest && n > 1 ? n - 1 : -1;
  const shown = ri < 0 ? n : n - 1;
  let lo = 0;
  let hi = 0;
  let extreme = false;
  let negativeExtreme = false;
  for (const s of spec.series) {
    for (let i = 0; i < shown; i++) {
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
  // An infinite bar reaches the plot's edge: leave headroom so it stands out from every finite bar
  // (at least as tall as the tallest bar on the other side of zero).
  if (extreme) hi = hi > 0 ? hi + (hi - lo) * 0.15 : lo < 0 ? -lo * 1.15 : 1;
  if (negativeExtreme) lo = lo < 0 ? lo - (hi - lo) * 0.15 : hi > 0 ? -hi * 1.15 : -1;
  const restValues = ri < 0 ? [] : spec.series.map((s) => s.values[ri]!);
  [lo, hi] = restDomain(lo, hi, restValues);
  // All zero (equal distributions): an empty axis from 0 to 1 rather than a degenerate one.
  const y = scaleLinear().domain(lo === hi ? [0, 1] : [lo, hi]).nice();
  const ticks = linearTicks(y);
  const left = leftMargin(ticks);
  const plotWidth = ctx.width - left - 12;

  // The "all other" area at the right: wide enough for its printed values and, unrotated, its
  // label (rotated, that label alone would take a third of the height), at most a quarter.
  const valueLabels = restValues.map((v, si) => (spec.series.length > 1 ? `${spec.series[si]!.name} ${ctx.fmt(v)}` : ctx.fmt(v)));
  const restWidth =
    ri < 0
      ? 0
      : Math.min(plotWidth / 4, Math.max(44, spec.series.length * 16 + 12, textWidth(spec.labels[ri]!) + 6, ...valueLabels.map((l) => textWidth(l) + 8)));
  const mainWidth = ri < 0 ? plotWidth : plotWidth - restWidth - BREAK_GAP;
  const mainLabels = spec.labels.slice(0, shown);
  const layout = labelLayout(mainLabels, mainWidth);
  const restLayout: LabelLayout | undefined =
    ri < 0
      ? undefined
      : textWidth(spec.labels[ri]!) + 4 > restWidth
        ? { step: 1, rotate: true, height: 14 + textWidth(spec.labels[ri]!) * Math.SQRT1_2 }
        : { step: 1, rotate: false, height: 20 };
  const top = HEADER_HEIGHT + Math.max(extreme ? 12 : 0, ri < 0 ? 0 : spec.series.length * VALUE_LINE + 2);
  const f = frame(ctx, { left, bottom: Math.max(layout.height, restLayout?.height ?? 0), top });
  y.range([f.bottom, f.top]);
  const mainRight = ri < 0 ? f.right : f.right - restWidth - BREAK_GAP;
  const x = scaleBand<number>()
    .domain(Array.from({ length: shown }, (_, i) => i))
    .range([f.left, mainRight])
    .paddingInner(shown > 60 ? 0.1 : 0.2)
    .paddingOuter(0.1);
  const inner = scaleBand<number>()
    .domain(spec.series.map((_, i) => i))
    .range([0, x.bandwidth()])
    .paddingInner(spec.series.length > 1 ? 0.08 : 0);
  const zero = y(0);
  const marks: string[] = [];
  const colorsOf = (s: BarSeries): [string, string] =>
    spec.signed ? [spec.ownPositive ? s.color : palette.positive, palette.negative] : [s.color, s.color];
  const groups = spec.series.map((s, si) => {
    const colors = colorsOf(s);
    const bars = ['', ''];
    for (let i = 0; i < shown; i++) {
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
        'fill-opacity': infinite ? 0.6 : undefined,
        stroke: infinite ? palette.foreground : undefined,
        'stroke-dasharray': infinite ? '3 2' : undefined,
      });
    }
    return bars
      .map((b, k) => (b ? el('g', { class: 'kl-bars', 'data-series': s.name, 'data-sign': spec.signed ? (k === 1 ? 'negative' : 'positive') : undefined, fill: colors[k] }, b) : ''))
      .join('');
  });
  const centers = Array.from({ length: shown }, (_, i) => x(i)! + x.bandwidth() / 2);
  const grid: Frame = { ...f, right: mainRight };
  const rest =
    ri < 0
      ? { body: '', clipped: false }
      : restBars(spec, restValues, valueLabels, { left: f.right - restWidth, right: f.right, barWidth: inner.bandwidth() }, y, f, ctx, colorsOf);
  const body =
    axisCaption(spec.caption ?? '', palette) +
    yAxis(y, grid, ticks, palette) +
    groups.join('') +
    rest.body +
    baseline(zero, f, palette) +
    (ri < 0 ? '' : axisBreak(mainRight + BREAK_GAP / 2, zero, f, palette)) +
    (spec.mean ? referenceLine(Number.isFinite(spec.mean.value) ? y(spec.mean.value) : f.top, grid, palette) : '') +
    (marks.length > 0 ? el('g', { class: 'kl-marks', fill: palette.foreground, 'text-anchor': 'middle' }, marks.join('')) : '') +
    bandLabels(mainLabels, centers, f, layout, palette) +
    (restLayout ? bandLabels([spec.labels[ri]!], [f.right - restWidth / 2], f, restLayout, palette) : '') +
    legend([...(spec.legend ?? []), ...(spec.mean ? [{ label: spec.mean.label, color: palette.foreground, mark: 'dash' as const }] : [])], f, palette);
  return { body, clipped: rest.clipped };
}

/**
 * The y domain [lo, hi] of the shown bars widened for the "all other" values where that keeps the
 * shown bars readable (within REST_FITS of their extent); beyond, those bars are cut at the edge.
 * A side the shown bars do not reach at all gets some room, so a cut bar still shows its sign.
 */
export function restDomain(lo: number, hi: number, rest: readonly number[]): [number, number] {
  let [a, b] = [lo, hi];
  for (const v of rest) {
    if (!Number.isFinite(v)) continue;
    if (v > b && v <= hi * REST_FITS) b = v;
    if (v < a && v >= lo * REST_FITS) a = v;
  }
  for (const v of rest) {
    if (v > b && b === 0) b = a < 0 ? -a / 2 : 1;
    if (v < a && a === 0) a = b > 0 ? -b / 2 : -1;
  }
  return [a, b];
}

/**
 * The "all other" bars in their own area right of the break, each series' value printed above the
 * plot. A bar beyond the scale is drawn to the plot's edge with a break mark across it.
 */
function restBars(
  spec: BarSpec,
  values: readonly number[],
  labels: readonly string[],
  area: { left: number; right: number; barWidth: number },
  y: ScaleLinear<number, number>,
  f: Frame,
  ctx: Context,
  colorsOf: (s: BarSeries) => [string, string],
): BarChart {
  const { palette } = ctx;
  const count = values.length;
  const gap = 2;
  const width = Math.max(8, Math.min(area.barWidth, (area.right - area.left - 8 - gap * (count - 1)) / count));
  const start = (area.left + area.right) / 2 - (count * width + (count - 1) * gap) / 2;
  const [lo, hi] = y.domain() as [number, number];
  const zero = y(0);
  let bars = '';
  let breaks = '';
  let printed = '';
  let clipped = false;
  values.forEach((v, si) => {
    const s = spec.series[si]!;
    const bx = start + si * (width + gap);
    // The values are printed above the plot, one line per series, the last one nearest the plot.
    printed += text((area.left + area.right) / 2, f.top - 4 - (count - 1 - si) * VALUE_LINE, labels[si]!);
    if (Number.isNaN(v)) return;
    const over = v > hi;
    const under = v < lo;
    const end = over ? f.top : under ? f.bottom : y(v);
    const infinite = !Number.isFinite(v);
    const [positive, negative] = colorsOf(s);
    bars += el('rect', {
      'data-series': s.name,
      'data-clipped': over || under ? 'true' : undefined,
      x: bx,
      y: Math.min(end, zero),
      width,
      height: Math.abs(end - zero),
      fill: spec.signed && v < 0 ? negative : positive,
      'fill-opacity': 0.45,
      stroke: infinite ? palette.foreground : undefined,
      'stroke-dasharray': infinite ? '3 2' : undefined,
    });
    if (over || under) {
      clipped = true;
      breaks += breakMark(bx, width, over ? f.top + 12 : f.bottom - 12, palette);
    }
  });
  const body =
    el('g', { class: 'kl-bars kl-rest' }, bars) +
    (breaks ? el('g', { class: 'kl-break' }, breaks) : '') +
    el('g', { class: 'kl-rest-values', fill: palette.foreground, 'text-anchor': 'middle' }, printed);
  return { body, clipped };
}

/** Two slanted lines across a bar at `yy`, with the surface showing between them: "cut here". */
function breakMark(bx: number, width: number, yy: number, palette: Palette): string {
  const [x0, x1] = [bx - 3, bx + width + 3];
  const rise = Math.min(6, width / 2);
  const cut = palette.surface
    ? el('path', { d: `M${px(x0)} ${px(yy + rise / 2)}L${px(x1)} ${px(yy - rise / 2)}`, stroke: palette.surface, 'stroke-width': 4 })
    : '';
  const lines = el('path', {
    d: `M${px(x0)} ${px(yy + rise / 2 + 3)}L${px(x1)} ${px(yy - rise / 2 + 3)}M${px(x0)} ${px(yy + rise / 2 - 3)}L${px(x1)} ${px(yy - rise / 2 - 3)}`,
    stroke: palette.foreground,
    'stroke-width': 1,
    fill: 'none',
  });
  return cut + lines;
}

/** The axis break between the shown bars and the "all other" ones: a faint divider, and // on the zero line. */
function axisBreak(xx: number, zero: number, f: Frame, palette: Palette): string {
  return el(
    'g',
    { class: 'kl-axis-break', fill: 'none' },
    el('path', { d: `M${px(xx)} ${px(f.top)}V${px(f.bottom)}`, stroke: palette.lines, 'stroke-width': 1, 'stroke-dasharray': '2 3' }) +
      (palette.surface ? el('path', { d: `M${px(xx - 2)} ${px(zero)}h4`, stroke: palette.surface, 'stroke-width': 3 }) : '') +
      el('path', { d: `M${px(xx - 5)} ${px(zero + 4)}l4 -8M${px(xx + 1)} ${px(zero + 4)}l4 -8`, stroke: palette.foreground, 'stroke-width': 1 }),
  );
}
