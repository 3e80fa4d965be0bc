/**
 * Charts of discrete results: P and Q over the support, each element's contribution, and for
 * large supports the cumulative share. For N-D input the per-row values come first and the
 * element charts show the row with the largest value, the one most worth explaining.
 */
import type { DiscreteMeasure, DiscreteResult, Operand } from '../result';
import { indexString, row } from '../tensor';
import { barChart, restNote } from './bars';
import type { Context } from './context';
import { contributionsChart, infinities, total } from './contributions';
import { cumulativeChart } from './cumulative';
import { miCharts } from './heatmap';
import type { Chart } from './model';
import { largestRow, rowsChart } from './rows';
import { restLabel, restSum, selectTop, type Selection } from './select';
import { makeChart } from './svg';
import { cell, dataTable } from './table';

/** Each measure's per-element term, as the contributions chart describes it. */
export const TERM_FORMULA: Readonly<Record<DiscreteMeasure, string>> = {
  KL: 'p·log(p/q)',
  JS: '½p·log(p/m) + ½q·log(q/m)',
  H: '−p·log p',
  CE: '−p·log q',
  Jeffreys: '(p − q)·log(p/q)',
  TV: '½|p − q|',
  Hellinger: '½(√p − √q)²',
  W1: '|F_P − F_Q|',
  MI: 'j·log(j/(r·c))',
};

/** Charts for a DiscreteResult, in reading order. */
export function discreteCharts(r: DiscreteResult, ctx: Context): Chart[] {
  const out: Chart[] = [];
  const unit = r.unit?.name;
  const perRow = r.rows.data.length >= 2;
  if (perRow) {
    const c = rowsChart({ values: r.rows, noun: 'row', quantity: r.label, unit }, ctx);
    if (c) out.push(c);
  }
  if (r.measure === 'MI') return [...out, ...miCharts(r, ctx)];

  const [first, second] = r.operands;
  if (!first) return out;
  const rowIndex = perRow ? largestRow(r.rows.data) : 0;
  const where = perRow ? `row ${indexString(rowIndex, r.rows.shape)}` : '';
  const p = first.tensor ? row(first.tensor, rowIndex) : undefined;
  const q = second?.tensor ? row(second.tensor, rowIndex) : undefined;
  const terms = r.terms ? row(r.terms, rowIndex) : undefined;
  // Without terms (inputs too large to keep them) the elements that differ most are shown.
  const key = terms ?? (p && q ? p.map((x, i) => x - q[i]!) : p);
  if (!key) return out;
  const selection = selectTop(key, ctx.topK);
  const suffix = where ? ` — ${where} (largest)` : '';

  if (p) out.push(distributionsChart(first, p, second && q ? { operand: second, values: q } : undefined, selection, suffix, ctx));
  if (terms) {
    const sumLabel = `${r.label}${r.measure === 'Hellinger' ? '²' : ''}${where ? ` (${where})` : ''}`;
    out.push(
      contributionsChart(
        {
          terms,
          selection,
          labelOf: String,
          noun: 'element',
          title: `Contributions to ${r.label} per element${suffix}`,
          description: contributionsText(r.measure, terms, sumLabel, unit, selection, ctx),
          unit,
        },
        ctx,
      ),
    );
    if (selection.rest > 0) {
      const c = cumulativeChart({ terms, quantity: sumLabel, noun: 'elements', suffix, unit }, ctx);
      if (c) out.push(c);
    }
  }
  return out;
}

function distributionsChart(
  a: Operand,
  p: Float64Array,
  b: { operand: Operand; values: Float64Array } | undefined,
  selection: Selection,
  suffix: string,
  ctx: Context,
): Chart {
  const { palette } = ctx;
  const series = [{ name: a.role, color: palette.p, values: pick(p, selection) }];
  if (b) series.push({ name: b.operand.role, color: palette.q, values: pick(b.values, selection) });
  const labels = selection.indices.map(String);
  if (selection.rest > 0) labels.push(restLabel(selection));
  const { body, clipped } = barChart(
    {
      labels,
      series,
      caption: 'probability',
      rest: selection.rest > 0,
      legend: series.map((s) => ({ label: s.name, color: s.color, mark: 'box' as const })),
    },
    ctx,
  );
  const names = b ? `${a.role} and ${b.operand.role}` : a.role;
  const inputs = [a, ...(b ? [b.operand] : [])].map((o) => `${o.role} = ${shorten(o.text)}${o.rescaled ? ' (normalized)' : ''}`).join(', ');
  const shown =
    selection.rest > 0
      ? ` Shown: the ${selection.indices.length} elements with the largest |contribution| and the other ${selection.rest} summed.${restNote(clipped)}`
      : '';
  const description = `${names} over ${selection.n} element${selection.n === 1 ? '' : 's'} as paired bars: ${inputs}.${shown}`;
  const table = dataTable(
    ['element', ...series.map((s) => s.name)],
    labels.map((l, i) => [l, ...series.map((s) => cell(s.values[i]!))]),
  );
  return makeChart(ctx, 'distributions', `${names} per element${suffix}`, description, body, table);
}

/** The selected values, plus the exact sum of the rest when there is one. */
function pick(values: Float64Array, s: Selection): number[] {
  const out = s.indices.map((i) => values[i]!);
  if (s.rest > 0) out.push(restSum(values, s));
  return out;
}

function contributionsText(measure: DiscreteMeasure, terms: Float64Array, sumLabel: string, unit: string | undefined, s: Selection, ctx: Context): string {
  const sum = total(terms);
  const u = unit ? ` ${unit}` : '';
  let text = `Each element's term ${TERM_FORMULA[measure]}; they sum to ${sumLabel} = ${ctx.fmt(sum)}${u}.`;
  const inf = infinities(terms);
  if (inf.count > 0) {
    const more = inf.count > inf.first.length ? ', …' : '';
    text += ` ${inf.count} infinite term${inf.count === 1 ? '' : 's'} (element ${inf.first.join(', ')}${more}) make${inf.count === 1 ? 's' : ''} it infinite.`;
  } else if (terms.every((t) => t === 0)) {
    text += ' Every contribution is 0.';
  } else {
    const top = s.indices.reduce((best, i) => (Math.abs(terms[i]!) > Math.abs(terms[best]!) ? i : best), s.indices[0] ?? 0);
    const pct = Math.round((terms[top]! / sum) * 100);
    // With negative terms one element can carry more than the total: say why rather than leave "117%" to puzzle over.
    const share = sum > 0 ? ` (${pct}% of the total${pct > 100 ? ': negative terms cancel part of it' : ''})` : '';
    text += ` Element ${top} contributes most: ${ctx.fmt(terms[top]!)}${u}${share}.`;
  }
  if (s.rest > 0) text += ` Shown: the ${s.indices.length} largest by |contribution| and the other ${s.rest} summed.`;
  return text;
}

function shorten(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

