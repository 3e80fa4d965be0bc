/** The pure hover builder: numbers, chart images and the panel link, without VS Code. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../../../src/core/tensor';
import {
  base64Utf8,
  buildArrayHover,
  buildComparisonHover,
  DARK_COLORS,
  escapeMarkdown,
  HIGH_CONTRAST_COLORS,
  HIGH_CONTRAST_LIGHT_COLORS,
  LIGHT_COLORS,
  type HoverOptions,
  type OpenArgs,
} from '../../../../src/extension/hover/buildHover';
import { byTag, parseXml } from '../../core/chart/xml';

const options: HoverOptions = { digits: 5, colors: DARK_COLORS, topK: 20, command: 'klLens.openInPanel' };
const vec = (xs: readonly number[]): Tensor => ({ shape: [xs.length], data: Float64Array.from(xs) });

/** The reference values, written out here rather than taken from the core. */
const entropy = (p: readonly number[]): number => {
  const s = p.reduce((a, b) => a + b, 0);
  return -p.reduce((acc, x) => (x === 0 ? acc : acc + (x / s) * Math.log(x / s)), 0);
};
const kl = (p: readonly number[], q: readonly number[]): number => p.reduce((acc, x, i) => (x === 0 ? acc : acc + x * Math.log(x / q[i]!)), 0);
const shown = (x: number): string => String(Number(x.toPrecision(5)));

function images(markdown: string): { alt: string; svg: string; encoded: string }[] {
  return [...markdown.matchAll(/!\[((?:\\.|[^\]])*)\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)/g)].map((m) => ({
    alt: m[1]!,
    encoded: m[2]!,
    svg: Buffer.from(m[2]!, 'base64').toString('utf8'),
  }));
}

function link(markdown: string, command = 'klLens.openInPanel'): unknown {
  const m = new RegExp(`\\[Open in KL Lens\\]\\(command:${command.replace('.', '\\.')}\\?([^ )]+)`).exec(markdown);
  assert.ok(m, 'no command link');
  return JSON.parse(decodeURIComponent(m[1]!));
}

