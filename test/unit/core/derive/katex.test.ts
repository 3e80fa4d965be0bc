/**
 * Every step of every derivation typesets under KaTeX's strict mode: no parse error, no Unicode
 * KaTeX refuses, no `katex-error` in the output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import katex from 'katex';
import { derive } from '../../../../src/core/derive/index';
import { allCases } from './programs';

function render(tex: string): string {
  return katex.renderToString(tex, { throwOnError: true, strict: 'error', displayMode: true });
}

describe('derivations under KaTeX strict mode', () => {
  const cases = allCases();

  it('covers every builtin that returns a result', () => {
    const names = new Set(cases.map((c) => c.name.replace(/\(.*/s, '').replace(/^.*= |^.*; /, '')));
    for (const fn of ['KL', 'JS', 'H', 'CE', 'Jeffreys', 'TV', 'Hellinger', 'W1', 'MI', 'vae_kl', 'distill', 'k1', 'k2', 'k3', 'kl_penalty']) {
      assert.ok([...names].some((n) => n.endsWith(fn)), `no program calls ${fn}`);
    }
  });

  it(`renders every step of ${cases.length} derivations`, () => {
    let steps = 0;
    for (const c of cases) {
      const list = derive(c.result, c.options);
      assert.ok(list.length > 0, `${c.name}: no steps`);
      for (const s of list) {
        let html = '';
        assert.doesNotThrow(() => (html = render(s.tex)), `${c.name} / ${s.title}: ${s.tex}`);
        assert.ok(!html.includes('katex-error'), `${c.name} / ${s.title}: katex-error in ${s.tex}`);
        assert.ok(s.title.length > 0 && s.text.length > 0, `${c.name}: empty title or text`);
        steps++;
      }
    }
    assert.ok(steps > cases.length * 3);
  });
});
