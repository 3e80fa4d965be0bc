/**
 * The JSON form of a value — the CLI's `--json` contract. Non-finite numbers become the strings
 * "Infinity", "-Infinity", "NaN", since JSON has no literal for them.
 */
import { lineColumn, type Span } from './errors';
import type { Value } from './result';
import { toNested, type Nested, type Tensor } from './tensor';

export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';
export type JsonNested = JsonNumber | JsonNested[];

export function jsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function encode(n: Nested): JsonNested {
  return typeof n === 'number' ? jsonNumber(n) : n.map(encode);
}

export function jsonTensor(t: Tensor): JsonNested {
  return encode(toNested(t));
}

function at(span: Span | undefined, source: string): string | undefined {
  if (!span) return undefined;
  const { line, column } = lineColumn(source, span.start);
  return `${line}:${column}`;
}

/** `{ value, unit, warnings, ... }` for the value of a program. */
export function valueToJson(v: Value, source: string): Record<string, unknown> {
  switch (v.type) {
    case 'tensor':
      return { kind: 'tensor', value: jsonTensor(v.tensor), shape: v.tensor.shape, unit: null, warnings: [] };
    case 'string':
      return { kind: 'string', value: v.value, unit: null, warnings: [] };
    case 'bool':
      return { kind: 'bool', value: v.value, unit: null, warnings: [] };
    case 'gaussian': {
      const g = v.gaussian;
      const k = g.mean.length;
      const cov = g.covariance.kind === 'full' ? jsonTensor({ shape: [k, k], data: g.covariance.matrix }) : jsonTensor({ shape: [k], data: g.covariance.variance });
      return {
        kind: 'gaussian',
        value: { mean: jsonTensor({ shape: [k], data: g.mean }), covariance: cov, diagonal: g.covariance.kind === 'diagonal' },
        unit: null,
        warnings: [],
      };
    }
    case 'lazy':
      return { kind: 'lazy', value: null, source: v.lazy.label, dtype: v.lazy.dtype, shape: v.lazy.shape, unit: null, warnings: [] };
    case 'result': {
      const r = v.result;
      const out: Record<string, unknown> = {
        kind: r.kind,
        quantity: r.label,
        value: jsonTensor(r.value),
        shape: r.value.shape,
        unit: r.unit?.name ?? null,
        reduction: r.reduction,
        warnings: r.warnings.map((w) => ({ code: w.code, message: w.message, ...(w.span ? { at: at(w.span, source) } : {}) })),
      };
      if ('measure' in r) out['measure'] = r.measure;
      if ((r.kind === 'discrete' || r.kind === 'gaussian') && r.reverse) out['reverse'] = jsonTensor(r.reverse.value);
      if (r.kind === 'discrete' && r.infinite) out['infinite'] = { count: r.infinite.count, indices: r.infinite.indices };
      if (r.kind === 'gaussian' && r.parts) out['parts'] = r.parts;
      if (r.kind === 'distill') {
        out['temperature'] = r.temperature;
        out['batchmean'] = jsonNumber(r.batchmean);
      }
      if (r.kind === 'estimator') out['mean'] = jsonNumber(r.mean);
      return out;
    }
  }
}
