/**
 * The KL program that explains one or two arrays found in code: the entropy of one, KL both ways
 * between two. Shared by "Evaluate Selection" and the hovers, so both say the same thing.
 */
import { asProbabilities, classify, type Classification } from '../classify/classify';
import { BUILTINS, CONSTANTS } from '../lang/builtins';
import type { Value } from '../result';
import type { Tensor } from '../tensor';

/**
 * A bound array: a tensor Value (what `evaluateProgram`'s environment holds) that is also the
 * Tensor itself (what an evaluation request carries as plain data), so one map serves both.
 */
export type ArrayBinding = Extract<Value, { type: 'tensor' }> & Tensor;

/** `t` bound as a program variable. */
export function arrayBinding(t: Tensor): ArrayBinding {
  return { type: 'tensor', tensor: t, shape: t.shape, data: t.data };
}

export interface SelectionProgram {
  /** `H(p)` for one array, `KL(p || q)` for two (the result carries KL(q‖p) too). */
  readonly source: string;
  /** The arrays by the names the program uses. */
  readonly bindings: Map<string, ArrayBinding>;
  /** For two arrays: `JS(p, q)`, the symmetric, always-finite companion. */
  readonly secondary?: string;
  /** The names the arrays were bound to, in order. */
  readonly names: readonly string[];
  /** How each array was read (probabilities as is, counts normalized, log-probs or logits transformed). */
  readonly classes: readonly Classification[];
}

/** An array and the name the code gives it, if any. */
export interface ProgramArray {
  readonly name?: string;
  readonly tensor: Tensor;
}

/**
 * The program for one array (entropy) or two (KL): arrays named as in the code when the name is a
 * usable KL name, `p`/`q` otherwise; log-probabilities go through `exp` and logits through
 * `softmax` so the program measures the distributions they stand for.
 * @example
 * arrayProgram([{ name: 'target', tensor: t }, { tensor: u }]).source // 'KL(target || q)'
 */
export function arrayProgram(arrays: readonly ProgramArray[], options: { readonly base?: number } = {}): SelectionProgram {
  if (arrays.length < 1 || arrays.length > 2) throw new RangeError(`expected one or two arrays, got ${arrays.length}`);
  const names = bindingNames(arrays.map((a) => a.name));
  const classes = arrays.map((a) => classify(a.tensor));
  const bindings = new Map(arrays.map((a, i) => [names[i]!, arrayBinding(a.tensor)] as const));
  const operands = names.map((n, i) => asProbabilities(classes[i]!.kind, n));
  const base = options.base === undefined || options.base === Math.E ? '' : `, base=${String(options.base)}`;
  const [p, q] = operands;
  if (q === undefined) return { source: `H(${p}${base})`, bindings, names, classes };
  return { source: `KL(${p} || ${q}${base})`, bindings, secondary: `JS(${p}, ${q}${base})`, names, classes };
}

const RESERVED = new Set([...Object.keys(BUILTINS), ...Object.keys(CONSTANTS)]);
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * KL names for arrays named `names` in code: the last dotted part (`self.p` → `p`) when it is a
 * valid KL name that is not a function or constant and not taken; otherwise p, q, p2, q2, ...
 */
export function bindingNames(names: readonly (string | undefined)[]): string[] {
  const wanted = names.map((n) => {
    const last = n?.split('.').at(-1);
    return last !== undefined && last.length <= 64 && IDENTIFIER.test(last) && !RESERVED.has(last) ? last : undefined;
  });
  const taken = new Set<string>();
  const out = wanted.map((w) => (w !== undefined && !taken.has(w) ? (taken.add(w), w) : undefined));
  return out.map((w, i) => {
    if (w !== undefined) return w;
    const letter = i % 2 === 0 ? 'p' : 'q';
    for (let k = 1; ; k++) {
      const candidate = k === 1 ? letter : `${letter}${k}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  });
}
