/**
 * Gaussian results: the two densities overlaid in 1-D; 1σ and 2σ ellipses (from the eigen-
 * decomposition of each 2×2 covariance) in 2-D. For k > 2 dimensions: per-dimension bars when the
 * result has them (diagonal covariances), and the ellipses of the marginal over dimensions 0 and
 * 1, which for a Gaussian is exact (the 2×2 block of the covariance).
 */
import { tickStep } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { expand, covarianceMatrix, type Gaussian } from '../gaussian/gaussian';
import type { GaussianResult } from '../result';
import { axisCaption, baseline, frame, leftMargin, legend, type LegendItem, linearTicks, stepTicks, xAxis, yAxis } from './axis';
import type { Context } from './context';
import { contributionsChart, total } from './contributions';
import type { Chart } from './model';
import { selectTop } from './select';
import { el, makeChart, pathData, px } from './svg';
import { cell, dataTable } from './table';

interface Named {
  readonly name: string;
  readonly g: Gaussian;
  readonly color: string;
}

/** Charts for a GaussianResult. */
export function gaussianCharts(r: GaussianResult, ctx: Context): Chart[] {
  const k = Math.max(r.p.mean.length, r.q?.mean.length ?? 0);
  const named: Named[] = [{ name: 'P', g: expand(r.p, k), color: ctx.palette.p }];
  if (r.q) named.push({ name: 'Q', g: expand(r.q, k), color: ctx.palette.q });
  const what = `${r.label} = ${ctx.fmt(r.value.data.length === 1 ? r.value.data[0]! : total(r.value.data))}${r.unit ? ` ${r.unit.name}` : ''}`;
  if (k === 1) return [densitiesChart(named, what, ctx)];
  const out: Chart[] = [];
  if (k > 2 && r.perDim) {
    const terms = r.perDim.data;
    out.push(
      contributionsChart(
        {
          id: 'dimensions',
          terms,
          selection: selectTop(terms, ctx.topK),
          labelOf: String,
          noun: 'dimension',
          title: `${r.label} per dimension`,
          description: `The ${r.measure === 'H' ? 'entropy' : 'divergence'} of each of the ${k} dimensions (the covariances are diagonal, so they add up): ${what} in all.`,
          unit: r.unit?.name,
        },
        ctx,
      ),
    );
  }
  out.push(ellipsesChart(named, k, what, ctx));
  return out;
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);

function densitiesChart(named: readonly Named[], what: string, ctx: Context): Chart {
  const { palette } = ctx;
  const params = named.map((n) => {
    const mean = n.g.mean[0]!;
    const variance = covarianceMatrix(n.g)[0]!;
    const sd = Math.sqrt(variance);
    return { ...n, mean, variance, sd, peak: 1 / (sd * SQRT_2PI) };
  });
  const lo = Math.min(...params.map((p) => p.mean - 4 * p.sd));
  const hi = Math.max(...params.map((p) => p.mean + 4 * p.sd));
  // A uniform grid over the whole range plus a dense one around each mean, so a narrow density
  // beside a wide one is still drawn with its peak.
  const xs = new Set<number>();
  for (let i = 0; i <= 120; i++) xs.add(lo + ((hi - lo) * i) / 120);
  for (const p of params) for (let i = -24; i <= 24; i++) xs.add(p.mean + (p.sd * i) / 6);
  const grid = [...xs].sort((a, b) => a - b);
  const y = scaleLinear().domain([0, Math.max(...params.map((p) => p.peak))]).nice();
  const yTicks = linearTicks(y, 4);
  const f = frame(ctx, { left: leftMargin(yTicks), bottom: 22 });
  y.range([f.bottom, f.top]);
  const x = scaleLinear().domain([lo, hi]).range([f.left, f.right]);
  const xTicks = linearTicks(x, 7);
  let curves = '';
  for (const p of params) {
    const pdf = (t: number): number => Math.exp(-((t - p.mean) ** 2) / (2 * p.variance)) / (p.sd * SQRT_2PI);
    const points = grid.map((t): [number, number] => [x(t), y(pdf(t))]);
    // One closed path, filled and stroked: its closing edges run along the baseline and at ±4σ,
    // where the density is ~0, so the stroke shows only the curve.
    const area = pathData([[x(lo), y(0)], ...points, [x(hi), y(0)]], true);
    curves += el(
      'g',
      { class: 'kl-density', 'data-series': p.name },
      el('path', { d: area, fill: p.color, 'fill-opacity': 0.15, stroke: p.color, 'stroke-width': 2, 'stroke-linejoin': 'round' }) +
        el('path', { d: `M${px(x(p.mean))} ${px(y(0))}V${px(y(p.peak))}`, stroke: p.color, 'stroke-width': 1, 'stroke-dasharray': '4 3' }),
    );
  }
  const body =
    axisCaption('density', palette) +
    yAxis(y, f, yTicks, palette) +
    xAxis(x, f, xTicks, palette) +
    baseline(y(0), f, palette) +
    curves +
    legend(params.map((p) => ({ label: `${p.name} = ${p.g.text}`.slice(0, 40), color: p.color, mark: 'box' as const })), f, palette);
  const names = params.map((p) => p.name).join(' and ');
  const description =
    `The densities of ${params.map((p) => `${p.name} = ${p.g.text}`).join(' and ')} over x from ${ctx.fmt(lo)} to ${ctx.fmt(hi)} (each mean ± 4σ), ` +
    `means dashed; ${what}.`;
  const table = dataTable(
    ['distribution', 'mean', 'variance', 'standard deviation', 'peak density'],
    params.map((p) => [p.name, cell(p.mean), cell(p.variance), cell(p.sd), cell(p.peak)]),
  );
  return makeChart(ctx, 'densities', `Densities of ${names}`, description, body, table);
}