describe('buildArrayHover', () => {
  it('shows the sum, the kind and the entropy of a distribution, with a chart and a link', () => {
    const p = [0.5, 0.3, 0.2];
    const h = buildArrayHover(vec(p), { ...options, name: 'p' });
    assert.ok(h);
    assert.match(h.markdown, /\*\*KL Lens\*\* · p · 3 numbers · a distribution/);
    assert.match(h.markdown, /sum = 1 /);
    assert.ok(h.markdown.includes(`\`H(p)\` = ${shown(entropy(p))} nats`), h.markdown);
    const [image] = images(h.markdown);
    assert.ok(image);
    assert.ok(image.svg.startsWith('<svg'));
    assert.doesNotMatch(image.svg, /var\(/);
    assert.ok(image.svg.includes(DARK_COLORS.p));
    assert.equal(byTag(parseXml(image.svg), 'svg').length >= 1, true);
    assert.deepEqual(link(h.markdown), h.commandArgs);
    assert.deepEqual(h.commandArgs, { source: 'H(p)', bindings: { p: { shape: [3], data: p } } });
  });

  it('says counts are normalized, and reads log-probabilities and logits', () => {
    const counts = buildArrayHover(vec([5, 3, 2]), options)!;
    assert.match(counts.markdown, /counts — normalized for the entropy/);
    assert.match(counts.markdown, /sum = 10 /);
    assert.ok(counts.markdown.includes(`= ${shown(entropy([5, 3, 2]))} nats`));

    const lp = [Math.log(0.5), Math.log(0.25), Math.log(0.25)];
    const logProbs = buildArrayHover(vec(lp), options)!;
    assert.match(logProbs.markdown, /log-probs\?/);
    assert.ok(logProbs.markdown.includes(`\`H(exp(p))\` = ${shown(entropy([0.5, 0.25, 0.25]))} nats`));

    const z = [2, -1, 0.5];
    const logits = buildArrayHover(vec(z), options)!;
    assert.match(logits.markdown, /logits/);
    const e = z.map(Math.exp);
    assert.ok(logits.markdown.includes(`\`H(softmax(p))\` = ${shown(entropy(e))} nats`));
    // All ≤ 0 but not normalized: per-token log-probs or shifted logits; softmax normalizes either.
    const tokens = [-1.2, -0.7, -2.3];
    const unnormalized = buildArrayHover(vec(tokens), options)!;
    assert.match(unnormalized.markdown, /unnormalized log-probs or logits — softmax taken for the entropy/);
    assert.ok(unnormalized.markdown.includes(`\`H(softmax(p))\` = ${shown(entropy(tokens.map(Math.exp)))} nats`), unnormalized.markdown);
  });

  it('uses the unit and digits given', () => {
    const h = buildArrayHover(vec([0.5, 0.25, 0.25]), { ...options, base: 2, digits: 3 })!;
    assert.ok(h.markdown.includes('`H(p, base=2)` = 1.5 bits'), h.markdown);
    const t = buildArrayHover(vec([0.7, 0.2, 0.1]), { ...options, digits: 3 })!;
    assert.ok(t.markdown.includes(`= ${Number(entropy([0.7, 0.2, 0.1]).toPrecision(3))} nats`));
  });

  it('shows per-row entropies and the rows chart for a matrix', () => {
    const h = buildArrayHover({ shape: [2, 2], data: Float64Array.of(0.5, 0.5, 0.9, 0.1) }, options)!;
    assert.match(h.markdown, /shape \[2, 2\] · a distribution per row/);
    assert.ok(h.markdown.includes(`\`[${shown(entropy([0.5, 0.5]))}, ${shown(entropy([0.9, 0.1]))}]\` nats`), h.markdown);
    assert.match(images(h.markdown)[0]!.alt, /per row/);
  });

  it('says what is wrong with NaN or +∞ instead of an entropy, and passes them to the panel in the source', () => {
    const h = buildArrayHover(vec([0.5, NaN, Infinity, -Infinity]), options)!;
    assert.match(h.markdown, /not a distribution: NaN at index 1/);
    assert.match(h.markdown, /argument P has NaN at index 1/);
    assert.deepEqual(h.commandArgs, { source: 'p = [0.5, nan, inf, -inf]\nH(p)', bindings: {} });
    assert.deepEqual(link(h.markdown), h.commandArgs);
  });

  it('returns undefined for a number or an empty array', () => {
    assert.equal(buildArrayHover({ shape: [], data: Float64Array.of(1) }, options), undefined);
    assert.equal(buildArrayHover(vec([]), options), undefined);
  });

  it('escapes markdown in names', () => {
    const h = buildArrayHover(vec([0.5, 0.5]), { ...options, name: '*x*_[y](z)<b>' })!;
    assert.ok(h.markdown.includes('\\*x\\*\\_\\[y\\]\\(z\\)\\<b\\>'), h.markdown);
    assert.equal(escapeMarkdown('a\nb`c'), 'a b\\`c');
  });

  it('keeps a 10,000-element hover small: the image under 30,000 characters, the whole under 100,000', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 101) / 100);
    const t0 = performance.now();
    const h = buildArrayHover(vec(xs), options)!;
    assert.ok(performance.now() - t0 < 2000);
    const [image] = images(h.markdown);
    assert.ok(image);
    assert.ok(image.encoded.length < 30_000, `image ${image.encoded.length}`);
    assert.ok(h.markdown.length < 100_000, `hover ${h.markdown.length}`);
    assert.doesNotMatch(image.svg, /var\(/);
    parseXml(image.svg);
    assert.ok(h.markdown.includes(`= ${shown(entropy(xs))} nats`));
  });

  it('drops the link (keeping the arguments) when it would make the hover too long', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => Math.sqrt(i + 2));
    const h = buildArrayHover(vec(xs), options)!;
    assert.ok(h.markdown.length < 100_000);
    assert.doesNotMatch(h.markdown, /command:/);
    assert.match(h.markdown, /Evaluate Selection/);
    assert.equal((h.commandArgs as OpenArgs).bindings.p!.data.length, 10_000);
  });

  it('paints with the colours of the theme given', () => {
    for (const colors of [LIGHT_COLORS, DARK_COLORS, HIGH_CONTRAST_COLORS, HIGH_CONTRAST_LIGHT_COLORS]) {
      const svg = images(buildArrayHover(vec([0.5, 0.3, 0.2]), { ...options, colors })!.markdown)[0]!.svg;
      assert.ok(svg.includes(colors.p) && svg.includes(colors.foreground));
    }
  });
});

