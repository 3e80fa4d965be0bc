/**
 * The chart that shows where a divergence comes from: each element's signed contribution, positive
 * and negative in different colours around a zero line, infinite terms drawn to the top and
 * labelled ∞. Beyond top-k elements: the largest by |contribution| and one bar for all others.
 */
import { Adder } from 'd3-array';
import { barChart, restNote } from './bars';
import type { Context } from './context';
import type { Chart } from './model';
import { restLabel, restSum, type Selection } from './select';
import { makeChart } from './svg';
import { cell, dataTable, withUnit } from './table';

export interface ContributionSpec {
  /** One term per element (one row of the result's terms). */
  readonly terms: ArrayLike<number>;
  readonly selection: Selection;
  /** Label of element i: its index, or `[row, column]` for a table. */
  readonly labelOf: (i: number) => string;
  /** The table's first column: element, cell, dimension. */
  readonly noun: string;
  readonly title: string;
  readonly description: string;
  /** Unit name, or undefined for unitless measures. */
  readonly unit: string | undefined;
  readonly id?: string;
}

/** Bars of the selected terms (plus "all other" when truncated), coloured by sign. */
export function contributionsChart(spec: ContributionSpec, ctx: Context): Chart {
  const { selection: s } = spec;
  const labels = s.indices.map(spec.labelOf);
  const values = s.indices.map((i) => spec.terms[i]!);
  if (s.rest > 0) {
    labels.push(restLabel(s));
    values.push(restSum(spec.terms, s));
  }
  const { palette } = ctx;
  const { body, clipped } = barChart(
    {
      labels,
      series: [{ name: 'contribution', color: palette.positive, values }],
      signed: true,
      caption: spec.unit ?? '',
      rest: s.rest > 0,
      legend: values.some((v) => v < 0)
        ? [
            { label: 'positive', color: palette.positive, mark: 'box' },
            { label: 'negative', color: palette.negative, mark: 'box' },
          ]
        : [],
    },
    ctx,
  );
  const table = dataTable(
    [spec.noun, withUnit('contribution', spec.unit)],
    labels.map((l, i) => [l, cell(values[i]!)]),
  );
  const description = s.rest > 0 ? spec.description + restNote(clipped) : spec.description;
  return makeChart(ctx, spec.id ?? 'contributions', spec.title, description, body, table);
}

/** Σ terms, exactly (∞ when any term is +∞). */
export function total(terms: ArrayLike<number>): number {
  const sum = new Adder();
  for (let i = 0; i < terms.length; i++) sum.add(terms[i]!);
  return sum.valueOf();
}

/** The positions of infinite terms: how many, and the first few. */
export function infinities(terms: ArrayLike<number>, limit = 5): { count: number; first: number[] } {
  let count = 0;
  const first: number[] = [];
  for (let i = 0; i < terms.length; i++) {
    if (terms[i] === Infinity || terms[i] === -Infinity) {
      if (first.length < limit) first.push(i);
      count++;
    }
  }
  return { count, first };
}
