/**
 * Evaluating a request into what the panel shows: runs the program (files through FileLoader),
 * derives the steps, builds the charts and typesets the derivation with KaTeX. Plain Node code,
 * run inside the evaluation worker so the extension host never blocks.
 */
import katex from 'katex';
import type { Runtime } from '../../core/divergence/stream';
import { parse, runProgram, type Value } from '../../core/index';
import { present } from '../../core/report/present';
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
  return { source, files, ...present(source, value, { digits: request.digits, topK: request.topK }, renderTex) };
}

