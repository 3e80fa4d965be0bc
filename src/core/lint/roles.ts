/**
 * What role a distribution plays, as far as its names tell: the teacher (or target labels) that
 * a student (or prediction) is fitted to. Names are evidence only together with the dataflow.
 */
import type { Facts } from './model';
import { type SyntaxNode, wordsOf } from './syntax';

export interface RolePair {
  /** Words naming the reference distribution (the KL's expectation side in distillation). */
  readonly reference: ReadonlySet<string>;
  /** Words naming the model fitted to it. */
  readonly model: ReadonlySet<string>;
  readonly say: readonly [string, string];
}

export const ROLE_PAIRS: readonly RolePair[] = [
  { reference: new Set(['teacher', 'teachers', 'tea', 'tch']), model: new Set(['student', 'students', 'stu']), say: ['teacher', 'student'] },
  {
    reference: new Set(['target', 'targets', 'tgt', 'label', 'labels', 'gt']),
    model: new Set(['pred', 'preds', 'prediction', 'predictions', 'output', 'outputs', 'student']),
    say: ['target', 'prediction'],
  },
];

/** The words of an argument, of the names it came through, and of the logits it was made from. */
export function roleWords(node: SyntaxNode, facts: Facts): Set<string> {
  return new Set([
    ...wordsOf(node.text),
    ...facts.names.flatMap((n) => wordsOf(n.text)),
    ...(facts.producer?.input ? wordsOf(facts.producer.input.text) : []),
  ]);
}

export function hasAny(words: ReadonlySet<string>, group: ReadonlySet<string>): boolean {
  for (const w of group) if (words.has(w)) return true;
  return false;
}

/** The pair whose reference words name `first` and model words name `second`, unambiguously. */
export function rolePair(first: ReadonlySet<string>, second: ReadonlySet<string>): RolePair | undefined {
  return ROLE_PAIRS.find((p) => hasAny(first, p.reference) && !hasAny(first, p.model) && hasAny(second, p.model) && !hasAny(second, p.reference));
}
