import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ellipseAxes } from '../../../../src/core/chart/gaussian';
import type { GaussianResult } from '../../../../src/core/index';
import { build, chartById, ids, PROGRAMS } from './fixtures';
import { byClass, type Element } from './xml';

function gaussian(program: string): { r: GaussianResult; list: ReturnType<typeof build>['charts'] } {
  const { result, charts } = build(program);
  assert.equal(result.kind, 'gaussian');
  return { r: result as GaussianResult, list: charts };
}

/** The points of a path's `M x y L x y ... Z` data. */
function points(path: Element): [number, number][] {
  return [...path.attrs.d!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('Gaussian charts', () => {
  it('1-D: the two densities overlaid over both means ± 4σ', () => {
    const { list } = gaussian(PROGRAMS.gauss1!);
    assert.deepEqual(ids(list), ['densities']);
    const { chart, svg } = chartById(list, 'densities');
    const curves = byClass(svg, 'kl-density');
    assert.deepEqual(curves.map((g) => g.attrs['data-series']), ['P', 'Q']);
    for (const g of curves) {
      const area = g.children[0]!;
      assert.equal(area.attrs['fill-opacity'], '0.15', 'filled lightly');
      assert.ok(area.attrs.d!.endsWith('Z'));
    }
    assert.deepEqual(chart.table.rows, [
      ['P', 0, 1, 1, 1 / Math.sqrt(2 * Math.PI)],
      ['Q', 1, 2, Math.SQRT2, 1 / (Math.SQRT2 * Math.sqrt(2 * Math.PI))],
    ]);
    // x from min(μ − 4σ) = 1 − 4√2 (Q's is lower than P's −4) to max(μ + 4σ) = 1 + 4√2.
    assert.match(chart.description, /from −4\.657 to 6\.657 /);
    // Both curves span the same x range: the plot's full width.
    const xs = curves.map((g) => points(g.children[0]!).map(([x]) => x));
    assert.equal(Math.min(...xs[0]!), Math.min(...xs[1]!));
    assert.equal(Math.max(...xs[0]!), Math.max(...xs[1]!));
  });

  it('1-D entropy: one density', () => {
    const { list } = gaussian(PROGRAMS.entropyGauss!);
    assert.deepEqual(ids(list), ['densities']);
    assert.equal(byClass(chartById(list, 'densities').svg, 'kl-density').length, 1);
  });

  it('2-D: 1σ and 2σ ellipses of both, from the eigen-decomposition, and the means', () => {
    const { r, list } = gaussian(PROGRAMS.gauss2!);
    assert.deepEqual(ids(list), ['ellipses']);
    const { chart, svg } = chartById(list, 'ellipses');
    const ellipses = byClass(svg, 'kl-ellipse');
    assert.equal(ellipses.length, 4);
    assert.deepEqual(ellipses.map((e) => e.attrs['data-sigma']), ['1', '2', '1', '2']);
    assert.equal(byClass(svg, 'kl-mean').length, 2);
    for (const e of ellipses) assert.ok(e.attrs.d!.endsWith('Z'));
    // The 2σ ellipse is the 1σ one scaled by 2 about the mean (in pixels too: equal axes).
    const mean = byClass(svg, 'kl-mean')[0]!;
    const [cx, cy] = [Number(mean.attrs.cx), Number(mean.attrs.cy)];
    const one = points(ellipses[0]!);
    const two = points(ellipses[1]!);
    one.forEach(([x, y], i) => {
      assert.ok(Math.abs(two[i]![0] - cx - 2 * (x - cx)) < 0.05 && Math.abs(two[i]![1] - cy - 2 * (y - cy)) < 0.05);
    });
    assert.deepEqual(chart.table.rows.map((row) => row.slice(0, 6)), [
      ['P', 0, 0, 1, 0.8, 1],
      ['Q', 1, 0, 1, -0.3, 0.5],
    ]);
    // Eigenvalues: λ₁ + λ₂ = trace, λ₁λ₂ = det.
    for (const row of chart.table.rows) {
      const [a, b, c, major, minor] = row.slice(3, 8) as number[];
      assert.ok(Math.abs(major! ** 2 + minor! ** 2 - (a! + c!)) < 1e-12);
      assert.ok(Math.abs(major! ** 2 * minor! ** 2 - (a! * c! - b! * b!)) < 1e-12);
    }
    assert.equal(r.p.mean.length, 2);
  });

  it('ellipse axes: the major axis of a positively correlated pair lies at 45°', () => {
    const { major, minor, angle } = ellipseAxes(1, 0.8, 1);
    assert.ok(Math.abs(major - Math.sqrt(1.8)) < 1e-12);
    assert.ok(Math.abs(minor - Math.sqrt(0.2)) < 1e-12);
    assert.ok(Math.abs(angle - Math.PI / 4) < 1e-12);
    assert.deepEqual(ellipseAxes(4, 0, 1), { major: 2, minor: 1, angle: 0 });
  });

  it('k > 2, diagonal: per-dimension bars and the marginal ellipses of dimensions 0 and 1', () => {
    const { r, list } = gaussian(PROGRAMS.gauss4!);
    assert.deepEqual(ids(list), ['dimensions', 'ellipses']);
    const dims = chartById(list, 'dimensions');
    assert.deepEqual(dims.chart.table.rows.map((row) => row[1]), Array.from(r.perDim!.data));
    assert.equal(byClass(dims.svg, 'kl-bars').flatMap((g) => g.children).length, 4);
    const ellipses = chartById(list, 'ellipses');
    assert.match(ellipses.chart.title, /^Marginal/);
    assert.deepEqual(ellipses.chart.table.rows[0]!.slice(0, 6), ['P', 0, 0, 1, 0, 2]);
  });

  it('k > 2, full covariance: the marginal ellipses only', () => {
    const { list } = gaussian('KL(N([0, 0, 0], [[1, 0.2, 0], [0.2, 1, 0], [0, 0, 1]]) || N(0, 1))');
    assert.deepEqual(ids(list), ['ellipses']);
  });
});
