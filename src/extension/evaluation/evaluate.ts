/**
 * Evaluating a request into what the panel shows: runs the program (files through FileLoader),
 * derives the steps, builds the charts and typesets the derivation with KaTeX. Plain Node code,
 * run inside the evaluation worker so the extension host never blocks.
 */
import katex from 'katex';
import { charts } from '../../core/chart/index';
import { derive } from '../../core/derive/index';
import type { Runtime } from '../../core/divergence/stream';
import { formatNumber, formatValue } from '../../core/format';
import { parse, runProgram, type Value } from '../../core/index';
import { reportBody } from '../../core/report/html';
import type { Step } from '../../core/derive/step';
import { isScalar } from '../../core/tensor';
import { FileLoader } from '../../host/load';
import type { EvaluationRequest, PanelModel } from './protocol';

export function renderTex(tex: string): string {
  return katex.renderToString(tex, { displayMode: true, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
}

export function evaluateRequest(request: EvaluationRequest, runtime: Runtime = {}): PanelModel {
  const loader = new FileLoader(request.baseDir, request.preloaded);
  try {
    const env = new Map<string, Value>();
    for (const [name, t] of Object.entries(request.bindings ?? {})) {
      env.set(name, { type: 'tensor', tensor: { shape: [...t.shape], data: Float64Array.from(t.data) } });
    }
    const program = parse(request.source);
    const statements = request.uptoStatement === undefined ? program.statements : program.statements.slice(0, request.uptoStatement + 1);
    const outcome = runProgram({ statements }, request.source, {
      env,
      functions: { load: loader.builtin() },
      runtime: { ...runtime, defaultBase: request.defaultBase },
    });
    const value = outcome.value;
    if (!value) throw new Error('the program has no statements');
    const shownSource = request.uptoStatement === undefined ? request.source : request.source.slice(statements[0]!.span.start, statements.at(-1)!.span.end);
    return model(shownSource, value, request, [...loader.paths]);
  } finally {
    loader.close();
  }
}

function model(source: string, value: Value, request: EvaluationRequest, files: string[]): PanelModel {
  const digits = request.digits;
  const steps = value.type === 'result' ? derive(value.result, { digits }) : [];
  const chartList = value.type === 'result' ? charts(value.result, { topK: request.topK }) : [];
  const result = value.type === 'result' ? value.result : undefined;
  return {
    source,
    title: result ? result.label : 'KL Lens',
    valueText: formatValue(value, { digits }),
    valueOnly: result && isScalar(result.value) ? formatNumber(result.value.data[0]!, 17) : formatValue(value, { digits: 17 }),
    unit: result?.unit?.name ?? null,
    bodyHtml: reportBody({ source, value, steps, charts: chartList }, renderTex, digits),
    latex: latexDocument(steps),
    charts: chartList.map((c) => ({ id: c.id, title: c.title, svg: c.svg, table: c.table })),
    files,
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
