import { KlError, type Span } from '../errors';
import type { CallExpr, Expr, Keyword, Program, Statement } from './ast';
import { tokenize, type Token } from './lexer';

/**
 * Recursive-descent parser for the KL language.
 *
 * Precedence, loosest first: `+ -`, `* /`, unary `-`, `^` (right-associative, binds tighter than
 * unary minus as in Python: -2^2 = -4), calls and primaries.
 */
export function parse(source: string): Program {
  return new Parser(tokenize(source)).program();
}

/** Parses a single expression (the whole input must be one expression). */
export function parseExpression(source: string): Expr {
  const parser = new Parser(tokenize(source));
  const expr = parser.expression();
  parser.expectEnd();
  return expr;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  program(): Program {
    const statements: Statement[] = [];
    for (;;) {
      while (this.peek().type === 'newline') this.pos++;
      if (this.peek().type === 'eof') break;
      statements.push(this.statement());
      const t = this.peek();
      if (t.type !== 'newline' && t.type !== 'eof') {
        this.fail(t, `expected a new line or ';' after the statement`);
      }
    }
    return { statements };
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'eof') this.fail(t, 'expected end of input');
  }

  private statement(): Statement {
    const first = this.peek();
    const second = this.tokens[this.pos + 1];
    if (first.type === 'name' && second?.type === 'op' && second.text === '=') {
      this.pos += 2;
      const value = this.expression();
      return { type: 'assign', name: first.text, nameSpan: first.span, value, span: join(first.span, value.span) };
    }
    const value = this.expression();
    return { type: 'expr', value, span: value.span };
  }

  expression(): Expr {
    return this.additive();
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (let t = this.peek(); isOp(t, '+') || isOp(t, '-'); t = this.peek()) {
      this.pos++;
      const right = this.multiplicative();
      left = { type: 'binary', op: t.text as '+' | '-', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (let t = this.peek(); isOp(t, '*') || isOp(t, '/'); t = this.peek()) {
      this.pos++;
      const right = this.unary();
      left = { type: 'binary', op: t.text as '*' | '/', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (isOp(t, '-') || isOp(t, '+')) {
      this.pos++;
      const operand = this.unary();
      // Fold `-2.5e-3` into one literal so it reads (and reports) as the number it is.
      if (operand.type === 'number') {
        return { type: 'number', value: t.text === '-' ? -operand.value : operand.value, span: join(t.span, operand.span) };
      }
      return { type: 'unary', op: t.text as '-' | '+', operand, span: join(t.span, operand.span) };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    const t = this.peek();
    if (isOp(t, '^')) {
      this.pos++;
      const exponent = this.unary();
      return { type: 'binary', op: '^', left: base, right: exponent, span: join(base.span, exponent.span) };
    }
    return base;
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'number':
        this.pos++;
        return { type: 'number', value: t.value, span: t.span };
      case 'string':
        this.pos++;
        return { type: 'string', value: t.text, span: t.span };
      case 'name':
        this.pos++;
        if (isOp(this.peek(), '(')) return this.call(t);
        return { type: 'name', name: t.text, span: t.span };
      case 'op':
        if (t.text === '(') {
          this.pos++;
          const inner = this.expression();
          const close = this.expect(')');
          return { ...inner, span: join(t.span, close.span) } as Expr;
        }
        if (t.text === '[') return this.array();
        break;
      default:
        break;
    }
    return this.fail(t, 'expected an expression');
  }

  private array(): Expr {
    const open = this.expect('[');
    const items: Expr[] = [];
    while (!isOp(this.peek(), ']')) {
      items.push(this.expression());
      if (!isOp(this.peek(), ',')) break;
      this.pos++; // a trailing comma is fine: [1, 2, 3,]
    }
    const close = this.expect(']', "expected ',' or ']'");
    return { type: 'array', items, span: join(open.span, close.span) };
  }

  private call(name: Token): CallExpr {
    this.expect('(');
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    let bars: Span | undefined;
    while (!isOp(this.peek(), ')')) {
      const t = this.peek();
      const next = this.tokens[this.pos + 1];
      if (t.type === 'name' && next && isOp(next, '=')) {
        this.pos += 2;
        if (keywords.some((k) => k.name === t.text)) this.error(t, `keyword argument '${t.text}' given twice`);
        keywords.push({ name: t.text, nameSpan: t.span, value: this.expression() });
      } else {
        if (keywords.length > 0) this.error(t, 'positional argument after a keyword argument');
        args.push(this.expression());
      }
      const sep = this.peek();
      if (isOp(sep, ',')) {
        this.pos++;
      } else if (isOp(sep, '||')) {
        if (args.length !== 1 || keywords.length > 0) {
          this.error(sep, `'||' separates exactly two distributions: ${name.text}(P || Q)`);
        }
        bars = sep.span;
        this.pos++;
        if (isOp(this.peek(), ')')) this.fail(this.peek(), `expected the second distribution after '||'`);
      } else {
        break;
      }
    }
    const close = this.expect(')');
    return { type: 'call', callee: name.text, calleeSpan: name.span, args, keywords, bars, span: join(name.span, close.span) };
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private expect(op: string, message = `expected '${op}'`): Token {
    const t = this.peek();
    if (!isOp(t, op)) this.fail(t, message);
    this.pos++;
    return t;
  }

  /** An expectation that was not met: says what came instead. */
  private fail(t: Token, message: string): never {
    this.error(t, `${message} but found ${describe(t)}`);
  }

  private error(t: Token, message: string): never {
    throw new KlError('syntax', message, t.span);
  }
}

function isOp(t: Token, op: string): boolean {
  return t.type === 'op' && t.text === op;
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of input';
    case 'newline':
      return t.text === ';' ? "';'" : 'end of line';
    case 'number':
      return `number ${t.text}`;
    case 'string':
      return 'a string';
    case 'name':
      return `'${t.text}'`;
    case 'op':
      return `'${t.text === '||' ? '||' : t.text}'`;
  }
}
