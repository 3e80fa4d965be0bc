/**
 * What the results panel's messages do, decided without VS Code: a message from the webview is
 * checked (it crossed a process boundary, so its shape is not trusted), then turned into one effect
 * on the host — clipboard text, a file to save, a re-evaluation in another unit, a file to reveal.
 * The panel class wires the effects to `vscode`; unit tests wire them to recorders.
 */
import { wrapReport } from '../../core/report/html';
import type { EvaluationRequest, PanelModel } from '../evaluation/protocol';
import type { PanelToHost, PanelUnit } from './protocol';

/** A file the user is asked where to save; `name` is the suggested file name. */
export interface FileToSave {
  readonly name: string;
  readonly filter: { readonly label: string; readonly extensions: readonly string[] };
  readonly content: string;
}

/** What a message can do to the host. Every method may fail; the caller logs the failure. */
export interface PanelEffects {
  copy(text: string): Promise<void>;
  save(file: FileToSave): Promise<void>;
  /** Evaluates `request` and shows it (the unit switch). */
  evaluate(request: EvaluationRequest): Promise<void>;
  /** Sends the current model again (a restored or reloaded webview asks with `ready`). */
  resend(): void;
  /** Opens one of the files the result read. */
  reveal(path: string): Promise<void>;
  /** Something was ignored, and why: the output channel, not a notification. */
  log(message: string): void;
}

/** What the panel shows now; both are undefined before the first evaluation finishes. */
export interface PanelSnapshot {
  readonly model: PanelModel | undefined;
  readonly request: EvaluationRequest | undefined;
}

export interface PanelContext {
  /** KaTeX's stylesheet with its fonts inlined, so a saved report renders offline. */
  readonly katexCss: () => string;
}

export type Checked = { readonly ok: true; readonly message: PanelToHost } | { readonly ok: false; readonly reason: string };

const UNITS: readonly PanelUnit[] = ['nats', 'bits'];
const BASES: Readonly<Record<PanelUnit, number>> = { nats: Math.E, bits: 2 };

function describe(raw: unknown): string {
  try {
    const text = JSON.stringify(raw);
    return text === undefined ? String(raw) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(raw);
  }
}

/** Checks a message from the webview against the protocol; never throws. */
export function checkPanelMessage(raw: unknown): Checked {
  const reject = (why: string): Checked => ({ ok: false, reason: `panel message ${describe(raw)} ignored: ${why}` });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('not an object');
  const m = raw as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'copyValue':
    case 'copyLatex':
    case 'saveHtml':
      return { ok: true, message: { type: m['type'] } };
    case 'saveSvg':
      return typeof m['chartId'] === 'string' && m['chartId'] !== '' ? { ok: true, message: { type: 'saveSvg', chartId: m['chartId'] } } : reject('"chartId" must be a non-empty string');
    case 'setUnit':
      return UNITS.includes(m['unit'] as PanelUnit)
        ? { ok: true, message: { type: 'setUnit', unit: m['unit'] as PanelUnit } }
        : reject(`"unit" must be one of ${UNITS.join(', ')}`);
    case 'reveal':
      return typeof m['path'] === 'string' && m['path'] !== '' ? { ok: true, message: { type: 'reveal', path: m['path'] } } : reject('"path" must be a non-empty string');
    case undefined:
      return reject('no "type"');
    default:
      return reject(`unknown type ${describe(m['type'])}`);
  }
}

/** The unit a model is shown in, when the panel can switch it. */
export function switchableUnit(model: PanelModel): PanelUnit | undefined {
  return UNITS.find((u) => u === model.unit);
}

/**
 * Chart SVGs use the editor's CSS variables with fallbacks (`var(--vscode-charts-red, #e51400)`);
 * a saved file has no editor around it, so the fallbacks are written in, the namespace and a font added.
 */
export function standaloneSvg(svg: string): string {
  const root = svg.match(/^<svg[^>]*>/)?.[0] ?? '<svg>';
  // Inline charts inherit the editor's font; alone, an SVG viewer would fall back to a serif.
  const attributes = `${/\sxmlns=/.test(root) ? '' : ' xmlns="http://www.w3.org/2000/svg"'}${/\sfont-family=/.test(root) ? '' : ' font-family="system-ui, sans-serif"'}`;
  const opened = svg.replace(/^<svg/, `<svg${attributes}`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${opened.replace(/var\(--[\w-]+,\s*([^)]+)\)/g, '$1')}\n`;
}

/** A file name from a chart id or title: letters, digits and dashes. */
function slug(text: string): string {
  return text.replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
}

/**
 * Does what one (unchecked) message asks. Messages that need a result arrive only after one is
 * shown, except from a stale webview: those are logged and dropped.
 */
export async function handlePanelMessage(raw: unknown, now: PanelSnapshot, effects: PanelEffects, context: PanelContext): Promise<void> {
  const checked = checkPanelMessage(raw);
  if (!checked.ok) {
    effects.log(checked.reason);
    return;
  }
  const message = checked.message;
  if (message.type === 'ready') {
    if (now.model) effects.resend();
    return;
  }
  const { model, request } = now;
  if (!model || !request) {
    effects.log(`panel message "${message.type}" ignored: no result is shown yet`);
    return;
  }
  switch (message.type) {
    case 'copyValue':
      return effects.copy(model.valueOnly);
    case 'copyLatex':
      return effects.copy(model.latex);
    case 'saveHtml':
      return effects.save({
        name: 'kl-lens-report.html',
        filter: { label: 'HTML', extensions: ['html'] },
        content: wrapReport(model.bodyHtml, model.title, context.katexCss()),
      });
    case 'saveSvg': {
      const chart = model.charts.find((c) => c.id === message.chartId);
      if (!chart) {
        effects.log(`panel message "saveSvg" ignored: the result has no chart "${message.chartId}" (it has ${model.charts.map((c) => c.id).join(', ') || 'none'})`);
        return;
      }
      return effects.save({ name: `kl-lens-${slug(chart.id)}.svg`, filter: { label: 'SVG', extensions: ['svg'] }, content: standaloneSvg(chart.svg) });
    }
    case 'setUnit':
      if (!switchableUnit(model)) {
        effects.log(`panel message "setUnit" ignored: ${model.unit ?? 'a unitless value'} cannot be shown in ${message.unit}`);
        return;
      }
      if (model.unit === message.unit) return;
      return effects.evaluate({ ...request, defaultBase: BASES[message.unit] });
    case 'reveal':
      // Only files the result read: the webview must not be able to open anything else.
      if (!model.files.includes(message.path)) {
        effects.log(`panel message "reveal" ignored: ${message.path} is not a file this result read`);
        return;
      }
      return effects.reveal(message.path);
  }
}
