/**
 * Colours. Inline SVG paints with VS Code's chart variables (with fallbacks) as presentation
 * attributes, so a theme change recolours it and no inline style is needed under a strict CSP.
 * Images (hovers) have no variables: they get the concrete colours the host resolved.
 */
import type { ChartOptions, ResolvedColors } from './model';

/** The six chart colours of ResolvedColors, plus what drawing needs besides them. */
export interface Palette extends Omit<ResolvedColors, 'background'> {
  /** Painted behind the chart only when given: inline charts stay transparent. */
  readonly background: string | undefined;
  /**
   * The colour the chart sits on, for cut-outs (an axis break's gap) and for the plates under
   * labels drawn over coloured cells. Never painted over the whole chart; undefined when unknown.
   */
  readonly surface: string | undefined;
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
  // Webviews and the HTML report define the editor's background; the fallback is the dark theme's.
  surface: 'var(--vscode-editor-background, #1e1e1e)',
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
    surface: c.background,
    font: 'system-ui, sans-serif',
  };
}