describe('buildComparisonHover', () => {
  const p = [0.5, 0.3, 0.2];
  const q = [0.4, 0.4, 0.2];

  it('shows KL both ways and JS, a comparison chart and a link whose arguments decode back', () => {
    const h = buildComparisonHover(vec(p), vec(q), ['target', 'pred'], options)!;
    assert.ok(h.markdown.includes(`KL(target‖pred) = ${shown(kl(p, q))} nats`), h.markdown);
    assert.ok(h.markdown.includes(`KL(pred‖target) = ${shown(kl(q, p))} nats`));
    const m = p.map((x, i) => (x + q[i]!) / 2);
    assert.ok(h.markdown.includes(`JS(target, pred) = ${shown((kl(p, m) + kl(q, m)) / 2)} nats`));
    const [image] = images(h.markdown);
    assert.ok(image && image.svg.includes(DARK_COLORS.p) && image.svg.includes(DARK_COLORS.q));
    assert.doesNotMatch(image.svg, /var\(/);
    const args = link(h.markdown) as OpenArgs;
    assert.deepEqual(args, { source: 'KL(target || pred)', bindings: { target: { shape: [3], data: p }, pred: { shape: [3], data: q } } });
    assert.deepEqual(args, h.commandArgs);
  });

  it('names unnamed arrays p and q, and uses the command id given', () => {
    const h = buildComparisonHover(vec(p), vec(q), [undefined, undefined], { ...options, command: 'my.command' })!;
    assert.ok(h.markdown.includes(`KL(p‖q) = ${shown(kl(p, q))} nats`));
    assert.deepEqual((link(h.markdown, 'my.command') as OpenArgs).source, 'KL(p || q)');
  });

  it('says where an infinite KL comes from', () => {
    const h = buildComparisonHover(vec([0.5, 0.5, 0]), vec([0.5, 0, 0.5]), ['p', 'q'], options)!;
    assert.match(h.markdown, /KL\(p‖q\) = ∞ nats \(q = 0 < p at element 1\)/);
    assert.match(h.markdown, /KL\(q‖p\) = ∞ nats \(p = 0 < q at element 2\)/);
    assert.ok(h.markdown.includes(`JS(p, q) = ${shown(Math.log(2) / 2)} nats`));
  });

  it('shows the error when the arrays do not fit together, and nothing for numbers', () => {
    const h = buildComparisonHover(vec([0.5, 0.5]), vec([0.2, 0.3, 0.5]), ['p', 'q'], options)!;
    assert.match(h.markdown, /KL: argument Q has 3 entries but P has 2/);
    assert.equal(buildComparisonHover({ shape: [], data: Float64Array.of(1) }, vec(q), [], options), undefined);
  });

  it('keeps a 10,000-element comparison image under 30,000 characters', () => {
    const a = Array.from({ length: 10_000 }, (_, i) => 1 + (i % 13));
    const b = Array.from({ length: 10_000 }, (_, i) => 1 + (i % 7));
    const h = buildComparisonHover(vec(a), vec(b), ['a', 'b'], options)!;
    const [image] = images(h.markdown);
    assert.ok(image && image.encoded.length < 30_000, `image ${image?.encoded.length}`);
    assert.ok(h.markdown.length < 100_000);
  });
});

describe('base64Utf8', () => {
  it('matches Node for ASCII, multi-byte characters, astral code points and every padding', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'KL(P‖Q) = −∞', 'μσ²·√', '𝑝 😀', '<svg>\u00e9</svg>']) {
      assert.equal(base64Utf8(s), Buffer.from(s, 'utf8').toString('base64'), s);
    }
  });
});
