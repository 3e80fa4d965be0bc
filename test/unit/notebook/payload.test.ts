/**
 * The payload contract: binary tensors decode to exactly what NumPy gives for the same bytes, and
 * every malformed field is refused with one message that names its path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadError } from '../../../src/core/notebook/errors';
import { KL_LENS_MIME, parsePayload } from '../../../src/core/notebook/payload';
import { FIXTURES, number } from './fixtures';

function refused(json: unknown, path: string, pattern?: RegExp): void {
  assert.throws(
    () => parsePayload(json),
    (e: unknown) => {
      assert.ok(e instanceof PayloadError, `a PayloadError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(`${path === '' ? 'payload' : path}: `), `message starts with the path: ${e.message}`);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('notebook payload', () => {
  it('names the MIME type of the contract', () => {
    assert.equal(KL_LENS_MIME, 'application/vnd.kl-lens+json');
  });

  describe('binary tensors decode like NumPy', () => {
    for (const c of FIXTURES.decode) {
      it(c.id, () => {
        const t = parsePayload({ expression: 'x', variables: { x: c.variable } }).variables.get('x')!;
        assert.deepEqual(t.shape, c.shape);
        assert.equal(t.data.length, c.expected.length);
        c.expected.forEach((e, i) => assert.ok(Object.is(t.data[i], number(e)), `element ${i}: got ${t.data[i]}, NumPy ${e}`));
      });
    }
  });

  describe('binary tensors NumPy wrote but the payload refuses', () => {
    for (const c of FIXTURES.errors) {
      it(c.id, () => {
        assert.throws(() => parsePayload(c.payload), (e: unknown) => {
          assert.ok(e instanceof PayloadError);
          assert.equal(e.path, c.path);
          for (const m of c.mentions) assert.ok(e.message.includes(m), `${e.message} mentions ${m}`);
          return true;
        });
      });
    }
  });

  it('stacks nested lists like np.array, with scalars and empty lists', () => {
    const p = parsePayload({ expression: 'x', variables: { m: [[1, 2, 3], [4, 5, 6]], s: 2.5, e: [], z: [[], []] } });
    assert.deepEqual(p.variables.get('m'), { shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6) });
    assert.deepEqual(p.variables.get('s'), { shape: [], data: Float64Array.of(2.5) });
    assert.deepEqual(p.variables.get('e'), { shape: [0], data: new Float64Array(0) });
    assert.deepEqual(p.variables.get('z'), { shape: [2, 0], data: new Float64Array(0) });
  });

  it('accepts base64 with line breaks and without padding', () => {
    const x = { dtype: 'float32', shape: [1], data: 'AACA\nPw' }; // 1.0f, wrapped, '=' dropped
    assert.deepEqual(parsePayload({ expression: 'x', variables: { x } }).variables.get('x')!.data, Float64Array.of(1));
  });

  it('reads options: base by number or unit name, digits, topK', () => {
    assert.deepEqual(parsePayload({ expression: 'x', options: { base: 2, digits: 7, topK: 30 } }).options, { base: 2, digits: 7, topK: 30 });
    assert.equal(parsePayload({ expression: 'x', options: { base: 'e' } }).options.base, Math.E);
    assert.equal(parsePayload({ expression: 'x', options: { base: 'hartleys' } }).options.base, 10);
    assert.deepEqual(parsePayload({ expression: 'x' }).options, {});
  });

  describe('every malformed field is named', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['not an object', [1, 2], '', /expected a JSON object with an expression, got a list of 2/],
      ['null', null, '', /got null/],
      ['no expression', { variables: {} }, '', /missing expression/],
      ['expression not a string', { expression: 42 }, 'expression', /expected a string, got the number 42/],
      ['empty expression', { expression: '  ' }, 'expression', /is empty/],
      ['unknown top-level field', { expression: 'x', varaibles: {} }, 'varaibles', /unknown field/],
      ['variables not an object', { expression: 'x', variables: [1] }, 'variables', /expected an object of name: array/],
      ['invalid name', { expression: 'x', variables: { '2p': [1] } }, 'variables["2p"]', /not a valid variable name/],
      ['name with a space', { expression: 'x', variables: { 'a b': [1] } }, 'variables["a b"]', /not a valid variable name/],
      ['string value', { expression: 'x', variables: { p: 'abc' } }, 'variables.p', /got the string "abc"/],
      ['null value', { expression: 'x', variables: { p: null } }, 'variables.p', /got null/],
      ['ragged list', { expression: 'x', variables: { p: [[1, 2], [3]] } }, 'variables.p[1]', /has 1 entry but variables\.p\[0\] has 2/],
      ['list where a number belongs', { expression: 'x', variables: { p: [1, [2]] } }, 'variables.p[1]', /expected a number \(like variables\.p\[0\]\), got a list of 1/],
      ['number where a list belongs', { expression: 'x', variables: { p: [[1, 2], 3] } }, 'variables.p[1]', /expected a list of 2.*got the number 3/],
      ['string in a list', { expression: 'x', variables: { p: [[1, 2], [3, 'x']] } }, 'variables.p[1][1]', /expected a number.*got the string "x"/],
      ['boolean in a list', { expression: 'x', variables: { p: [1, true] } }, 'variables.p[1]', /got true/],
      ['null in a list', { expression: 'x', variables: { p: [1, null] } }, 'variables.p[1]', /got null/],
      ['binary without data', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1] } } }, 'variables.q', /needs data/],
      ['binary with an extra field', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1], data: 'AACAPw==', order: 'C' } } }, 'variables.q.order', /unknown field/],
      ['unknown dtype', { expression: 'x', variables: { q: { dtype: 'complex64', shape: [1], data: '' } } }, 'variables.q.dtype', /one of float64, float32, float16, int64, int32, got the string "complex64"/],
      ['shape not a list', { expression: 'x', variables: { q: { dtype: 'float32', shape: 3, data: '' } } }, 'variables.q.shape', /list of dimensions/],
      ['negative dimension', { expression: 'x', variables: { q: { dtype: 'float32', shape: [2, -1], data: '' } } }, 'variables.q.shape[1]', /an integer ≥ 0\), got the number -1/],
      ['fractional dimension', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1.5], data: '' } } }, 'variables.q.shape[0]', /got the number 1.5/],
      ['data not a string', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1], data: [0, 0, 128, 63] } } }, 'variables.q.data', /expected a base64 string/],
      ['bad base64 character', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1], data: 'AA*A' } } }, 'variables.q.data', /unexpected character "\*" at position 2/],
      ['padding in the middle', { expression: 'x', variables: { q: { dtype: 'float32', shape: [2], data: 'AACAPw==AACAPw==' } } }, 'variables.q.data', /unexpected character "=" at position 6/],
      ['truncated base64', { expression: 'x', variables: { q: { dtype: 'float32', shape: [1], data: 'AACAP' } } }, 'variables.q.data', /5 characters is not a whole number of bytes/],
      ['byte length', { expression: 'x', variables: { q: { dtype: 'float64', shape: [2, 3], data: 'AACAPw==' } } }, 'variables.q.data', /4 bytes, but shape \[2, 3\] of float64 needs 48 \(6 × 8 bytes\)/],
      ['lists nested too deep', { expression: 'x', variables: { p: JSON.parse('['.repeat(40) + '1' + ']'.repeat(40)) } }, 'variables.p', /nested more than 32 lists deep/],
      ['too many dimensions', { expression: 'x', variables: { q: { dtype: 'float32', shape: new Array(33).fill(1), data: '' } } }, 'variables.q.shape', /has 33 dimensions; at most 32/],
      ['options not an object', { expression: 'x', options: 2 }, 'options', /expected an object/],
      ['unknown option', { expression: 'x', options: { bsae: 2 } }, 'options.bsae', /unknown field; options are base, digits, topK/],
      ['base 1', { expression: 'x', options: { base: 1 } }, 'options.base', /number > 0 other than 1/],
      ['base name', { expression: 'x', options: { base: 'bytes' } }, 'options.base', /got the string "bytes"/],
      ['digits', { expression: 'x', options: { digits: 30 } }, 'options.digits', /integer from 1 to 17, got the number 30/],
      ['topK', { expression: 'x', options: { topK: 1.5 } }, 'options.topK', /integer from 2 to 200/],
    ];
    for (const [name, json, path, pattern] of cases) it(name, () => refused(json, path, pattern));
  });

  it('decodes a 10⁶-element float32 tensor quickly (timing printed, not asserted)', () => {
    const n = 1_000_000;
    const f = Float32Array.from({ length: n }, (_, i) => i / n);
    const data = Buffer.from(f.buffer).toString('base64');
    const started = performance.now();
    const t = parsePayload({ expression: 'x', variables: { x: { dtype: 'float32', shape: [n], data } } }).variables.get('x')!;
    const ms = performance.now() - started;
    assert.equal(t.data[n - 1], f[n - 1]);
    console.log(`# decoded 10^6 float32 (${(data.length / 1e6).toFixed(1)} MB of base64) in ${ms.toFixed(0)} ms`);
  });
});
