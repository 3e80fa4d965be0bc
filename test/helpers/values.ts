/** Small helpers for tests: evaluate a program and pull out numbers, with the real core. */
import assert from 'node:assert/strict';
import { evaluateProgram, type Result, type Value } from '../../src/core/index';
import type { EvaluateOptions } from '../../src/core/lang/evaluate';
import { toNested, type Nested, type Tensor } from '../../src/core/tensor';

export function run(program: string, options: EvaluateOptions = {}): Value {
  const v = evaluateProgram(program, options).value;
  assert.ok(v, `program produced no value: ${program}`);
  return v;
}

export function result(program: string, options: EvaluateOptions = {}): Result {
  const v = run(program, options);
  assert.equal(v.type, 'result', `expected a computed quantity from ${program}, got ${v.type}`);
  return (v as Extract<Value, { type: 'result' }>).result;
}

/** The value of a program as a plain number (scalar results) or nested array. */
export function value(program: string, options: EvaluateOptions = {}): Nested {
  const v = run(program, options);
  if (v.type === 'result') return toNested(v.result.value);
  if (v.type === 'tensor') return toNested(v.tensor);
  throw new Error(`not numeric: ${v.type}`);
}

export function num(program: string, options: EvaluateOptions = {}): number {
  const v = value(program, options);
  assert.equal(typeof v, 'number', `expected a scalar from ${program}, got ${JSON.stringify(v)}`);
  return v as number;
}

export function tensorOfNested(n: Nested): Tensor {
  const shape: number[] = [];
  for (let x: Nested = n; Array.isArray(x); x = x[0]!) shape.push(x.length);
  const flat: number[] = [];
  const walk = (x: Nested): void => void (Array.isArray(x) ? x.forEach(walk) : flat.push(x));
  walk(n);
  return { shape, data: Float64Array.from(flat) };
}

export function close(actual: number, expected: number, rtol = 1e-12, atol = 0, what = ''): void {
  if (Object.is(actual, expected) || actual === expected) return;
  const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  assert.ok(ok, `${what} got ${actual}, expected ${expected} (|diff| = ${Math.abs(actual - expected)}, rtol ${rtol}, atol ${atol})`);
}

/** Element-wise closeness of nested arrays (shapes must match exactly). */
export function allClose(actual: Nested, expected: Nested, rtol = 1e-12, atol = 0, what = ''): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${what} expected a number, got ${JSON.stringify(actual)}`);
    close(actual as number, expected, rtol, atol, what);
    return;
  }
  assert.ok(Array.isArray(actual), `${what} expected an array`);
  assert.equal((actual as Nested[]).length, expected.length, `${what} length`);
  expected.forEach((e, i) => allClose((actual as Nested[])[i]!, e, rtol, atol, `${what}[${i}]`));
}

/** Runs `fn` and returns the KlError message it throws (fails if it does not throw one). */
export function errorOf(fn: () => unknown): { message: string; kind: string; span: { start: number; end: number } | undefined } {
  try {
    fn();
  } catch (e) {
    const err = e as { name?: string; message: string; kind: string; span?: { start: number; end: number } };
    assert.equal(err.name, 'KlError', `expected a KlError, got ${String(e)}`);
    return { message: err.message, kind: err.kind, span: err.span };
  }
  assert.fail('expected an error');
}
