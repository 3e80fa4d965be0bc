import type { Span } from '../errors';

export type Expr =
  | { readonly type: 'number'; readonly value: number; readonly span: Span }
  | { readonly type: 'string'; readonly value: string; readonly span: Span }
  | { readonly type: 'name'; readonly name: string; readonly span: Span }
  | { readonly type: 'array'; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly type: 'unary'; readonly op: '-' | '+'; readonly operand: Expr; readonly span: Span }
  | {
      readonly type: 'binary';
      readonly op: '+' | '-' | '*' | '/' | '^';
      readonly left: Expr;
      readonly right: Expr;
      readonly span: Span;
    }
  | CallExpr;

export interface CallExpr {
  readonly type: 'call';
  readonly callee: string;
  readonly calleeSpan: Span;
  readonly args: readonly Expr[];
  readonly keywords: readonly Keyword[];
  /** Set when the first two arguments were separated by `||` or `‖` (the divergence notation). */
  readonly bars: Span | undefined;
  readonly span: Span;
}

export interface Keyword {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
}

export type Statement =
  | { readonly type: 'assign'; readonly name: string; readonly nameSpan: Span; readonly value: Expr; readonly span: Span }
  | { readonly type: 'expr'; readonly value: Expr; readonly span: Span };

export interface Program {
  readonly statements: readonly Statement[];
}
