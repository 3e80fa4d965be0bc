/**
 * Charts are SVG strings built from results without a DOM, with the numbers they show as a
 * table beside them (accessibility, copy, tests).
 */

/** Colours for contexts without CSS variables (hover images); inline SVG uses var(--vscode-*). */
export interface ResolvedColors {
  readonly p: string;
  readonly q: string;
  readonly positive: string;
  readonly negative: string;
  readonly foreground: string;
  readonly lines: string;
  readonly background?: string;
}

export interface ChartOptions {
  /** 'variables' (default): var(--vscode-charts-*) with fallbacks. Or concrete colours. */
  readonly colors?: 'variables' | ResolvedColors;
  /** Largest number of elements drawn one by one before top-k by |contribution| (default 20). */
  readonly topK?: number;
  readonly width?: number;
  readonly height?: number;
  /** Significant digits in labels and the table (default 4). */
  readonly digits?: number;
}

export interface DataTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface Chart {
  /** Stable id: 'distributions', 'contributions', 'cumulative', 'rows', 'densities', 'ellipses', ... */
  readonly id: string;
  readonly title: string;
  /** One or two sentences saying what the chart shows, for <desc> and screen readers. */
  readonly description: string;
  readonly svg: string;
  readonly table: DataTable;
}
