/** The shape of a KL rule: a pure function of the syntax tree and the semantic model. */
import type { Fix, RuleId, Severity } from './finding';
import type { KlCall } from './klCalls';
import type { Model } from './model';
import type { SyntaxNode } from './syntax';

export interface Report {
  /** The node the finding is about; its range is the finding's range. */
  readonly node: SyntaxNode;
  readonly message: string;
  readonly fix?: Fix;
}

export interface RuleContext {
  readonly model: Model;
  readonly klCalls: readonly KlCall[];
  report(report: Report): void;
}

export interface Rule {
  readonly id: RuleId;
  readonly name: string;
  readonly severity: Severity;
  check(context: RuleContext): void;
}
