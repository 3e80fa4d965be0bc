/** Shared test inputs: results of every kind, built by evaluating programs with the real core. */
import assert from 'node:assert/strict';
import { charts } from '../../../../src/core/chart/index';
import type { Chart, ChartOptions } from '../../../../src/core/chart/model';
import type { Result, Value } from '../../../../src/core/index';
import { result } from '../../../helpers/values';
import { parseXml, type Element } from './xml';

/** One program per chart-producing result kind (and the interesting variants). */
export const PROGRAMS: Readonly<Record<string, string>> = {
  kl: 'KL([0.5, 0.3, 0.2, 0] || [0.4, 0.4, 0.1, 0.1])',
  klInfinite: 'KL([0.5, 0.3, 0.2] || [0.5, 0.5, 0])',
  js: 'JS([0.1, 0.6, 0.3] || [0.3, 0.3, 0.4])',
  h: 'H([0.1, 0.2, 0.3, 0.4])',
  ce: 'H([0.5, 0.5] || [0.9, 0.1])',
  jeffreys: 'Jeffreys([0.2, 0.8] || [0.6, 0.4])',
  tv: 'TV([0.2, 0.8] || [0.6, 0.4])',
  hellinger: 'Hellinger([0.2, 0.3, 0.5] || [0.6, 0.3, 0.1])',
  w1: 'W1([1, 0, 0] || [0, 0, 1])',
  mi: 'MI([[0.2, 0.1, 0.05], [0.05, 0.3, 0.3]])',
  nd: 'KL([[0.5, 0.5], [0.1, 0.9], [0.3, 0.7]] || [[0.4, 0.6], [0.2, 0.8], [0.5, 0.5]])',
  gauss1: 'KL(N(0, 1) || N(1, 2))',
  gauss2: 'KL(N([0, 0], [[1, 0.8], [0.8, 1]]) || N([1, 0], [[1, -0.3], [-0.3, 0.5]]))',
  gauss4: 'KL(N([0, 0, 1, 2], [1, 2, 3, 0.5]) || N(0, 1))',
  entropyGauss: 'H(N(0, 2))',
  vae: 'vae_kl([[0.1, 2, 0], [0.3, 1.5, 0.01]], [[0, -1, 0], [0.2, -2, 0]])',
  distill: 'distill([[1, 2, 3, 0.5], [2, 2, 2, 1]], [[3, 2, 1, 0], [1, 1, 1, 3]], T=2)',
  estimator: 'kl_penalty([-1, -2, -3, -0.5, -1.2], [-1.5, -2, -2, -0.7, -1], beta=0.1)',
};

export function tensorValue(data: ArrayLike<number>, shape: readonly number[] = [data.length]): Value {
  return { type: 'tensor', tensor: { shape: [...shape], data: Float64Array.from(data) } };
}

/** Evaluates `program` with tensors bound to names (for inputs too large to write as literals). */
export function resultWith(program: string, vars: Readonly<Record<string, Value>>): Result {
  return result(program, { env: new Map(Object.entries(vars)) });
}

/** A deterministic, long-tailed pair of distributions over n elements (a Zipf-like P, a noisy Q). */
export function vocabulary(n: number): { p: Float64Array; q: Float64Array } {
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    p[i] = 1 / (1 + i) ** 1.1;
    q[i] = s / 2147483647 + 0.01;
  }
  return { p, q };
}

export interface Built {
  readonly chart: Chart;
  readonly svg: Element;
}

/** The chart with `id`, parsed (which asserts it is well-formed). */
export function chartById(list: readonly Chart[], id: string): Built {
  const chart = list.find((c) => c.id === id);
  assert.ok(chart, `no '${id}' chart among ${list.map((c) => c.id).join(', ')}`);
  return { chart, svg: parseXml(chart.svg) };
}

export function build(program: string, options?: ChartOptions): { result: Result; charts: Chart[] } {
  const r = result(program);
  return { result: r, charts: charts(r, options) };
}

export function ids(list: readonly Chart[]): string[] {
  return list.map((c) => c.id);
}
