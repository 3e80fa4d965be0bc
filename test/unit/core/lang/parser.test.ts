import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatError, type KlError } from '../../../../src/core/errors';
import type { Expr } from '../../../../src/core/lang/ast';
import { parse, parseExpression } from '../../../../src/core/lang/parser';
import { errorOf } from '../../../helpers/values';

/** A compact s-expression of the tree, to compare structure without spans. */
function show(e: Expr): string {
  switch (e.type) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'name':
      return e.name;
    case 'array':
      return `[${e.items.map(show).join(' ')}]`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'binary':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'call':
      return `(${e.callee}${e.bars ? '‖' : ''} ${[...e.args.map(show), ...e.keywords.map((k) => `${k.name}=${show(k.value)}`)].join(' ')})`;
  }
}

function syntaxError(src: string): string {
  try {
    parse(src);
  } catch (e) {
    return formatError(e as KlError, src);
  }
  return assert.fail(`no error for ${src}`);
}

describe('parse', () => {
  it('follows arithmetic precedence and associativity', () => {
    assert.equal(show(parseExpression('1 + 2 * 3')), '(+ 1 (* 2 3))');
    assert.equal(show(parseExpression('1 - 2 - 3')), '(- (- 1 2) 3)');
    assert.equal(show(parseExpression('2 ^ 3 ^ 2')), '(^ 2 (^ 3 2))');
    assert.equal(show(parseExpression('-x ^ 2')), '(- (^ x 2))');
    assert.equal(show(parseExpression('2 ^ -1')), '(^ 2 -1)');
    assert.equal(show(parseExpression('(1 + 2) * 3')), '(* (+ 1 2) 3)');
  });

  it('folds negative literals', () => {
    assert.equal(show(parseExpression('-2.5e-3')), '-0.0025');
  });

  it('parses nested arrays with trailing commas and newlines', () => {
    assert.equal(show(parseExpression('[[1, 2],\n [3, 4],]')), '[[1 2] [3 4]]');
    assert.equal(show(parseExpression('[]')), '[]');
  });

  it('parses calls with ||, ‖, commas and keywords', () => {
    assert.equal(show(parseExpression('KL(p || q)')), '(KL‖ p q)');
    assert.equal(show(parseExpression('KL(p ‖ q, base=2)')), '(KL‖ p q base=2)');
    assert.equal(show(parseExpression('JS(p, q)')), '(JS p q)');
    assert.equal(show(parseExpression('distill(s, t, T=4)')), '(distill s t T=4)');
    assert.equal(show(parseExpression('f()')), '(f )');
  });

  it('splits statements and keeps assignments', () => {
    const prog = parse('p = [0.5, 0.5]  # fair\nq = [0.9, 0.1]; KL(p || q)\n\n');
    assert.deepEqual(
      prog.statements.map((s) => (s.type === 'assign' ? `${s.name}=${show(s.value)}` : show(s.value))),
      ['p=[0.5 0.5]', 'q=[0.9 0.1]', '(KL‖ p q)'],
    );
  });

  it('reports syntax errors at line:column', () => {
    assert.equal(syntaxError('KL([0.5,0.3] || [0.4,0.6]'), "syntax error at 1:26: expected ')' but found end of input");
    assert.equal(syntaxError('p = [1, 2\nq = 3'), "syntax error at 2:1: expected ',' or ']' but found 'q'");
    assert.equal(syntaxError('a = \nb'), 'syntax error at 1:5: expected an expression but found end of line');
    assert.equal(syntaxError('KL(p || q || r)'), "syntax error at 1:11: '||' separates exactly two distributions: KL(P || Q)");
    assert.equal(syntaxError('KL(p ||)'), "syntax error at 1:8: expected the second distribution after '||' but found ')'");
    assert.equal(syntaxError('f(T=1, x)'), "syntax error at 1:8: positional argument after a keyword argument");
    assert.equal(syntaxError('f(T=1, T=2)'), "syntax error at 1:8: keyword argument 'T' given twice");
    assert.equal(syntaxError('a b'), "syntax error at 1:3: expected a new line or ';' after the statement but found 'b'");
    assert.equal(syntaxError('μ = )'), "syntax error at 1:5: expected an expression but found ')'");
  });

  it('counts columns in code points', () => {
    assert.equal(syntaxError('KL(p ‖ q'), "syntax error at 1:9: expected ')' but found end of input");
  });

  it('gives spans that cover the whole call', () => {
    const e = parseExpression('  KL(p || q)  ');
    assert.deepEqual(e.span, { start: 2, end: 12 });
    assert.equal(errorOf(() => parse('(1')).kind, 'syntax');
  });
});
