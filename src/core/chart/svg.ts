/**
 * The few SVG-building helpers the charts need: escaping, element strings with coordinates
 * rounded to 1/100 px, and the accessible document wrapper. Strings, not a DOM, so the core can
 * build charts anywhere and the output is byte-for-byte deterministic.
 */
import type { Context } from './context';
import type { Chart, DataTable } from './model';
import type { Palette } from './theme';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values escaped for XML. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A coordinate rounded to 2 decimals, without trailing zeros (and never "-0"). */
export function px(x: number): string {
  const r = Math.round(x * 100) / 100;
  return r === 0 ? '0' : String(r);
}

export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** ` a="1" b="x"` in insertion order; numbers are rounded with `px`, undefined values left out. */
export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? px(v) : esc(v)}"`;
  }
  return out;
}

/** An element: self-closing without content; `content` is inserted as is (already markup). */
export function el(tag: string, a: Attrs, content?: string): string {
  return content === undefined ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${content}</${tag}>`;
}

/** A text element; `s` is escaped. */
export function text(x: number, y: number, s: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, esc(s));
}

/**
 * Path data through the points, `M x y L x y ...`, with `Z` when `close`. Points that round to the
 * previous one, and the inner points of horizontal runs, are left out: they draw nothing.
 */
export function pathData(points: readonly (readonly [number, number])[], close = false): string {
  let d = '';
  let last = '';
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]!;
    const xs = px(x);
    const ys = px(y);
    const here = `${xs} ${ys}`;
    if (here === last) continue;
    const prev = points[i - 1];
    const next = points[i + 1];
    if (prev && next && px(prev[1]) === ys && px(next[1]) === ys) continue;
    d += `${d ? 'L' : 'M'}${here}`;
    last = here;
  }
  return close ? `${d}Z` : d;
}

/** FNV-1a (32 bit) in base 36: a short, stable digest for element ids. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

export interface Document {
  readonly id: string;
  /** Extra content for the id hash (which result the chart belongs to). */
  readonly seed?: string;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly description: string;
  readonly palette: Palette;
  readonly body: string;
}

/**
 * The `<svg>` root: role="img" labelled by its own <title> and <desc>. Their ids hash the
 * content (and the seed), so they are the same on every build yet differ between the charts on
 * a page — unless the page shows the very same result twice.
 */
export function svgDocument(d: Document): string {
  const prefix = `kl-${d.id}-${hash(`${d.seed ?? ''}\n${d.title}\n${d.description}\n${d.body}`)}`;
  const background = d.palette.background ? el('rect', { width: d.width, height: d.height, fill: d.palette.background }) : '';
  return (
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${px(d.width)} ${px(d.height)}`,
      width: d.width,
      height: d.height,
      role: 'img',
      'aria-labelledby': `${prefix}-title ${prefix}-desc`,
      'font-family': d.palette.font,
      'font-size': 11,
    })}>` +
    el('title', { id: `${prefix}-title` }, esc(d.title)) +
    el('desc', { id: `${prefix}-desc` }, esc(d.description)) +
    background +
    d.body +
    '</svg>'
  );
}

/** A Chart from its parts: the SVG document is wrapped around `body` here. */
export function makeChart(ctx: Context, id: string, title: string, description: string, body: string, table: DataTable): Chart {
  const svg = svgDocument({ id, seed: ctx.seed, width: ctx.width, height: ctx.height, title, description, palette: ctx.palette, body });
  return { id, title, description, svg, table };
}
