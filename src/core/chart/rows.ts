/**
 * Per-row values (N-D input, per-token estimator samples, distillation's per-row KL): bars with
 * the mean as a dashed line, or beyond LINE_THRESHOLD rows a line reduced to each pixel column's
 * minimum and maximum, so 10,000 tokens draw as a few hundred points without hiding a spike.
 */
import { Adder } from 'd3-array';
import { format } from 'd3-format';
import { scaleLinear } from 'd3-scale';
import {
  axisCaption,
  baseline,
  frame,
  HEADER_HEIGHT,
  leftMargin,
  legend,
  linearTicks,
  referenceLine,
  type Ticks,
  xAxis,
  yAxis,
} from './axis';
import { barChart } from './bars';
import type { Context } from './context';
import type { Chart } from './model';
import { el, makeChart, pathData, px, text } from './svg';
import { cell, dataTable, withUnit } from './table';
import { indexString, type Tensor } from '../tensor';

/** Above this many rows the bars become a line. */
export const LINE_THRESHOLD = 200;

export interface RowsSpec {
  readonly values: Tensor;
  /** What one value is: row, token, sample. */
  readonly noun: string;
  /** The quantity, e.g. `KL(P‖Q)` or `β·k1`. */
  readonly quantity: string;
  readonly unit: string | undefined;
  /** The mean to mark when the result carries it (estimators); computed otherwise. */
  readonly mean?: number;
  readonly title?: string;
  readonly id?: string;
}

/** The chart, or undefined for fewer than two values. */
export function rowsChart(spec: RowsSpec, ctx: Context): Chart | undefined {
  const values = spec.values.data;
  const n = values.length;
  if (n < 2) return undefined;
  const mean = spec.mean ?? meanOf(values);
  const u = spec.unit ? ` ${spec.unit}` : '';
  const title = spec.title ?? `${spec.quantity} per ${spec.noun}`;
  const largest = largestRow(values);
  const many = n > LINE_THRESHOLD;
  const description =
    `${n} values of ${spec.quantity}, one per ${spec.noun}${many ? ' (as a line: the lowest and highest value in each pixel column)' : ''}; ` +
    `the dashed line is their mean, ${ctx.fmt(mean)}${u}. The largest is ${spec.noun} ${indexString(largest, spec.values.shape)}: ${ctx.fmt(values[largest]!)}${u}.`;
  const meanLine = { value: mean, label: `mean ${ctx.fmt(mean)}` };
  const column = withUnit(spec.quantity, spec.unit);
  if (!many) {
    const labels = Array.from({ length: n }, (_, i) => indexString(i, spec.values.shape));
    const body = barChart(
      { labels, series: [{ name: spec.quantity, color: ctx.palette.p, values }], signed: true, ownPositive: true, caption: spec.unit ?? '', mean: meanLine },
      ctx,
    ).body;
    const table = dataTable([spec.noun, column], [...labels.map((l, i) => [l, cell(values[i]!)]), ['mean', cell(mean)]]);
    return makeChart(ctx, spec.id ?? 'rows', title, description, body, table);
  }
  const { body, buckets } = lineChart(values, meanLine, spec, ctx);
  const table = dataTable(
    [`${spec.noun}s`, `min ${column}`, `max ${column}`],
    [
      ...buckets.map((b) => {
        const [first, last] = [indexString(b.first, spec.values.shape), indexString(b.last, spec.values.shape)];
        return [first === last ? first : `${first}–${last}`, cell(b.min), cell(b.max)];
      }),
      ['mean', cell(mean), cell(mean)],
    ],
  );
  return makeChart(ctx, spec.id ?? 'rows', title, description, body, table);
}

interface Bucket {
  first: number;
  last: number;
  min: number;
  max: number;
  iMin: number;
  iMax: number;
}

