/**
 * The cumulative share of a divergence over its elements sorted by contribution: how few elements
 * carry half, and 90%, of it. On large supports a log-scaled rank axis keeps the few elements that
 * matter visible, and the curve is reduced to at most two points per pixel column.
 *
 * Terms can be negative (KL's p·log(p/q) where p < q, MI's cells where j < r·c). A signed running
 * sum then climbs past 100% of the total and falls back as the negative terms come in, which reads
 * as a bug. So the curve is the share of the total absolute contribution Σ|term|, elements sorted
 * by |term| (the order the top-k bars use): it rises monotonically to exactly 100%, and "half of
 * it" is always reached. Without negative terms Σ|term| is the total itself and the chart says so
 * plainly; with them the caption, legend and description name Σ|contribution|.
 */
import { format } from 'd3-format';
import { type ScaleLinear, scaleLinear, scaleLog } from 'd3-scale';
import { axisCaption, baseline, frame, leftMargin, legend, linearTicks, type Ticks, xAxis, yAxis } from './axis';
import type { Context } from './context';
import { total } from './contributions';
import type { Chart } from './model';
import { el, makeChart, pathData, px, text } from './svg';
import { dataTable } from './table';

export interface CumulativeSpec {
  readonly terms: ArrayLike<number>;
  /** What the terms sum to, e.g. `KL(P‖Q)`. */
  readonly quantity: string;
  /** Plural noun for the x axis: elements, cells. */
  readonly noun: string;
  /** Appended to the title (the row shown). */
  readonly suffix?: string;
  /** Unit name for the description, or undefined for unitless measures. */
  readonly unit?: string;
}

const MARKS = [0.5, 0.9] as const;
const percent = format('.0%');

/**
 * The chart, or undefined when a share is meaningless: terms whose absolute values sum to 0
 * (equal distributions), or to ∞ or NaN.
 */
