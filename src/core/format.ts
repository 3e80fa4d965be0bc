/**
 * Plain-text rendering of values and results: the CLI's answer line, and the text twin every other
 * surface can fall back to.
 */
import type { Gaussian } from './gaussian/gaussian';
import type { Result, Value } from './result';
import { isScalar, shapeString, type Tensor } from './tensor';

export interface FormatOptions {
  /** Significant digits (default 5). */
  readonly digits?: number;
  /** Arrays longer than this are elided in the middle (default 12). */
  readonly maxItems?: number;
}

export function formatNumber(x: number, digits = 5): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e6) {
    // Significant digits without exponent; trailing zeros dropped (0.5, not 0.50000).
    const s = x.toPrecision(digits);
    return s.includes('e') ? String(Number(s)) : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  }
  return x.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
}

export function formatTensor(t: Tensor, options: FormatOptions = {}): string {
  const digits = options.digits ?? 5;
  const maxItems = options.maxItems ?? 12;
  if (isScalar(t)) return formatNumber(t.data[0]!, digits);
  const render = (axis: number, offset: number, stride: number): string => {
    const n = t.shape[axis]!;
    const inner = stride / n;
    const indices = n > maxItems ? [...range(0, maxItems - 3), -1, ...range(n - 2, n)] : range(0, n);
    const parts = indices.map((i) =>
      i < 0 ? '…' : axis === t.shape.length - 1 ? formatNumber(t.data[offset + i]!, digits) : render(axis + 1, offset + i * inner, inner),
    );
    return `[${parts.join(', ')}]`;
  };
  return render(0, 0, t.data.length);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

export function formatGaussian(g: Gaussian, digits = 5): string {
  const k = g.mean.length;
  const mean = k === 1 ? formatNumber(g.mean[0]!, digits) : formatTensor({ shape: [k], data: g.mean }, { digits });
  const cov =
    g.covariance.kind === 'full'
      ? formatTensor({ shape: [k, k], data: g.covariance.matrix }, { digits })
      : k === 1
        ? formatNumber(g.covariance.variance[0]!, digits)
        : `diag${formatTensor({ shape: [k], data: g.covariance.variance }, { digits })}`;
  return `N(${mean}, ${cov})`;
}

function withUnit(t: Tensor, unit: string | undefined, options: FormatOptions): string {
  const text = formatTensor(t, options);
  return unit ? `${text} ${unit}` : text;
}

/** `KL(P‖Q) = 0.025267 nats  (reverse KL(Q‖P) = 0.025815 nats)` and the like. */
export function formatResult(r: Result, options: FormatOptions = {}): string {
  const unit = r.unit?.name;
  const perRow = !isScalar(r.value) ? ` per ${r.kind === 'estimator' ? 'sample' : r.kind === 'gaussian' ? 'dimension' : 'row'} ${shapeString(r.value.shape)}` : '';
  let line = `${r.label}${perRow} = ${withUnit(r.value, unit, options)}`;
  if ((r.kind === 'discrete' || r.kind === 'gaussian') && r.reverse && r.measure === 'KL') {
    const reverseLabel = r.label.replace(/^KL\((.*)‖(.*)\)$/, 'KL($2‖$1)');
    line += `  (reverse ${reverseLabel} = ${withUnit(r.reverse.value, unit, options)})`;
  }
  if (r.kind === 'estimator' && !isScalar(r.value)) line += `  (mean ${formatNumber(r.mean, options.digits)} ${unit ?? ''})`.replace(' )', ')');
  if (r.kind === 'distill') line += `  (T = ${formatNumber(r.temperature)}, batchmean KL = ${formatNumber(r.batchmean, options.digits)} ${unit})`;
  return line;
}

export function formatValue(v: Value, options: FormatOptions = {}): string {
  switch (v.type) {
    case 'tensor':
      return formatTensor(v.tensor, options);
    case 'string':
      return JSON.stringify(v.value);
    case 'bool':
      return String(v.value);
    case 'gaussian':
      return formatGaussian(v.gaussian, options.digits);
    case 'result':
      return formatResult(v.result, options);
    case 'lazy':
      return `${v.lazy.label}: ${v.lazy.dtype} ${shapeString(v.lazy.shape)} (not loaded)`;
  }
}
