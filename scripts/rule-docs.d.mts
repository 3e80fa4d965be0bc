/** Types of scripts/rule-docs.mjs for the tests. */
export interface RuleDocEntry {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly [section: string]: string;
}
export function readRules(): RuleDocEntry[];
/** Each generated file's path and the content it must have. */
export function expectedOutputs(): Map<string, string>;
