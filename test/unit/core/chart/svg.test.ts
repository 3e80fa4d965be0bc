import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charts } from '../../../../src/core/chart/index';
import type { ResolvedColors } from '../../../../src/core/chart/model';
import { selectTop } from '../../../../src/core/chart/select';
import { esc, hash, pathData, px } from '../../../../src/core/chart/svg';
import { build, PROGRAMS } from './fixtures';
import { all, byTag, parseXml } from './xml';

const EVERY = Object.entries(PROGRAMS).map(([name, program]) => ({ name, ...build(program) }));

const RESOLVED: ResolvedColors = {
  p: '#0066cc',
  q: '#cc6600',
  positive: '#228833',
  negative: '#cc2222',
  foreground: '#202020',
  lines: '#999999',
};

describe('every chart', () => {
  it('is produced for every result kind', () => {
    for (const { name, charts: list } of EVERY) assert.ok(list.length > 0, name);
  });

  it('is well-formed XML with an accessible, labelled <svg> root', () => {
    for (const { name, charts: list } of EVERY) {
      for (const c of list) {
        const svg = parseXml(c.svg);
        assert.equal(svg.tag, 'svg', `${name}/${c.id}`);
        assert.equal(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
        assert.equal(svg.attrs.role, 'img');
        const [titleId, descId] = svg.attrs['aria-labelledby']!.split(' ');
        const title = svg.children[0]!;
        const desc = svg.children[1]!;
        assert.deepEqual([title.tag, title.attrs.id, title.text], ['title', titleId, c.title], `${name}/${c.id}`);
        assert.deepEqual([desc.tag, desc.attrs.id, desc.text], ['desc', descId, c.description]);
        assert.equal(svg.attrs.viewBox, '0 0 560 220');
        assert.ok(c.description.length > 0 && c.table.columns.length > 0 && c.table.rows.length > 0, `${name}/${c.id}`);
        for (const row of c.table.rows) assert.equal(row.length, c.table.columns.length, `${name}/${c.id} table row`);
      }
    }
  });

  it('has no NaN, no unrounded coordinates and no hard-coded white background', () => {
    for (const { name, charts: list } of EVERY) {
      for (const c of list) {
        assert.ok(!/NaN|undefined|Infinity/.test(c.svg), `${name}/${c.id}`);
        for (const e of all(parseXml(c.svg))) {
          for (const [k, v] of Object.entries(e.attrs)) assert.ok(!/\d\.\d{3,}/.test(v), `${name}/${c.id}: ${k}="${v.slice(0, 40)}"`);
        }
        assert.ok(!/#fff\b|#ffffff|white/i.test(c.svg), `${name}/${c.id}`);
        const root = parseXml(c.svg);
        // Transparent by default: nothing paints the whole canvas.
        assert.ok(!byTag(root, 'rect').some((r) => r.attrs.width === '560' && r.attrs.height === '220'));
      }
    }
  });

  it('is deterministic: the same result gives byte-identical SVG', () => {
    for (const { name, result } of EVERY) {
      assert.deepEqual(charts(result), charts(result), name);
      assert.deepEqual(charts(result), build(PROGRAMS[name]!).charts, name);
    }
  });

  it('has ids unique across the charts of a page yet stable', () => {
    const seen = new Set<string>();
    for (const { charts: list } of EVERY) {
      for (const c of list) {
        for (const e of all(parseXml(c.svg))) {
          const id = e.attrs.id;
          if (id === undefined) continue;
          assert.ok(!seen.has(id), `duplicate id ${id}`);
          seen.add(id);
        }
      }
    }
    // Different content, different ids; and no counter or clock involved.
    const a = build('KL([0.5, 0.5] || [0.4, 0.6])').charts[0]!.svg;
    const b = build('KL([0.5, 0.5] || [0.3, 0.7])').charts[0]!.svg;
    const idOf = (s: string) => /id="([^"]+)"/.exec(s)![1];
    assert.notEqual(idOf(a), idOf(b));
    assert.equal(idOf(a), idOf(build('KL([0.5, 0.5] || [0.4, 0.6])').charts[0]!.svg));
  });
});

