/** The data table beside every chart: the exact numbers the chart shows. */
import type { DataTable } from './model';

/**
 * A table cell for a number: the number itself when finite; '∞', '−∞' or 'NaN' otherwise, so the
 * table survives JSON (which would turn them into null) on its way to a webview.
 */
export function cell(x: number): string | number {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '−∞';
}

/** A column header with its unit: `contribution (nats)`, or the bare name for unitless values. */
export function withUnit(name: string, unit: string | undefined): string {
  return unit ? `${name} (${unit})` : name;
}

export function dataTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): DataTable {
  return { columns, rows };
}
