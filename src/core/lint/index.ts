/** KL Lint: the silent KL mistakes in Python code, found over a tree-sitter syntax tree. */
export { lintUnits, firstSyntaxError, type LintUnit, type LintOptions, type LintResult } from './lint';
export { RULE_IDS, type Finding, type Fix, type FixSafety, type RuleId, type Severity, type TextEdit } from './finding';
export { RULES } from './rules/index';
export type { SyntaxNode, SyntaxTree } from './syntax';
