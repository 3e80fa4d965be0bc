/**
 * Payloads evaluated with the pure core, against the values SciPy and PyTorch give for the same
 * numbers (test/fixtures/notebook/generate.py).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import katex from 'katex';
import { describeFailure, evaluatePayload } from '../../../src/core/notebook/evaluate';
import { parsePayload } from '../../../src/core/notebook/payload';
import { FIXTURES, number } from './fixtures';

const renderTex = (tex: string): string => katex.renderToString(tex, { displayMode: true, throwOnError: false, output: 'html' });

function close(got: number, expected: number, rtol: number, what: string): void {
  assert.ok(Math.abs(got - expected) <= rtol * Math.abs(expected), `${what}: got ${got}, reference ${expected} (rtol ${rtol})`);
}

describe('evaluatePayload', () => {
  for (const c of FIXTURES.evaluate) {
    it(`${c.id}: ${c.payload.expression.replace(/\n/g, '; ')} matches ${c.reference}`, () => {
      const view = evaluatePayload(parsePayload(c.payload), renderTex);
      assert.equal(view.value.type, 'result');
      if (view.value.type !== 'result') return;
      const result = view.value.result;
      assert.deepEqual(result.value.shape, [], 'a scalar');
      close(result.value.data[0]!, number(c.expected), c.rtol, 'value');
      if (c.reverse !== undefined) {
        assert.ok((result.kind === 'discrete' || result.kind === 'gaussian') && result.reverse, 'a reverse direction');
        if ((result.kind === 'discrete' || result.kind === 'gaussian') && result.reverse) close(result.reverse.value.data[0]!, number(c.reverse), c.rtol, 'reverse');
      }
      assert.ok(view.bodyHtml.includes('class="kl-value"'));
      assert.ok(!view.bodyHtml.includes('katex-error'), 'every step typesets');
      assert.equal(Number(view.valueOnly), result.value.data[0]);
    });
  }

  it('says load() cannot read files in an output, pointing at the path', () => {
    const source = 'KL(load("p.npy") || q)';
    try {
      evaluatePayload(parsePayload({ expression: source, variables: { q: [1, 2] } }), renderTex);
      assert.fail('load() must fail');
    } catch (e) {
      const f = describeFailure(e, source);
      assert.match(f.message, /^evaluation error at 1:9: load: a notebook output cannot read files/);
      assert.deepEqual(f.span, { start: 8, end: 15 });
    }
  });

  it('uses the base option only for calls without base=', () => {
    const payload = parsePayload({ expression: 'KL(p || q, base=e)', variables: { p: [0.5, 0.5], q: [0.25, 0.75] }, options: { base: 2 } });
    const view = evaluatePayload(payload, renderTex);
    assert.equal(view.unit, 'nats');
  });

  it('describes payload errors and internal errors in one line', () => {
    try {
      parsePayload({ expression: 1 });
    } catch (e) {
      assert.equal(describeFailure(e, undefined).message, 'invalid KL Lens output: expression: expected a string, got the number 1');
    }
    assert.equal(describeFailure(new TypeError('x is undefined'), 'H(p)').message, 'internal error: x is undefined');
  });
});