export function cumulativeChart(spec: CumulativeSpec, ctx: Context): Chart | undefined {
  const n = spec.terms.length;
  // Typed-array sort is numeric; reading it backwards gives the largest |contribution| first.
  const sorted = Float64Array.from(spec.terms, Math.abs).sort();
  const absSum = total(sorted);
  if (!(absSum > 0) || !Number.isFinite(absSum)) return undefined;
  const signed = Array.prototype.some.call(spec.terms, (t: number) => t < 0);
  const shares = new Float64Array(n);
  let running = 0;
  for (let r = 0; r < n; r++) {
    running += sorted[n - 1 - r]!;
    // Rounding can put the last partial sums a hair over the exact total: a share is at most 1.
    shares[r] = Math.min(1, running / absSum);
  }
  shares[n - 1] = 1;
  // Elements needed to reach each mark: the first rank whose cumulative share reaches it.
  const needed = MARKS.map((m) => {
    const r = shares.findIndex((s) => s >= m - 1e-12);
    return r < 0 ? n : r + 1;
  });
  const of = signed ? 'Σ|contribution|' : 'the total';

  const { palette } = ctx;
  const y = scaleLinear().domain([0, 1]);
  const yTicks = linearTicks(y, 5, '.0%');
  const left = leftMargin(yTicks);
  const f = frame(ctx, { left, bottom: 34 });
  y.range([f.bottom, f.top]);
  const logX = n > 100;
  const x = logX ? scaleLog().domain([1, n]).range([f.left, f.right]) : scaleLinear().domain([1, Math.max(2, n)]).range([f.left, f.right]);
  const xTicks: Ticks = logX
    ? (() => {
        const values = x.ticks().filter((t) => Number.isInteger(Math.log10(t)));
        return { values, labels: values.map(format('~s')) };
      })()
    : integerTicks(scaleLinear().domain([1, Math.max(2, n)]));

  // Index i is rank i + 1 on the x axis.
  const points = downsample(shares, (i) => x(i + 1), (pixel) => x.invert(pixel) - 1, y, f.left, f.right);
  const curve = el('path', { class: 'kl-curve', d: pathData(points), fill: 'none', stroke: palette.p, 'stroke-width': 2, 'stroke-linejoin': 'round' });
  let marks = '';
  MARKS.forEach((m, i) => {
    const k = needed[i]!;
    const xx = x(k);
    const yy = y(m);
    marks += el('path', {
      d: `M${px(f.left)} ${px(yy)}H${px(xx)}V${px(f.bottom)}`,
      fill: 'none',
      stroke: palette.foreground,
      'stroke-width': 1,
      'stroke-dasharray': '4 3',
    });
    marks += el('circle', { cx: xx, cy: yy, r: 3, fill: palette.foreground });
    const label = `${percent(m)}: ${k} ${k === 1 ? spec.noun.replace(/s$/, '') : spec.noun}`;
    const anchor = xx > (f.left + f.right) / 2 ? 'end' : 'start';
    marks += text(anchor === 'start' ? xx + 6 : xx - 6, yy - 5, label, { 'text-anchor': anchor });
  });
  const body =
    axisCaption(`share of ${of}`, palette) +
    yAxis(y, f, yTicks, palette) +
    xAxis(x, f, xTicks, palette) +
    baseline(y(0), f, palette) +
    curve +
    el('g', { class: 'kl-marks', fill: palette.foreground }, marks) +
    text((f.left + f.right) / 2, f.bottom + 28, `${spec.noun} by ${signed ? '|contribution|' : 'contribution'}, largest first${logX ? ' (log scale)' : ''}`, {
      fill: palette.foreground,
      'text-anchor': 'middle',
    }) +
    legend([{ label: 'cumulative share', color: palette.p, mark: 'line' }], f, palette);

  const [k50, k90] = needed as [number, number];
  const u = spec.unit ? ` ${spec.unit}` : '';
  const carry = `${k50} of ${n} ${spec.noun} (${fraction(k50, n)}) carry half of it, ${k90} (${fraction(k90, n)}) carry 90%.`;
  const description = signed
    ? `The share of the total absolute contribution, Σ|contribution| = ${ctx.fmt(absSum)}${u}, carried by the largest contributions by magnitude: ${carry} ` +
      `Some terms are negative, so Σ|contribution| exceeds ${spec.quantity} = ${ctx.fmt(total(spec.terms))}${u}; a share of the signed total would rise past 100% and fall back.`
    : `The share of ${spec.quantity} carried by the largest contributions: ${carry}`;
  const table = dataTable(
    [`share of ${of}`, spec.noun, 'of'],
    MARKS.map((m, i) => [m, needed[i]!, n]),
  );
  const title = `Cumulative share of ${signed ? `Σ|contribution| to ${spec.quantity}` : spec.quantity}${spec.suffix ?? ''}`;
  return makeChart(ctx, 'cumulative', title, description, body, table);
}

function integerTicks(scale: ScaleLinear<number, number>): Ticks {
  const values = scale.ticks(6).filter(Number.isInteger);
  return { values, labels: values.map(String) };
}

function fraction(k: number, n: number): string {
  const f = k / n;
  return f < 0.001 ? '<0.1%' : format('.2~%')(f);
}

/**
 * At most two points per pixel column, the column's lowest and highest value in the order they
 * occur, so the drawn curve keeps every excursion of the full one. Columns are mapped back to
 * index ranges with the scale's inverse: O(n) comparisons, but only O(width) scale calls.
 */
export function downsample(
  values: Float64Array,
  xOf: (i: number) => number,
  indexAt: (pixel: number) => number,
  y: (v: number) => number,
  left: number,
  right: number,
): [number, number][] {
  const n = values.length;
  const points: [number, number][] = [];
  const columns = Math.max(1, Math.ceil(right - left));
  let start = 0;
  for (let c = 0; c < columns && start < n; c++) {
    const end = c === columns - 1 ? n : Math.min(n, Math.max(start, Math.ceil(indexAt(left + c + 1))));
    if (end === start) continue;
    let iMin = start;
    let iMax = start;
    for (let i = start + 1; i < end; i++) {
      const v = values[i]!;
      if (v < values[iMin]!) iMin = i;
      else if (v > values[iMax]!) iMax = i;
    }
    const a = Math.min(iMin, iMax);
    const b = Math.max(iMin, iMax);
    points.push([xOf(a), y(values[a]!)]);
    if (b !== a && Math.abs(y(values[b]!) - y(values[a]!)) >= 0.5) points.push([xOf(b), y(values[b]!)]);
    start = end;
  }
  return points;
}
