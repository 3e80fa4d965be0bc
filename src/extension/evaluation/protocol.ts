/** Messages between the extension host and the evaluation worker. */
import type { Presentation } from '../../core/report/present';

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

/** What the results panel shows: the presentation, plus what it was computed from. */
export interface PanelModel extends Presentation {
  readonly source: string;
  /** Absolute paths of the files the program read (re-evaluated when they change). */
  readonly files: readonly string[];
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly model: PanelModel }
  | { readonly type: 'error'; readonly message: string; readonly offset?: number; readonly end?: number };
