/**
 * A program's value, ready to show: the headline text, the report body HTML (value, warnings,
 * KaTeX derivation, charts) and the pieces the panel's buttons copy. The results panel and the
 * notebook renderer both show exactly this, so the two never drift apart.
 */
import { charts } from '../chart/index';
import type { DataTable } from '../chart/model';
import { derive } from '../derive/index';
import type { Step } from '../derive/step';
import { formatNumber, formatValue } from '../format';
import type { Value } from '../result';
import { isScalar } from '../tensor';
import { reportBody, type RenderTex } from './html';

export interface ChartView {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  readonly table: DataTable;
}

export interface Presentation {
  readonly title: string;
  /** One line: `KL(P‖Q) = 0.025267 nats  (reverse ...)`. */
  readonly valueText: string;
  /** The value alone, for "copy value". */
  readonly valueOnly: string;
  readonly unit: string | null;
  /** The report body (value, warnings, KaTeX derivation, charts) as HTML. */
  readonly bodyHtml: string;
  /** The whole derivation as LaTeX, for "copy LaTeX". */
  readonly latex: string;
  readonly charts: readonly ChartView[];
}

export interface PresentOptions {
  readonly digits: number;
  /** Elements charted one by one before the rest is aggregated (the chart default when absent). */
  readonly topK?: number;
}

export function present(source: string, value: Value, options: PresentOptions, renderTex: RenderTex): Presentation {
  const { digits } = options;
  const result = value.type === 'result' ? value.result : undefined;
  const steps = result ? derive(result, { digits }) : [];
  const chartList = result ? charts(result, options.topK === undefined ? {} : { topK: options.topK }) : [];
  return {
    title: result ? result.label : 'KL Lens',
    valueText: formatValue(value, { digits }),
    valueOnly: result && isScalar(result.value) ? formatNumber(result.value.data[0]!, 17) : formatValue(value, { digits: 17 }),
    unit: result?.unit?.name ?? null,
    bodyHtml: reportBody({ source, value, steps, charts: chartList }, renderTex, digits),
    latex: latexDocument(steps),
    charts: chartList.map((c) => ({ id: c.id, title: c.title, svg: c.svg, table: c.table })),
  };
}

/**
 * The whole derivation as LaTeX that pastes into a document: each equation in display math under
 * its title, notes and warnings as comments (their prose is not math).
 */
export function latexDocument(steps: readonly Step[]): string {
  return steps
    .map((s) => ((s.kind ?? 'equation') === 'equation' ? `% ${s.title}\n\\[ ${s.tex} \\]` : `% ${s.title}: ${s.text.replace(/\n/g, ' ')}`))
    .join('\n\n');
}
