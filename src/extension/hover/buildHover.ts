/**
 * Hover content for arrays in code: what the array looks like (a distribution, counts, log-probs,
 * logits), its sum and entropy with a small chart; for two arrays KL both ways and JS. Pure: the
 * provider wraps `markdown` in a MarkdownString, and tests call this without VS Code.
 *
 * Charts are images (`data:image/svg+xml;base64,...`): a hover cannot resolve CSS variables, so
 * the host passes the theme's colours resolved.
 */
import { charts } from '../../core/chart/index';
import type { Chart, ResolvedColors } from '../../core/chart/model';
import type { Classification, ValueKind } from '../../core/classify/classify';
import { KlError } from '../../core/errors';
import { formatNumber, formatTensor } from '../../core/format';
import { evaluateProgram } from '../../core/lang/evaluate';
import type { Result, SupportViolation, Value } from '../../core/result';
import { arrayProgram, type SelectionProgram } from '../../core/selection/program';
import { isScalar, toNested, type Nested, type Tensor } from '../../core/tensor';

export interface HoverContent {
  readonly markdown: string;
  /** The "Open in KL Lens" arguments: `{ source, bindings }` (also in the link, when it fits). */
  readonly commandArgs?: unknown;
}

export interface HoverOptions {
  /** Significant digits of the numbers shown. */
  readonly digits: number;
  /** The theme's chart colours, resolved by the host. */
  readonly colors: ResolvedColors;
  /** Elements drawn one by one before the rest is aggregated. */
  readonly topK: number;
  /** The id of the "Open in KL Lens" command (`klLens.openInPanel`). */
  readonly command: string;
  /** Logarithm base of the unit; e (nats) when absent. */
  readonly base?: number;
}

/** The arguments "Open in KL Lens" receives: the program and its arrays as plain JSON. */
export interface OpenArgs {
  readonly source: string;
  readonly bindings: Record<string, { readonly shape: number[]; readonly data: number[] }>;
}

/** VS Code's chart colours in the default light theme (charts.blue, orange, green, red, foreground, lines). */
export const LIGHT_COLORS: ResolvedColors = {
  p: '#1a85ff',
  q: '#d18616',
  positive: '#388a34',
  negative: '#e51400',
  foreground: '#616161',
  lines: 'rgba(97, 97, 97, 0.5)',
};

/** VS Code's chart colours in the default dark theme. */
export const DARK_COLORS: ResolvedColors = {
  p: '#3794ff',
  q: '#d18616',
  positive: '#89d185',
  negative: '#f14c4c',
  foreground: '#cccccc',
  lines: 'rgba(204, 204, 204, 0.5)',
};

/** High contrast (dark): full-strength text and axes; every series at least 4.5:1 against black. */
export const HIGH_CONTRAST_COLORS: ResolvedColors = {
  p: '#3794ff',
  q: '#ffa348',
  positive: '#89d185',
  negative: '#f48771',
  foreground: '#ffffff',
  lines: '#ffffff',
};

/** High contrast (light): near-black text and axes; every series at least 4.5:1 against white. */
export const HIGH_CONTRAST_LIGHT_COLORS: ResolvedColors = {
  p: '#0f4a85',
  q: '#a04400',
  positive: '#374e06',
  negative: '#b5200d',
  foreground: '#292929',
  lines: '#292929',
};

/** The hover chart's size in CSS pixels. */
export const HOVER_CHART_SIZE = { width: 300, height: 120 } as const;

/** VS Code truncates hovers at 100,000 characters; the link to the panel is dropped before that. */
const MAX_MARKDOWN = 90_000;

const KIND_TEXT: Readonly<Record<ValueKind, string>> = {
  distribution: 'a distribution',
  counts: 'counts — normalized for the entropy',
  'log-probs': 'log-probs? — exponentiated for the entropy',
  'per-token log-probs': 'unnormalized log-probs or logits — softmax taken for the entropy',
  logits: 'logits — softmax taken for the entropy',
  invalid: 'not a distribution',
  empty: 'empty',
};

/**
 * The hover of one array: sum, what it looks like, its entropy in the unit, a bar chart and a link
 * to the panel. Undefined for a number or an empty array.
 * @example
 * buildArrayHover({ shape: [2], data: Float64Array.of(0.5, 0.5) }, options)?.markdown
 * // '**KL Lens** · 2 numbers · a distribution\n\nsum = 1 · `H(p)` = 0.69315 nats ...'
 */
