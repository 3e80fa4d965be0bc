/**
 * KaTeX's stylesheet split for shadow roots. Chromium ignores @font-face inside a shadow root, so
 * the font faces go to the document's head (once per document) and the layout rules into each
 * output's shadow root; without the rules the MathML twin shows and every formula appears twice.
 */

export interface KatexStyles {
  /** The @font-face rules, woff2 only, with absolute font URLs. */
  readonly fontFaces: string;
  /** Everything else (layout, MathML hidden), for each output's shadow root. */
  readonly rules: string;
}

/** Splits katex.min.css; `fontBase` is the absolute URL of the folder holding the woff2 files. */
export function splitKatexCss(css: string, fontBase: string): KatexStyles {
  const faces: string[] = [];
  const rules = css.replace(/@font-face\s*\{[^}]*\}/g, (face) => {
    // woff2 is all Chromium needs; the woff/ttf fallbacks are not shipped (see .vscodeignore).
    faces.push(face.replace(/src:[^;}]*/, (src) => {
      const woff2 = /url\(["']?fonts\/([^)"']+\.woff2)["']?\)/.exec(src);
      return woff2 ? `src:url("${new URL(woff2[1]!, fontBase).href}") format("woff2")` : src;
    }));
    return '';
  });
  return { fontFaces: faces.join('\n'), rules };
}

const FONT_STYLE_ID = 'kl-lens-katex-fonts';

/** Adds the font faces to `doc.head` unless an earlier output already did. */
export function installFontFaces(doc: Document, fontFaces: string): void {
  if (doc.getElementById(FONT_STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = FONT_STYLE_ID;
  style.textContent = fontFaces;
  doc.head.appendChild(style);
}
