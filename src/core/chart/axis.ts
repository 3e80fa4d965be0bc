/**
 * Plot frames, axes and legends shared by the chart kinds. Text is measured by an estimate
 * (no DOM): margins are sized from the tick labels before the scales get their ranges.
 */
import { format, precisionFixed } from 'd3-format';
import type { ScaleLinear } from 'd3-scale';
import type { Context } from './context';
import { el, px, text } from './svg';
import type { Palette } from './theme';

/** Pixel edges of the plot area inside a chart of `width` × `height`. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export const FONT_SIZE = 11;
/** Baseline of the line above the plot that holds the unit and the legend. */
export const HEADER_BASELINE = 12;
export const HEADER_HEIGHT = 20;

/** Approximate width of `s` at `size` px: about 0.6 em per character in a UI sans-serif. */
export function textWidth(s: string, size = FONT_SIZE): number {
  return s.length * size * 0.6;
}

export function frame(ctx: Context, margin: { left: number; right?: number; top?: number; bottom: number }): Frame {
  const top = margin.top ?? HEADER_HEIGHT;
  const left = Math.min(margin.left, ctx.width / 3);
  return {
    width: ctx.width,
    height: ctx.height,
    left,
    right: ctx.width - (margin.right ?? 12),
    top,
    // Keep at least a third of the height for the plot however long the labels are.
    bottom: Math.max(top + ctx.height / 3, ctx.height - margin.bottom),
  };
}

export interface Ticks {
  readonly values: readonly number[];
  readonly labels: readonly string[];
}

/** Ticks of a linear scale's domain, formatted by d3 with the precision the step needs. */
export function linearTicks(scale: ScaleLinear<number, number>, count = 5, specifier = '~g'): Ticks {
  const values = scale.ticks(count);
  let labels = values.map(scale.tickFormat(count, specifier));
  // d3 derives the precision from (stop − step), which rounding can put just below a power of
  // ten: ticks 0.001 and 0.0012 then both read "0.001". Add digits until the labels differ.
  for (let digits = 2; specifier === '~g' && new Set(labels).size < labels.length && digits <= 17; digits++) {
    labels = values.map(format(`.${digits}~g`));
  }
  return { values, labels };
}

/**
 * Ticks every `step` over `domain` (multiples of the step), labelled with the decimals the step
 * needs: two axes given the same step draw square grid cells when their units are equal.
 */
export function stepTicks(domain: readonly number[], step: number): Ticks {
  const [a, b] = [Math.min(...domain), Math.max(...domain)];
  const values: number[] = [];
  // Multiply rather than accumulate, so 0.1-steps do not drift (0.30000000000000004).
  for (let i = Math.ceil(a / step - 1e-9); i * step <= b + step * 1e-9; i++) values.push(i * step === 0 ? 0 : i * step);
  const f = format(`.${precisionFixed(step)}~f`);
  return { values, labels: values.map(f) };
}

/** Left margin that fits the tick labels. */
export function leftMargin(ticks: Ticks): number {
  return Math.max(36, Math.max(0, ...ticks.labels.map((l) => textWidth(l))) + 12);
}

/** Horizontal grid lines with the tick labels at the left edge. */
export function yAxis(y: ScaleLinear<number, number>, f: Frame, ticks: Ticks, palette: Palette): string {
  let grid = '';
  let labels = '';
  ticks.values.forEach((v, i) => {
    const yy = y(v);
    grid += `M${px(f.left)} ${px(yy)}H${px(f.right)}`;
    labels += text(f.left - 5, yy + 3.5, ticks.labels[i]!);
  });
  return (
    el('path', { d: grid, stroke: palette.lines, 'stroke-width': 1, fill: 'none' }) +
    el('g', { fill: palette.foreground, 'text-anchor': 'end' }, labels)
  );
}

/** Vertical grid lines with tick labels below the plot. */
export function xAxis(x: (v: number) => number, f: Frame, ticks: Ticks, palette: Palette): string {
  let grid = '';
  let labels = '';
  ticks.values.forEach((v, i) => {
    const xx = x(v);
    grid += `M${px(xx)} ${px(f.top)}V${px(f.bottom)}`;
    labels += text(xx, f.bottom + 14, ticks.labels[i]!);
  });
  return (
    el('path', { d: grid, stroke: palette.lines, 'stroke-width': 1, fill: 'none', 'stroke-opacity': 0.5 }) +
    el('g', { fill: palette.foreground, 'text-anchor': 'middle' }, labels)
  );
}