export function buildArrayHover(tensor: Tensor, options: HoverOptions & { readonly name?: string }): HoverContent | undefined {
  if (isScalar(tensor) || tensor.data.length === 0) return undefined;
  const program = arrayProgram([options.name === undefined ? { tensor } : { name: options.name, tensor }], base(options));
  const cls = program.classes[0]!;
  const named = options.name === undefined ? '' : `${escapeMarkdown(options.name)} · `;
  const lines = [`**KL Lens** · ${named}${sizeText(tensor)} · ${kindText(cls, tensor)}`];
  const evaluated = evaluate(program.source, program);
  const facts = [`sum = ${formatNumber(cls.sum, options.digits)}`];
  if (evaluated.result) facts.push(`\`${program.source}\` = ${valueText(evaluated.result.value, evaluated.result, options)}`);
  lines.push(facts.join(' · '));
  if (evaluated.error) lines.push(`\`${program.source}\`: ${escapeMarkdown(evaluated.error)}`);
  if (evaluated.result) lines.push(...image(evaluated.result, options));
  return finish(lines, program, options);
}

/**
 * The hover of two arrays compared: KL(P‖Q), KL(Q‖P), JS(P, Q), their chart and a link to the
 * panel. `names` are the arrays' names in the code (`[p, q]`), when they have them. Undefined for
 * numbers or empty arrays.
 */
export function buildComparisonHover(p: Tensor, q: Tensor, names: readonly (string | undefined)[], options: HoverOptions): HoverContent | undefined {
  if (isScalar(p) || isScalar(q) || p.data.length === 0 || q.data.length === 0) return undefined;
  const [nameP, nameQ] = names;
  const arrays = [nameP === undefined ? { tensor: p } : { name: nameP, tensor: p }, nameQ === undefined ? { tensor: q } : { name: nameQ, tensor: q }];
  const program = arrayProgram(arrays, base(options));
  const [P, Q] = [escapeMarkdown(nameP ?? program.names[0]!), escapeMarkdown(nameQ ?? program.names[1]!)];
  const kinds = program.classes.map(({ kind }, i) => (kind === 'distribution' ? '' : ` (${i === 0 ? P : Q}: ${kind === 'invalid' ? 'not a distribution' : kind})`)).join('');
  const lines = [`**KL Lens** · \`${program.source}\`${kinds}`];
  const kl = evaluate(program.source, program);
  if (kl.error || !kl.result) {
    lines.push(escapeMarkdown(kl.error ?? 'no result'));
    return finish(lines, program, options);
  }
  const r = kl.result;
  const values = [`KL(${P}‖${Q}) = ${valueText(r.value, r, options)}${infiniteNote(r.kind === 'discrete' ? r.infinite : undefined, P, Q)}`];
  if (r.kind === 'discrete' && r.reverse) values.push(`KL(${Q}‖${P}) = ${valueText(r.reverse.value, r, options)}${infiniteNote(r.reverse.infinite, Q, P)}`);
  const js = program.secondary === undefined ? undefined : evaluate(program.secondary, program).result;
  if (js) values.push(`JS(${P}, ${Q}) = ${valueText(js.value, js, options)}`);
  // Two trailing spaces: a line break inside one paragraph.
  lines.push(values.join('  \n'));
  lines.push(...image(r, options));
  return finish(lines, program, options);
}

function base(options: HoverOptions): { base?: number } {
  return options.base === undefined ? {} : { base: options.base };
}

function sizeText(t: Tensor): string {
  return t.shape.length === 1 ? `${t.data.length} number${t.data.length === 1 ? '' : 's'}` : `shape [${t.shape.join(', ')}]`;
}

function kindText(cls: Classification, t: Tensor): string {
  const text = cls.kind === 'distribution' && t.shape.length > 1 ? 'a distribution per row' : KIND_TEXT[cls.kind];
  return cls.problem === undefined ? text : `${text}: ${escapeMarkdown(cls.problem)}`;
}

function evaluate(source: string, program: SelectionProgram): { result?: Result; error?: string } {
  try {
    const v = evaluateProgram(source, { env: new Map<string, Value>(program.bindings) }).value;
    return v?.type === 'result' ? { result: v.result } : { error: 'no result' };
  } catch (e) {
    if (e instanceof KlError) return { error: e.message };
    throw e;
  }
}

