/** Messages between the extension host and the evaluation worker. */
import type { DataTable } from '../../core/chart/model';

export interface PlainTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[] | Float64Array;
}

/** Everything needed to evaluate (and re-evaluate) a program: also what a restored panel keeps. */
export interface EvaluationRequest {
  readonly source: string;
  /** Folder that relative load() paths resolve against. */
  readonly baseDir: string;
  /** Variables bound before the program runs (arrays from a selection or a hover). */
  readonly bindings?: Readonly<Record<string, PlainTensor>>;
  /** Bytes of files read through vscode.workspace.fs (non-file schemes), by the path load() sees. */
  readonly preloaded?: Readonly<Record<string, Uint8Array>>;
  /** Evaluate only up to (and including) this statement; the value shown is that statement's. */
  readonly uptoStatement?: number;
  readonly defaultBase: number;
  readonly digits: number;
  readonly topK: number;
}

export interface ChartView {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  readonly table: DataTable;
}

/** What the results panel shows. */
export interface PanelModel {
  readonly source: string;
  readonly title: string;
  /** One line: `KL(P‖Q) = 0.025267 nats  (reverse ...)`. */
  readonly valueText: string;
  /** The value alone, for "copy value". */
  readonly valueOnly: string;
  readonly unit: string | null;
  /** The report body (value, warnings, KaTeX derivation, charts) as HTML. */
  readonly bodyHtml: string;
  /** The derivation as TeX, one step per line, for "copy LaTeX". */
  readonly latex: string;
  readonly charts: readonly ChartView[];
  /** Absolute paths of the files the program read (re-evaluated when they change). */
  readonly files: readonly string[];
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly model: PanelModel }
  | { readonly type: 'error'; readonly message: string; readonly offset?: number; readonly end?: number };
