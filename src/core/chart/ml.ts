/**
 * Charts of the machine-learning losses: the VAE's KL per latent dimension, distillation's
 * teacher and student probabilities and per-row KL, and RLHF estimators' per-token samples.
 */
import { Adder } from 'd3-array';
import type { DistillResult, EstimatorResult, VaeResult } from '../result';
import { lastDim, row, rowCount } from '../tensor';
import { barChart, restNote } from './bars';
import type { Context } from './context';
import { contributionsChart } from './contributions';
import type { Chart } from './model';
import { rowsChart } from './rows';
import { restLabel, restSum, selectTop } from './select';
import { makeChart } from './svg';
import { cell, dataTable } from './table';

/**
 * 'dimensions': ½(μ² + σ² − 1 − ln σ²) per latent dimension (averaged over the batch when there
 * is one: dimensions near 0 are the collapsed ones), then the per-sample KL when batched.
 */
export function vaeCharts(r: VaeResult, ctx: Context): Chart[] {
  const d = lastDim(r.terms);
  const count = rowCount(r.terms);
  const perDim = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const sum = new Adder();
    for (let i = 0; i < count; i++) sum.add(r.terms.data[i * d + j]!);
    perDim[j] = sum.valueOf() / count;
  }
  const unit = r.unit?.name;
  const batched = count > 1;
  const selection = selectTop(perDim, ctx.topK);
  const collapsed = perDim.filter((t) => Math.abs(t) < 1e-3).length;
  const out: Chart[] = [
    contributionsChart(
      {
        id: 'dimensions',
        terms: perDim,
        selection,
        labelOf: String,
        noun: 'dimension',
        title: `KL per latent dimension${batched ? ` (mean over ${count} samples)` : ''}`,
        description:
          `Each latent dimension's term ½(μ² + σ² − 1 − ln σ²)${batched ? `, averaged over the ${count} samples` : ''}. ` +
          `${collapsed} of ${d} are below 0.001${unit ? ` ${unit}` : ''}: they carry no information (posterior collapse).`,
        unit,
      },
      ctx,
    ),
  ];
  const rows = rowsChart({ values: r.rows, noun: 'sample', quantity: r.label, unit }, ctx);
  if (rows) out.push(rows);
  return out;
}

/**
 * 'distributions': softmax(teacher/T) and softmax(student/T) of the first row (top-k classes by
 * the larger of the two probabilities beyond k classes); 'rows': KL(p_T‖p_S) per row.
 */
export function distillCharts(r: DistillResult, ctx: Context): Chart[] {
  const out: Chart[] = [];
  const unit = r.unit?.name;
  if (r.teacherProbs && r.studentProbs) {
    const t = row(r.teacherProbs, 0);
    const s = row(r.studentProbs, 0);
    const selection = selectTop(t.map((x, i) => Math.max(x, s[i]!)), ctx.topK);
    const labels = selection.indices.map(String);
    const teacher = selection.indices.map((i) => t[i]!);
    const student = selection.indices.map((i) => s[i]!);
    if (selection.rest > 0) {
      labels.push(restLabel(selection));
      teacher.push(restSum(t, selection));
      student.push(restSum(s, selection));
    }
    const { palette } = ctx;
    const { body, clipped } = barChart(
      {
        labels,
        series: [
          { name: 'teacher', color: palette.p, values: teacher },
          { name: 'student', color: palette.q, values: student },
        ],
        caption: 'probability',
        rest: selection.rest > 0,
        legend: [
          { label: 'teacher', color: palette.p, mark: 'box' },
          { label: 'student', color: palette.q, mark: 'box' },
        ],
      },
      ctx,
    );
    const multi = rowCount(r.teacherProbs) > 1;
    const shown = selection.rest > 0 ? ` Shown: the ${selection.indices.length} classes either model rates highest and the other ${selection.rest} summed.${restNote(clipped)}` : '';
    out.push(
      makeChart(
        ctx,
        'distributions',
        `Teacher and student probabilities at T = ${ctx.fmt(r.temperature)}${multi ? ' — row 0' : ''}`,
        `softmax(teacher/T) and softmax(student/T)${multi ? ' of the first row' : ''} over ${selection.n} classes, as paired bars.${shown}`,
        body,
        dataTable(['class', 'teacher', 'student'], labels.map((l, i) => [l, cell(teacher[i]!), cell(student[i]!)])),
      ),
    );
  }
  const rows = rowsChart(
    {
      values: r.klRows,
      noun: 'row',
      quantity: 'KL(p_T‖p_S)',
      unit,
      title: 'KL(p_T‖p_S) per row, before T²',
    },
    ctx,
  );
  if (rows) out.push(rows);
  return out;
}

/** 'rows': the per-token (per-sample) values with their mean, the Monte-Carlo estimate. */
export function estimatorCharts(r: EstimatorResult, ctx: Context): Chart[] {
  const c = rowsChart(
    {
      values: r.samples,
      noun: r.beta !== undefined ? 'token' : 'sample',
      quantity: r.label,
      unit: r.unit?.name,
      mean: r.mean,
    },
    ctx,
  );
  return c ? [c] : [];
}