/** `0.025267 nats`, or per-row values. */
function valueText(value: Tensor, r: Result, options: HoverOptions): string {
  const unit = r.unit ? ` ${r.unit.name}` : '';
  // Formatted numbers hold no markup; per-row arrays go in a code span so their brackets stay text.
  const number = isScalar(value) ? formatNumber(value.data[0]!, options.digits) : `\`${formatTensor(value, { digits: options.digits, maxItems: 8 })}\``;
  return `${number}${unit}`;
}

/** ` (q = 0 < p at elements 1, 4)`: where an infinite KL comes from. */
function infiniteNote(infinite: SupportViolation | undefined, p: string, q: string): string {
  if (!infinite || infinite.count === 0) return '';
  const shown = infinite.indices.slice(0, 5).map((ix) => (ix.length === 1 ? String(ix[0]) : `[${ix.join(', ')}]`));
  const more = infinite.count > shown.length ? `, … (${infinite.count} in all)` : '';
  return ` (${q} = 0 < ${p} at element${infinite.count === 1 ? '' : 's'} ${escapeMarkdown(shown.join(', '))}${more})`;
}

/** The chart that summarizes the result: per-row values for N-D input, else the distributions. */
function pickChart(list: readonly Chart[], r: Result): Chart | undefined {
  const perRow = r.rows.data.length >= 2;
  return list.find((c) => c.id === (perRow ? 'rows' : 'distributions')) ?? list[0];
}

function image(r: Result, options: HoverOptions): string[] {
  const chart = pickChart(charts(r, { colors: options.colors, ...HOVER_CHART_SIZE, topK: options.topK, digits: Math.min(options.digits, 4) }), r);
  if (!chart) return [];
  return [`![${escapeMarkdown(chart.title)}](data:image/svg+xml;base64,${base64Utf8(chart.svg)})`];
}

/** Appends the "Open in KL Lens" link when the hover stays well under VS Code's limit with it. */
function finish(lines: string[], program: SelectionProgram, options: HoverOptions): HoverContent {
  const args = openArgs(program);
  // encodeURIComponent leaves ( and ) alone; escaped, they cannot end the Markdown link early.
  const query = encodeURIComponent(JSON.stringify(args)).replace(/\(/g, '%28').replace(/\)/g, '%29');
  const link = `[Open in KL Lens](command:${options.command}?${query} "Show the result, derivation and charts in the KL Lens panel")`;
  const body = lines.join('\n\n');
  const markdown =
    body.length + link.length + 2 <= MAX_MARKDOWN ? `${body}\n\n${link}` : `${body}\n\n_Too large for a link: select it and run **KL Lens: Evaluate Selection**._`;
  return { markdown, commandArgs: args };
}

/**
 * The program and its arrays as JSON survives them: arrays holding ±∞ or NaN (which JSON would turn
 * into null) are written into the source as KL literals instead of passed as bindings.
 */
export function openArgs(program: SelectionProgram): OpenArgs {
  const bindings: Record<string, { shape: number[]; data: number[] }> = {};
  const assignments: string[] = [];
  for (const [name, t] of program.bindings) {
    if (t.data.every(Number.isFinite)) bindings[name] = { shape: [...t.shape], data: Array.from(t.data) };
    else assignments.push(`${name} = ${klLiteral(toNested(t))}`);
  }
  return { source: [...assignments, program.source].join('\n'), bindings };
}

function klLiteral(n: Nested): string {
  if (Array.isArray(n)) return `[${n.map(klLiteral).join(', ')}]`;
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Backslash-escapes everything Markdown (and the HTML it allows) could read as markup. */
export function escapeMarkdown(text: string): string {
  const oneLine = text.length > 200 ? `${text.slice(0, 199)}…` : text;
  return oneLine.replace(/[\\`*_{}[\]()#+\-.!|<>~&$]/g, '\\$&').replace(/[\r\n]+/g, ' ');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the UTF-8 bytes of `text` (no TextEncoder or Buffer: this module stays pure). */
export function base64Utf8(text: string): string {
  const bytes = utf8(text);
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}${ALPHABET[(n >> 6) & 63]!}=`;
  }
  return out;
}

function utf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) {
      const d = s.charCodeAt(i + 1);
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd; // a lone surrogate has no UTF-8 form
      }
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return out.subarray(0, n);
}