/** Semi-axes (1σ) and the major axis' angle of a 2×2 covariance [[a, b], [b, c]]. */
export function ellipseAxes(a: number, b: number, c: number): { major: number; minor: number; angle: number } {
  const half = (a + c) / 2;
  const d = Math.hypot((a - c) / 2, b);
  return { major: Math.sqrt(half + d), minor: Math.sqrt(Math.max(0, half - d)), angle: 0.5 * Math.atan2(2 * b, a - c) };
}

function ellipsesChart(named: readonly Named[], k: number, what: string, ctx: Context): Chart {
  const { palette } = ctx;
  const params = named.map((n) => {
    const m = covarianceMatrix(n.g);
    const [a, b, c] = [m[0]!, m[1]!, m[k + 1]!];
    return { ...n, mx: n.g.mean[0]!, my: n.g.mean[1]!, a, b, c, ...ellipseAxes(a, b, c) };
  });
  // Bounds of the 2σ ellipses (their half-widths are 2√Σ₀₀ and 2√Σ₁₁), padded.
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of params) {
    x0 = Math.min(x0, p.mx - 2 * Math.sqrt(p.a));
    x1 = Math.max(x1, p.mx + 2 * Math.sqrt(p.a));
    y0 = Math.min(y0, p.my - 2 * Math.sqrt(p.c));
    y1 = Math.max(y1, p.my + 2 * Math.sqrt(p.c));
  }
  const padX = (x1 - x0) * 0.08;
  const padY = (y1 - y0) * 0.08;
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  // Equal units on both axes so the ellipses keep their true shape and angle.
  const probe = scaleLinear().domain([y0, y1]);
  const f = frame(ctx, { left: leftMargin(linearTicks(probe)), bottom: 22 });
  const unit = Math.min((f.right - f.left) / (x1 - x0), (f.bottom - f.top) / (y1 - y0));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const halfW = (f.right - f.left) / unit / 2;
  const halfH = (f.bottom - f.top) / unit / 2;
  const x = scaleLinear().domain([cx - halfW, cx + halfW]).range([f.left, f.right]);
  const y = scaleLinear().domain([cy - halfH, cy + halfH]).range([f.bottom, f.top]);
  // One tick step on both axes, so the grid's cells are squares: with d3's own steps (2 across,
  // 1 up) equal units look unequal.
  const step = Math.max(tickStep(cx - halfW, cx + halfW, 7), tickStep(cy - halfH, cy + halfH, 4));
  let shapes = '';
  for (const p of params) {
    const outline = (s: number): [number, number][] =>
      Array.from({ length: 72 }, (_, i): [number, number] => {
        const t = (2 * Math.PI * i) / 72;
        const u = s * p.major * Math.cos(t);
        const v = s * p.minor * Math.sin(t);
        return [x(p.mx + u * Math.cos(p.angle) - v * Math.sin(p.angle)), y(p.my + u * Math.sin(p.angle) + v * Math.cos(p.angle))];
      });
    shapes += el(
      'g',
      { class: 'kl-ellipses', 'data-series': p.name, stroke: p.color },
      el('path', { class: 'kl-ellipse', 'data-sigma': 1, d: pathData(outline(1), true), fill: p.color, 'fill-opacity': 0.12, 'stroke-width': 1.75 }) +
        el('path', { class: 'kl-ellipse', 'data-sigma': 2, d: pathData(outline(2), true), fill: 'none', 'stroke-width': 1.25, 'stroke-dasharray': '5 4' }) +
        el('circle', { class: 'kl-mean', cx: x(p.mx), cy: y(p.my), r: 3.5, fill: p.color }),
    );
  }
  const items: LegendItem[] = [
    ...params.map((p) => ({ label: p.name, color: p.color, mark: 'box' as const })),
    { label: '1σ', color: palette.foreground, mark: 'line' },
    { label: '2σ', color: palette.foreground, mark: 'dash' },
  ];
  const marginal = k > 2;
  const body =
    axisCaption(`dimension 0 (x), dimension 1 (y)${marginal ? ` of ${k}` : ''}`, palette) +
    yAxis(y, f, stepTicks(y.domain(), step), palette) +
    xAxis(x, f, stepTicks(x.domain(), step), palette) +
    shapes +
    legend(items, f, palette);
  const names = params.map((p) => p.name).join(' and ');
  const description =
    `The 1σ (solid) and 2σ (dashed) ellipses of ${params.map((p) => `${p.name} = ${p.g.text}`).join(' and ')}` +
    `${marginal ? `, marginal over dimensions 0 and 1 of ${k}` : ''}, with their means as dots; ${what}.`;
  const table = dataTable(
    ['distribution', 'mean 0', 'mean 1', 'variance 0', 'covariance 0,1', 'variance 1', 'major semi-axis (1σ)', 'minor semi-axis (1σ)', 'angle (degrees)'],
    params.map((p) => [p.name, cell(p.mx), cell(p.my), cell(p.a), cell(p.b), cell(p.c), cell(p.major), cell(p.minor), cell((p.angle * 180) / Math.PI)]),
  );
  return makeChart(ctx, 'ellipses', `${marginal ? 'Marginal ellipses' : 'Ellipses'} of ${names}`, description, body, table);
}
