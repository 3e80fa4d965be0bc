/**
 * Mutual information: the joint table J and each cell's contribution j·log(j/(r·c)) as heatmaps
 * (opacity ∝ |value|, so the theme's colours carry the sign). Tables too large to read cell by
 * cell get the top-k cells as bars and the cumulative share instead.
 */
import { format } from 'd3-format';
import { axisCaption, FONT_SIZE, frame, HEADER_HEIGHT, textWidth } from './axis';
import type { Context } from './context';
import { contributionsChart, infinities, total } from './contributions';
import { cumulativeChart } from './cumulative';
import type { DiscreteResult } from '../result';
import type { Chart } from './model';
import { selectTop } from './select';
import { el, makeChart, text } from './svg';
import { cell, dataTable, withUnit } from './table';

/** Tables up to this many cells (and this many per side) are drawn as heatmaps. */
export const HEATMAP_MAX_CELLS = 400;
export const HEATMAP_MAX_SIDE = 40;

/** The charts of an MI result after its per-row chart: heatmaps, or top-k cells when large. */
export function miCharts(r: DiscreteResult, ctx: Context): Chart[] {
  const joint = r.operands[0];
  const shape = joint?.shape ?? r.terms?.shape ?? [];
  if (shape.length !== 2) return [];
  const [rows, cols] = shape as [number, number];
  const unit = r.unit?.name;
  const labelOf = (i: number): string => `[${Math.floor(i / cols)}, ${i % cols}]`;
  const out: Chart[] = [];
  const small = rows * cols <= HEATMAP_MAX_CELLS && rows <= HEATMAP_MAX_SIDE && cols <= HEATMAP_MAX_SIDE;
  const sum = r.terms ? total(r.terms.data) : NaN;
  const termsText = `Each cell's term j·log(j/(r·c)), where r and c are the marginals; they sum to ${r.label} = ${ctx.fmt(sum)}${unit ? ` ${unit}` : ''}.`;
  if (small) {
    if (joint?.tensor) {
      out.push(
        heatmap(joint.tensor.data, rows, cols, {
          id: 'joint',
          title: `Joint table ${joint.role}`,
          description: `The joint probabilities of ${joint.role} (${rows} × ${cols}), darker for larger; its rows and columns give the marginals r and c.`,
          signed: false,
          column: 'probability',
        }, ctx),
      );
    }
    if (r.terms) {
      out.push(
        heatmap(r.terms.data, rows, cols, {
          id: 'contributions',
          title: `Contributions to ${r.label} per cell`,
          description: `${termsText} Cells where j > r·c add information (positive); cells where j < r·c subtract.`,
          signed: true,
          column: withUnit('contribution', unit),
        }, ctx),
      );
    }
    return out;
  }
  if (!r.terms) return out;
  const terms = r.terms.data;
  const selection = selectTop(terms, ctx.topK);
  const inf = infinities(terms);
  out.push(
    contributionsChart(
      {
        terms,
        selection,
        labelOf,
        noun: 'cell',
        title: `Contributions to ${r.label} per cell`,
        description: `${termsText}${inf.count > 0 ? ` ${inf.count} are infinite.` : ''} Shown: the ${selection.indices.length} cells with the largest |contribution| and the other ${selection.rest} summed.`,
        unit,
      },
      ctx,
    ),
  );
  const c = cumulativeChart({ terms, quantity: r.label, noun: 'cells', unit }, ctx);
  if (c) out.push(c);
  return out;
}

interface HeatmapSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Colour by sign (contributions) or in P's colour (probabilities). */
  readonly signed: boolean;
  readonly column: string;
}

const cellFormat = format('.3~g');

function heatmap(values: Float64Array, rows: number, cols: number, spec: HeatmapSpec, ctx: Context): Chart {
  const { palette } = ctx;
  let maxAbs = 0;
  for (const v of values) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const rowLabelWidth = textWidth(String(rows - 1)) + 10;
  const f = frame(ctx, { left: rowLabelWidth + 4, bottom: 20, top: HEADER_HEIGHT + 4 });
  const size = Math.min((f.right - f.left) / cols, (f.bottom - f.top) / rows);
  const showValues = size >= 36 && size >= FONT_SIZE + 6;
  const rowStep = Math.max(1, Math.ceil((FONT_SIZE + 2) / size));
  const colStep = Math.max(1, Math.ceil((textWidth(String(cols - 1)) + 6) / size));
  let labels = '';
  let plates = '';
  const groups = { positive: '', negative: '' };
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      const v = values[a * cols + b]!;
      const x = f.left + b * size;
      const y = f.top + a * size;
      const opacity = !Number.isFinite(v) ? (Number.isNaN(v) ? 0 : 1) : maxAbs > 0 ? 0.08 + (0.82 * Math.abs(v)) / maxAbs : 0;
      const rect = el('rect', { x, y, width: size, height: size, 'fill-opacity': Math.round(opacity * 100) / 100 });
      if (spec.signed && v < 0) groups.negative += rect;
      else groups.positive += rect;
      if (showValues || !Number.isFinite(v)) {
        const label = Number.isFinite(v) ? cellFormat(v) : ctx.fmt(v);
        labels += text(x + size / 2, y + size / 2 + 4, label);
        const w = textWidth(label) + 6;
        plates += el('rect', { x: x + size / 2 - w / 2, y: y + size / 2 - 7, width: w, height: 14, rx: 3 });
      }
    }
  }
  const cells =
    el('g', { class: 'kl-cells', 'data-sign': spec.signed ? 'positive' : undefined, fill: spec.signed ? palette.positive : palette.p, stroke: palette.lines, 'stroke-width': 0.5 }, groups.positive) +
    (groups.negative ? el('g', { class: 'kl-cells', 'data-sign': 'negative', fill: palette.negative, stroke: palette.lines, 'stroke-width': 0.5 }, groups.negative) : '');
  let axes = '';
  for (let a = 0; a < rows; a += rowStep) axes += text(f.left - 5, f.top + a * size + size / 2 + 4, String(a), { 'text-anchor': 'end' });
  for (let b = 0; b < cols; b += colStep) axes += text(f.left + b * size + size / 2, f.top + rows * size + 14, String(b), { 'text-anchor': 'middle' });
  const caption = `rows × columns; opacity ∝ |value|, largest ${ctx.fmt(maxAbs)}`;
  const body =
    axisCaption(caption, palette) +
    cells +
    el('g', { fill: palette.foreground }, axes) +
    // Text in the foreground colour on a plate of the surface colour: readable on the strongest
    // cells in either theme (light text on a light green cell in dark themes was not).
    (labels && palette.surface ? el('g', { class: 'kl-value-plates', fill: palette.surface, 'fill-opacity': 0.75 }, plates) : '') +
    (labels ? el('g', { class: 'kl-values', fill: palette.foreground, 'text-anchor': 'middle' }, labels) : '');
  const table = dataTable(
    ['row', 'column', spec.column],
    Array.from({ length: rows * cols }, (_, i) => [Math.floor(i / cols), i % cols, cell(values[i]!)]),
  );
  return makeChart(ctx, spec.id, spec.title, spec.description, body, table);
}