/** A solid horizontal line at y = 0 (or the plot's bottom edge), distinct from the grid. */
export function baseline(yy: number, f: Frame, palette: Palette): string {
  return el('path', { class: 'kl-zero', d: `M${px(f.left)} ${px(yy)}H${px(f.right)}`, stroke: palette.foreground, 'stroke-width': 1, 'stroke-opacity': 0.7 });
}

/** Small caption at the top left: the unit or quantity on the y axis. */
export function axisCaption(s: string, palette: Palette): string {
  return s ? text(4, HEADER_BASELINE, s, { fill: palette.foreground, 'fill-opacity': 0.8 }) : '';
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  /** A filled square (bars, areas), a line, or a dashed line. */
  readonly mark: 'box' | 'line' | 'dash';
}

/** Legend items laid out right to left so they end at the plot's right edge. */
export function legend(items: readonly LegendItem[], f: Frame, palette: Palette): string {
  if (items.length === 0) return '';
  let x = f.right;
  let out = '';
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    const w = textWidth(item.label);
    x -= w;
    out += text(x, HEADER_BASELINE, item.label, { fill: palette.foreground });
    x -= 16;
    out +=
      item.mark === 'box'
        ? el('rect', { x, y: HEADER_BASELINE - 9, width: 10, height: 10, fill: item.color })
        : el('path', {
            d: `M${px(x)} ${px(HEADER_BASELINE - 4)}h12`,
            stroke: item.color,
            'stroke-width': 2,
            'stroke-dasharray': item.mark === 'dash' ? '4 3' : undefined,
          });
    x -= 12;
  }
  return el('g', { class: 'kl-legend' }, out);
}

/** A dashed horizontal line across the plot (mean lines); its label goes in the legend. */
export function referenceLine(yy: number, f: Frame, palette: Palette): string {
  return el('path', {
    class: 'kl-mean',
    d: `M${px(f.left)} ${px(yy)}H${px(f.right)}`,
    stroke: palette.foreground,
    'stroke-width': 1.5,
    'stroke-dasharray': '5 4',
  });
}

/** Category labels under a band axis: every `step`-th, rotated by 45° when they would overlap. */
export function bandLabels(labels: readonly string[], centers: readonly number[], f: Frame, layout: LabelLayout, palette: Palette): string {
  let out = '';
  for (let i = 0; i < labels.length; i += layout.step) {
    const x = centers[i]!;
    out += layout.rotate
      ? text(x + 3, f.bottom + 9, labels[i]!, { transform: `rotate(-45 ${px(x + 3)} ${px(f.bottom + 9)})` })
      : text(x, f.bottom + 13, labels[i]!);
  }
  return el('g', { fill: palette.foreground, 'text-anchor': layout.rotate ? 'end' : 'middle' }, out);
}

export interface LabelLayout {
  readonly step: number;
  readonly rotate: boolean;
  /** Space the labels need below the plot. */
  readonly height: number;
}

/**
 * How to fit category labels under `labels.length` bands: as they are when they fit; rotated by
 * 45° for a few bands (top-k bars, whose every index matters); thinned to a round step for many.
 */
export function labelLayout(labels: readonly string[], plotWidth: number): LabelLayout {
  const n = Math.max(1, labels.length);
  const bandwidth = plotWidth / n;
  const widest = Math.max(0, ...labels.map((l) => textWidth(l)));
  if (widest + 4 <= bandwidth) return { step: 1, rotate: false, height: 20 };
  if (n <= 40) {
    return { step: roundStep((FONT_SIZE + 2) / bandwidth), rotate: true, height: 14 + widest * Math.SQRT1_2 };
  }
  return { step: roundStep((widest + 8) / bandwidth), rotate: false, height: 20 };
}

/** The smallest step of the form 1, 2 or 5 × 10^k that is at least `needed`. */
function roundStep(needed: number): number {
  if (needed <= 1) return 1;
  for (let p = 1; ; p *= 10) {
    for (const m of [1, 2, 5]) if (m * p >= needed) return m * p;
  }
}