describe('colours', () => {
  it('use VS Code chart variables with fallbacks by default', () => {
    const list = build(PROGRAMS.kl!).charts;
    const svg = list.map((c) => c.svg).join('');
    assert.ok(svg.includes('var(--vscode-charts-blue, #3794ff)'));
    assert.ok(svg.includes('var(--vscode-charts-orange, #d18616)'));
    assert.ok(svg.includes('var(--vscode-charts-green, #89d185)'));
    assert.ok(svg.includes('var(--vscode-charts-red, #f14c4c)'));
    assert.ok(svg.includes('var(--vscode-charts-foreground, currentColor)'));
    assert.ok(svg.includes('var(--vscode-charts-lines, '));
    // No inline style: presentation attributes work under a strict CSP.
    assert.ok(!/style=|<style/.test(svg));
  });

  it('use the resolved colours when given, and no variables at all', () => {
    for (const { name, result } of EVERY) {
      for (const c of charts(result, { colors: RESOLVED })) {
        assert.ok(!c.svg.includes('var('), `${name}/${c.id}`);
        assert.ok(!c.svg.includes('currentColor'), `${name}/${c.id}`);
        assert.ok(c.svg.includes(RESOLVED.foreground), `${name}/${c.id}`);
        assert.ok(/font-family="[^"]+"/.test(c.svg), 'a standalone image names its font');
      }
    }
    const kl = charts(build(PROGRAMS.kl!).result, { colors: RESOLVED }).map((c) => c.svg).join('');
    for (const colour of [RESOLVED.p, RESOLVED.q, RESOLVED.positive, RESOLVED.negative, RESOLVED.lines]) assert.ok(kl.includes(colour), colour);
  });

  it('paint the background only when the resolved colours name one', () => {
    const [c] = charts(build(PROGRAMS.kl!).result, { colors: { ...RESOLVED, background: '#1e1e1e' } });
    const root = parseXml(c!.svg);
    const bg = byTag(root, 'rect')[0]!;
    assert.deepEqual([bg.attrs.width, bg.attrs.height, bg.attrs.fill], ['560', '220', '#1e1e1e']);
  });
});

describe('options', () => {
  it('width and height set the size and the viewBox', () => {
    for (const c of charts(build(PROGRAMS.nd!).result, { width: 800, height: 300 })) {
      const root = parseXml(c.svg);
      assert.deepEqual([root.attrs.width, root.attrs.height, root.attrs.viewBox], ['800', '300', '0 0 800 300']);
    }
  });

  it('digits sets the precision of labels', () => {
    const r = build(PROGRAMS.estimator!).result;
    const at = (digits: number) => charts(r, { digits })[0]!.description;
    assert.match(at(2), /mean, −0\.01 nats/);
    const kl = build(PROGRAMS.kl!).result;
    const value = kl.value.data[0]!;
    assert.ok(charts(kl)[1]!.description.includes(`= ${+value.toPrecision(4)} nats`));
    assert.ok(charts(kl, { digits: 6 })[1]!.description.includes(`= ${+value.toPrecision(6)} nats`));
  });
});

describe('helpers', () => {
  it('esc escapes markup and quotes', () => {
    assert.equal(esc(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });

  it('px rounds to 2 decimals without trailing zeros or −0', () => {
    assert.deepEqual([px(1.23456), px(2), px(-0.001), px(10.5)], ['1.23', '2', '0', '10.5']);
  });

  it('pathData drops repeated points and the inside of horizontal runs', () => {
    assert.equal(pathData([[0, 5], [1, 5], [2, 5], [3, 1], [3, 1.001]], true), 'M0 5L2 5L3 1Z');
  });

  it('hash is a stable digest', () => {
    assert.equal(hash('abc'), hash('abc'));
    assert.notEqual(hash('abc'), hash('abd'));
  });

  it('selectTop orders by |value|, ∞ first, NaN last, ties by index', () => {
    assert.deepEqual(selectTop([0.1, -0.5, Infinity, NaN, 0.5, 0], 4).indices, [2, 1, 4, 0]);
    assert.deepEqual(selectTop([3, 1, 2], 5), { indices: [0, 1, 2], rest: 0, n: 3 });
  });
});
