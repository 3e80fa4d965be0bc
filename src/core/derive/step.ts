/**
 * A derivation is a list of steps, each a line of TeX (typeset with KaTeX by every surface) and
 * its plain-text twin (for the CLI, hovers, screen readers and copy-paste).
 */
export interface Step {
  /** What the step does, in a few words: "Definition", "Terms", "Total", "Reverse direction". */
  readonly title: string;
  /** Display-mode TeX; compiles under katex.renderToString(tex, { throwOnError: true, strict: "error" }). */
  readonly tex: string;
  /** The same statement in plain Unicode text. */
  readonly text: string;
  /** A note rather than an equation (what the asymmetry means, a suggestion); shown as prose. */
  readonly kind?: 'equation' | 'note' | 'warning';
}

export interface DeriveOptions {
  /** Significant digits of the numbers written into the steps (default 5). */
  readonly digits?: number;
  /** Largest support written out term by term (default 8); beyond it the top contributors. */
  readonly maxTerms?: number;
}
