/**
 * What the KL rules report: a finding with its rule, the range of the code it is about, the
 * message, and a fix made of text edits, with its safety.
 */

export const RULE_IDS = ['KL001', 'KL002', 'KL003', 'KL004', 'KL005', 'KL006', 'KL007', 'KL008', 'KL009', 'KL010'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** `information` is for code that is right on the data it sees today but hides a failure (KL008). */
export type Severity = 'warning' | 'information';

/** Replace `[start, end)` of the unit's source (UTF-16 offsets) with `text`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * `safe`: the fix makes the code compute what it evidently means, with nothing left to decide;
 * applied by `kl-lens lint --fix` and preferred in the editor. `unsafe`: it rests on shapes or
 * intent the code does not show; offered, never applied on its own.
 */
export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  readonly description: string;
  readonly safety: FixSafety;
  readonly edits: readonly TextEdit[];
}

export interface Finding {
  readonly rule: RuleId;
  readonly name: string;
  readonly severity: Severity;
  readonly message: string;
  /** The offending code, as offsets into the unit's source. */
  readonly start: number;
  readonly end: number;
  readonly fix?: Fix;
  /** For notebooks: the 0-based index of the cell among all cells; offsets are within it. */
  readonly cell?: number;
}
