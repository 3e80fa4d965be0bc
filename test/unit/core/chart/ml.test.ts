import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistillResult, EstimatorResult, VaeResult } from '../../../../src/core/index';
import { build, chartById, ids, PROGRAMS } from './fixtures';
import { byClass, texts } from './xml';

describe('machine-learning losses', () => {
  it('vae_kl: per-dimension terms (mean over the batch), then the per-sample KL', () => {
    const { result, charts } = build(PROGRAMS.vae!);
    const r = result as VaeResult;
    assert.deepEqual(ids(charts), ['dimensions', 'rows']);
    const dims = chartById(charts, 'dimensions');
    const t = r.terms.data;
    assert.deepEqual(
      dims.chart.table.rows.map((row) => row[1]),
      [0, 1, 2].map((j) => (t[j]! + t[3 + j]!) / 2),
    );
    assert.match(dims.chart.title, /mean over 2 samples/);
    assert.deepEqual(chartById(charts, 'rows').chart.table.rows.slice(0, 2).map((row) => row[1]), Array.from(r.rows.data));
  });

  it('vae_kl on one sample: its terms, no rows chart', () => {
    const { result, charts } = build('vae_kl([0.5, 0, 1], [0, 0.2, -1])');
    assert.deepEqual(ids(charts), ['dimensions']);
    assert.deepEqual(chartById(charts, 'dimensions').chart.table.rows.map((row) => row[1]), Array.from((result as VaeResult).terms.data));
  });

  it('distill: teacher and student probabilities of row 0 as pairs, then KL per row', () => {
    const { result, charts } = build(PROGRAMS.distill!);
    const r = result as DistillResult;
    assert.deepEqual(ids(charts), ['distributions', 'rows']);
    const dist = chartById(charts, 'distributions');
    assert.deepEqual(dist.chart.table.columns, ['class', 'teacher', 'student']);
    assert.deepEqual(
      dist.chart.table.rows,
      [0, 1, 2, 3].map((i) => [String(i), r.teacherProbs!.data[i], r.studentProbs!.data[i]]),
    );
    assert.deepEqual(byClass(dist.svg, 'kl-bars').map((g) => g.attrs['data-series']), ['teacher', 'student']);
    const rows = chartById(charts, 'rows');
    assert.deepEqual(rows.chart.table.rows.slice(0, 2).map((row) => row[1]), Array.from(r.klRows.data));
    assert.equal(byClass(rows.svg, 'kl-mean').length, 1);
  });

  it('distill on one row: the probabilities only', () => {
    assert.deepEqual(ids(build('distill([1, 2, 3], [3, 2, 1])').charts), ['distributions']);
  });

  it('kl_penalty: per-token values with the Monte-Carlo mean as a labelled dashed line', () => {
    const { result, charts } = build(PROGRAMS.estimator!);
    const r = result as EstimatorResult;
    assert.deepEqual(ids(charts), ['rows']);
    const { chart, svg } = chartById(charts, 'rows');
    assert.equal(byClass(svg, 'kl-bars').flatMap((g) => g.children).length, 5);
    const mean = byClass(svg, 'kl-mean');
    assert.equal(mean.length, 1);
    assert.equal(mean[0]!.attrs['stroke-dasharray'], '5 4');
    assert.ok(texts(svg).includes('mean −0.01'), texts(svg).join(' | '));
    assert.deepEqual(chart.table.rows, [...Array.from(r.samples.data, (v, i) => [String(i), v]), ['mean', r.mean]]);
    assert.deepEqual(chart.table.columns, ['token', 'β·k1 (nats)']);
  });

  it('per-token values of a 2-D batch are labelled by [row, token]', () => {
    const { charts } = build('k1([[-1, -2], [-3, -1]], [[-1.5, -2], [-2, -1]])');
    const labels = chartById(charts, 'rows').chart.table.rows.map((row) => row[0]);
    assert.deepEqual(labels, ['[0, 0]', '[0, 1]', '[1, 0]', '[1, 1]', 'mean']);
  });

  it('a single sample: no chart', () => {
    assert.deepEqual(build('k3(-1, -1.5)').charts, []);
  });
});
