/** The resolved options every chart builder reads: size, palette, top-k and number formats. */
import { format } from 'd3-format';
import type { ChartOptions } from './model';
import { paletteFor, type Palette } from './theme';

export interface Context {
  readonly width: number;
  readonly height: number;
  readonly topK: number;
  readonly digits: number;
  readonly palette: Palette;
  /** A number for a label: `digits` significant digits, and ∞ / −∞ / NaN spelled out. */
  readonly fmt: (x: number) => string;
  /** Mixed into element ids: the charts of different results differ even where they look alike. */
  readonly seed: string;
}

export const DEFAULT_WIDTH = 560;
export const DEFAULT_HEIGHT = 220;
export const DEFAULT_TOP_K = 20;
export const DEFAULT_DIGITS = 4;

/** Fills in the defaults of `options`; sizes below a usable minimum are raised to it. */
export function contextFor(options: ChartOptions = {}, seed = ''): Context {
  const digits = Math.min(17, Math.max(1, Math.round(options.digits ?? DEFAULT_DIGITS)));
  const f = format(`.${digits}~g`);
  return {
    width: Math.max(200, options.width ?? DEFAULT_WIDTH),
    height: Math.max(120, options.height ?? DEFAULT_HEIGHT),
    topK: Math.max(1, Math.floor(options.topK ?? DEFAULT_TOP_K)),
    digits,
    palette: paletteFor(options.colors),
    fmt: (x) => finiteOr(x, f),
    seed,
  };
}

/** `f(x)` for finite x; the symbols the rest of KL Lens uses otherwise. */
export function finiteOr(x: number, f: (x: number) => string): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return f(x);
}