function lineChart(values: Float64Array, mean: { value: number; label: string }, spec: RowsSpec, ctx: Context): { body: string; buckets: Bucket[] } {
  const { palette } = ctx;
  const n = values.length;
  let lo = 0;
  let hi = 0;
  let extreme = false;
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    } else if (v === Infinity) extreme = true;
  }
  if (Number.isFinite(mean.value)) {
    lo = Math.min(lo, mean.value);
    hi = Math.max(hi, mean.value);
  }
  // Infinite values are drawn at the top edge: keep finite ones clear of it.
  if (extreme) hi = hi > 0 ? hi + (hi - lo) * 0.15 : 1;
  const y = scaleLinear().domain(lo === hi ? [0, 1] : [lo, hi]).nice();
  const yTicks = linearTicks(y);
  const f = frame(ctx, { left: leftMargin(yTicks), bottom: 22, top: HEADER_HEIGHT + (extreme ? 12 : 0) });
  y.range([f.bottom, f.top]);
  const x = scaleLinear().domain([0, n - 1]).range([f.left, f.right]);
  const xValues = x.ticks(6).filter(Number.isInteger);
  const xTicks: Ticks = { values: xValues, labels: xValues.map(format('~s')) };

  // One bucket per pixel column.
  const columns = Math.max(1, Math.floor(f.right - f.left));
  const buckets: Bucket[] = [];
  const infinite: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.min(columns - 1, Math.floor((i * columns) / n));
    let b = buckets[buckets.length - 1];
    if (!b || c !== Math.min(columns - 1, Math.floor((b.first * columns) / n))) {
      b = { first: i, last: i, min: NaN, max: NaN, iMin: -1, iMax: -1 };
      buckets.push(b);
    }
    b.last = i;
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (!(v >= b.min)) {
      b.min = v;
      b.iMin = i;
    }
    if (!(v <= b.max)) {
      b.max = v;
      b.iMax = i;
    }
    if (v === Infinity && infinite[infinite.length - 1] !== buckets.length - 1) infinite.push(buckets.length - 1);
  }
  const yOf = (v: number): number => (v === Infinity ? f.top : v === -Infinity ? f.bottom : y(v));
  const points: [number, number][] = [];
  for (const b of buckets) {
    if (b.iMin < 0) continue;
    const [a, c] = b.iMin <= b.iMax ? [b.iMin, b.iMax] : [b.iMax, b.iMin];
    points.push([x(a), yOf(values[a]!)]);
    if (c !== a) points.push([x(c), yOf(values[c]!)]);
  }
  // Runs of columns holding +∞ get one mark each: a tick at the top edge and an ∞ label.
  let marks = '';
  let run = -2;
  for (const bi of infinite) {
    const b = buckets[bi]!;
    const xx = x(b.iMax);
    marks += el('path', { d: `M${px(xx)} ${px(f.top)}v6`, stroke: palette.negative, 'stroke-width': 2 });
    if (bi !== run + 1) marks += text(xx, f.top - 3, '∞', { 'text-anchor': 'middle' });
    run = bi;
  }
  const body =
    axisCaption(spec.unit ?? '', palette) +
    yAxis(y, f, yTicks, palette) +
    xAxis(x, f, xTicks, palette) +
    baseline(y(0), f, palette) +
    el('path', { class: 'kl-line', d: pathData(points), fill: 'none', stroke: palette.p, 'stroke-width': 1.25, 'stroke-linejoin': 'round' }) +
    referenceLine(Number.isFinite(mean.value) ? y(mean.value) : f.top, f, palette) +
    (marks ? el('g', { class: 'kl-marks', fill: palette.foreground }, marks) : '') +
    legend(
      [
        { label: spec.quantity, color: palette.p, mark: 'line' },
        { label: mean.label, color: palette.foreground, mark: 'dash' },
      ],
      f,
      palette,
    );
  return { body, buckets };
}

/** The mean, summed exactly; +∞ when any value is. */
function meanOf(values: Float64Array): number {
  const sum = new Adder();
  for (const v of values) sum.add(v);
  return sum.valueOf() / values.length;
}

/** Index of the largest value (+∞ counts as largest; NaN never wins; first on ties). */
export function largestRow(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}
