import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expr } from '../../../../src/core/lang/ast';
import { parse } from '../../../../src/core/lang/parser';
import { children, walkExpr } from '../../../../src/core/lang/walk';

function only(source: string): Expr {
  const [st] = parse(source).statements;
  assert.ok(st);
  return st.value;
}

/** The source text of every visited expression, in visiting order. */
function visited(source: string, visit: (e: Expr) => boolean | void = () => undefined): string[] {
  const out: string[] = [];
  walkExpr(only(source), (e) => {
    out.push(source.slice(e.span.start, e.span.end));
    return visit(e);
  });
  return out;
}

describe('walkExpr', () => {
  it('visits every expression once, each before what it contains, arguments before keywords', () => {
    assert.deepEqual(visited('KL(-p || [q, 2] * r, base=2)'), ['KL(-p || [q, 2] * r, base=2)', '-p', 'p', '[q, 2] * r', '[q, 2]', 'q', '2', 'r', '2']);
  });

  it('reaches names at any depth of nesting', () => {
    const names: string[] = [];
    walkExpr(only('f(g(-(a + [b, h(c)])), k=d ^ e)'), (e) => {
      if (e.type === 'name') names.push(e.name);
    });
    assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e']);
  });

  it('does not look inside an expression whose visit returns false', () => {
    const out = visited('KL(load("a.npy") || q)', (e) => !(e.type === 'call' && e.callee === 'load'));
    assert.deepEqual(out, ['KL(load("a.npy") || q)', 'load("a.npy")', 'q']);
  });

  it('visits a literal or a name alone', () => {
    assert.deepEqual(visited('3'), ['3']);
    assert.deepEqual(visited('"s"'), ['"s"']);
    assert.deepEqual(visited('p'), ['p']);
  });
});

describe('children', () => {
  it('lists what each kind of expression contains', () => {
    const text = (source: string): string[] => children(only(source)).map((e) => source.slice(e.span.start, e.span.end));
    assert.deepEqual(text('f(a, b, k=c)'), ['a', 'b', 'c']);
    assert.deepEqual(text('[a, b + 1]'), ['a', 'b + 1']);
    assert.deepEqual(text('-a'), ['a']);
    assert.deepEqual(text('a / b'), ['a', 'b']);
    assert.deepEqual(text('a'), []);
    assert.deepEqual(text('1.5'), []);
    assert.deepEqual(text('"x"'), []);
  });
});
