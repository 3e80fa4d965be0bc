/**
 * Colours. Inline SVG paints with VS Code's chart variables (with fallbacks) as presentation
 * attributes, so a theme change recolours it and no inline style is needed under a strict CSP.
 * Images (hovers) have no variables: they get the concrete colours the host resolved.
 */
import type { ChartOptions, ResolvedColors } from './model';

export interface Palette {
  readonly p: string;
  readonly q: string;
  readonly positive: string;
  readonly negative: string;
  /** Text. */
  readonly foreground: string;
  /** Axes and grid. */
  readonly lines: string;
  /** Painted behind the chart only when given: inline charts stay transparent. */
  readonly background: string | undefined;
  /** undefined inline (the page's font is inherited); a generic family in standalone images. */
  readonly font: string | undefined;
}

/** The default: VS Code's chart colours, with the dark theme's values as fallbacks. */
export const VARIABLE_PALETTE: Palette = {
  p: 'var(--vscode-charts-blue, #3794ff)',
  // Orange rather than red for Q: red already means a negative contribution.
  q: 'var(--vscode-charts-orange, #d18616)',
  positive: 'var(--vscode-charts-green, #89d185)',
  negative: 'var(--vscode-charts-red, #f14c4c)',
  foreground: 'var(--vscode-charts-foreground, currentColor)',
  // Mid-grey at partial opacity reads on light, dark and high-contrast backgrounds alike.
  lines: 'var(--vscode-charts-lines, rgba(128, 128, 128, 0.6))',
  background: undefined,
  font: undefined,
};

/** The palette for `options.colors`: variables by default, or the concrete colours given. */
export function paletteFor(colors: ChartOptions['colors']): Palette {
  if (colors === undefined || colors === 'variables') return VARIABLE_PALETTE;
  return fromResolved(colors);
}

function fromResolved(c: ResolvedColors): Palette {
  return {
    p: c.p,
    q: c.q,
    positive: c.positive,
    negative: c.negative,
    foreground: c.foreground,
    lines: c.lines,
    background: c.background,
    font: 'system-ui, sans-serif',
  };
}
