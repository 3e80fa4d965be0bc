/**
 * The notebook renderer in jsdom: what one output shows for a good payload (value, reverse, KaTeX,
 * SVG chart, data table), the error box for bad ones, disposal, independence of outputs, and the
 * "Open in panel" message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FONT_BASE, shadow, testRenderer } from './context';
import { evaluateCase, number } from './fixtures';

/** KL([.5,.3,.2] ‖ [.4,.4,.2]) with SciPy's value and reverse. */
const LISTS = evaluateCase('kl-lists');
const KL = LISTS.payload;
/** Five significant digits, as outputs show by default (JavaScript's own formatting, trailing zeros aside). */
const shown = (x: number, digits = 5): string => String(Number(x.toPrecision(digits)));

describe('notebook renderer', () => {
  it('shows the value in large type with its unit, the reverse direction, KaTeX and a chart with its table', async () => {
    const r = testRenderer();
    const root = shadow(await r.render('a', KL));
    const value = root.querySelector('.kl-value');
    assert.ok(value, 'a .kl-value headline');
    assert.equal(value.textContent, `KL(P‖Q) = ${shown(number(LISTS.expected))} nats`);
    const exact = Number(root.querySelector<HTMLElement>('.kl-output')!.dataset['value']);
    assert.ok(Math.abs(exact - number(LISTS.expected)) <= LISTS.rtol * number(LISTS.expected), `value ${exact} vs SciPy ${LISTS.expected}`);
    assert.equal(root.querySelector('.kl-reverse')?.textContent, `reverse KL(Q‖P) = ${shown(number(LISTS.reverse!))} nats`);
    const math = root.querySelectorAll('.kl-math .katex');
    assert.ok(math.length >= 2, `KaTeX formulas in the derivation (got ${math.length})`);
    assert.equal(root.querySelectorAll('.katex-error').length, 0, 'no KaTeX errors');
    assert.ok(root.querySelector('.kl-math .katex-mathml'), 'MathML twin present (hidden by the KaTeX rules in the shadow root)');
    const svg = root.querySelector('.kl-chart svg');
    assert.ok(svg && svg.querySelectorAll('rect, path').length > 0, 'an SVG chart with marks');
    const table = root.querySelector('.kl-table table');
    assert.ok(table, 'the chart data table');
    assert.ok(table.querySelectorAll('tbody tr').length >= 3, 'one row per element at least');
  });

  it('puts the KaTeX layout rules in the shadow root and the font faces, with absolute woff2 URLs, in the head once', async () => {
    const r = testRenderer();
    const a = shadow(await r.render('a', KL));
    await r.render('b', KL);
    const css = a.querySelector('style')?.textContent ?? '';
    assert.match(css, /\.katex \.katex-mathml\{[^}]*clip-path:inset\(50%\)/, 'MathML is clipped inside the shadow root');
    assert.doesNotMatch(css, /@font-face/);
    const faces = r.document.head.querySelectorAll('style#kl-lens-katex-fonts');
    assert.equal(faces.length, 1);
    const text = faces[0]!.textContent ?? '';
    assert.ok(text.includes(`src:url("${FONT_BASE}KaTeX_Main-Regular.woff2") format("woff2")`), 'font URL resolved against the bundle');
    assert.doesNotMatch(text, /\.woff"|\.ttf/, 'only woff2 is shipped');
    assert.equal(text.match(/@font-face/g)?.length, 20, 'all KaTeX faces');
  });

  it('shows warnings from the core', async () => {
    const r = testRenderer();
    const root = shadow(await r.render('w', { expression: 'KL(p || q)', variables: { p: [0.5, 0.25, 0.25], q: [0.5, 0.5, 0] } }));
    assert.match(root.querySelector('.kl-number')?.textContent ?? '', /∞/);
    assert.ok(root.querySelectorAll('.kl-warning').length >= 1, 'a warning for the infinite divergence');
  });

  it('shows the warning that distill was given distributions, with its code', async () => {
    const r = testRenderer();
    const payload = { expression: 'distill(softmax(s), softmax(t), T=4)', variables: { s: [[2, 0.5, -1]], t: [[0.1, 1.5, -0.3]] } };
    const root = shadow(await r.render('d', payload));
    const warning = root.querySelector('.kl-warning[data-code="distributions-not-logits"]');
    assert.ok(warning, 'the distill warning in the list of warnings');
    assert.match(warning.textContent ?? '', /^student and teacher rows are already distributions .* pass the logits/);
  });

  it('honours options: base and digits', async () => {
    const bits = evaluateCase('kl-float32-bits');
    const r = testRenderer();
    const root = shadow(await r.render('o', { ...bits.payload, options: { base: 'bits', digits: 3 } }));
    assert.equal(root.querySelector('.kl-value')?.textContent, `KL(P‖Q) = ${shown(number(bits.expected), 3)} bits`);
  });

  for (const [name, json, pattern] of [
    ['an invalid payload', { expression: 'KL(p || q)', variables: { p: [[0.5, 0.5], [1]] } }, /variables\.p\[1\]: has 1 entry but variables\.p\[0\] has 2/],
    ['text that is not JSON', '{"expression": "KL(p', /payload: is not valid JSON/],
    ['a syntax error', { expression: 'KL(p || )', variables: { p: [1] } }, /syntax error at 1:9/],
    ['an undefined name', { expression: 'KL(p || r)', variables: { p: [0.5, 0.5], q: [0.5, 0.5] } }, /undefined name 'r'/],
    ['load()', { expression: 'KL(load("p.npy") || q)', variables: { q: [1] } }, /load: a notebook output cannot read files/],
  ] as const) {
    it(`draws an error box for ${name}, not a blank or a throw`, async () => {
      const r = testRenderer();
      const root = shadow(await r.render('bad', json));
      const box = root.querySelector('.kl-error');
      assert.ok(box, 'an error box');
      assert.equal(box.getAttribute('role'), 'alert');
      assert.match(box.querySelector('.kl-error-message')?.textContent ?? '', pattern);
      assert.equal(root.querySelector('.kl-value'), null);
      assert.equal(root.querySelector('.kl-open-panel'), null, 'nothing to open');
    });
  }

  it('shows the expression of a payload that fails validation, so the output is recognisable', async () => {
    const r = testRenderer();
    const root = shadow(await r.render('bad', { expression: 'JS(a, b)', variables: { a: [1, 'x'] } }));
    assert.match(root.querySelector('.kl-error-message')?.textContent ?? '', /variables\.a\[1\]/);
    assert.equal(root.querySelector('.kl-error .kl-source')?.textContent, 'JS(a, b)');
  });

  it('marks the failing span of the expression', async () => {
    const r = testRenderer();
    const root = shadow(await r.render('span', { expression: 'KL(p || r)', variables: { p: [0.5, 0.5] } }));
    assert.equal(root.querySelector('.kl-error mark')?.textContent, 'r');
    assert.equal(root.querySelector('.kl-error .kl-source')?.textContent, 'KL(p || r)');
  });

  it('posts the payload on "Open in panel"', async () => {
    const r = testRenderer();
    const root = shadow(await r.render('a', KL));
    const button = root.querySelector<HTMLButtonElement>('button.kl-open-panel');
    assert.ok(button);
    button.click();
    assert.deepEqual(r.posted, [{ type: 'openInPanel', payload: KL }]);
  });

  it('hides "Open in panel" when the context cannot post messages', async () => {
    const r = testRenderer({ messaging: false });
    const root = shadow(await r.render('a', KL));
    assert.ok(root.querySelector('.kl-value'));
    assert.equal(root.querySelector('.kl-open-panel'), null);
  });

  it('disposeOutputItem(id) empties that output and removes its listeners; the other stays', async () => {
    const r = testRenderer();
    const a = await r.render('a', KL);
    const b = await r.render('b', { expression: 'H(p)', variables: { p: [0.5, 0.5] } });
    const buttonA = shadow(a).querySelector<HTMLButtonElement>('.kl-open-panel')!;
    r.api.disposeOutputItem!('a');
    assert.equal(shadow(a).childNodes.length, 0);
    buttonA.click(); // a detached button whose listener was removed
    assert.deepEqual(r.posted, []);
    assert.ok(shadow(b).querySelector('.kl-value'), 'the other output is untouched');
    shadow(b).querySelector<HTMLButtonElement>('.kl-open-panel')!.click();
    assert.equal(r.posted.length, 1);
  });

  it('disposeOutputItem() without an id disposes every output', async () => {
    const r = testRenderer();
    const a = await r.render('a', KL);
    const b = await r.render('b', KL);
    r.api.disposeOutputItem!();
    assert.equal(shadow(a).childNodes.length, 0);
    assert.equal(shadow(b).childNodes.length, 0);
  });

  it('re-rendering an output into its element replaces it, with one listener', async () => {
    const r = testRenderer();
    const el = await r.render('a', KL);
    await r.render('a', { ...KL, options: { base: 2 } }, el);
    assert.equal(shadow(el).querySelectorAll('.kl-output').length, 1);
    assert.match(shadow(el).querySelector('.kl-value')?.textContent ?? '', /bits/);
    shadow(el).querySelector<HTMLButtonElement>('.kl-open-panel')!.click();
    assert.equal(r.posted.length, 1);
  });

  it('two outputs do not interfere: each query is scoped to its own root', async () => {
    const r = testRenderer();
    const a = await r.render('a', KL);
    const gauss = evaluateCase('kl-gaussian-scalars');
    const b = await r.render('b', gauss.payload);
    assert.match(shadow(a).querySelector('.kl-value')?.textContent ?? '', new RegExp(`= ${shown(number(LISTS.expected))} nats`));
    assert.match(shadow(b).querySelector('.kl-value')?.textContent ?? '', new RegExp(`= ${shown(number(gauss.expected))} nats`));
    assert.equal(r.document.querySelectorAll('.kl-value').length, 0, 'nothing leaks into the light DOM');
    shadow(b).querySelector<HTMLButtonElement>('.kl-open-panel')!.click();
    assert.deepEqual(r.posted, [{ type: 'openInPanel', payload: gauss.payload }]);
  });

  it('renders a 50k-element distribution (timing printed, not asserted)', async () => {
    const n = 50_000;
    const p = Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 1000));
    const q = Array.from({ length: n }, (_, i) => 1 + ((i * 104729) % 997));
    const r = testRenderer();
    const started = performance.now();
    const root = shadow(await r.render('big', { expression: 'KL(p || q)', variables: { p, q } }));
    const ms = performance.now() - started;
    assert.ok(root.querySelector('.kl-value'));
    assert.ok(root.querySelector('.kl-chart svg'));
    const inner = root.querySelector<HTMLElement>('.kl-output')!.dataset['renderMs'];
    console.log(`# 50k-element payload rendered in jsdom in ${ms.toFixed(0)} ms (renderer's own measure ${inner} ms)`);
  });
});
