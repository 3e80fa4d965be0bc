/**
 * What role a distribution plays, as far as its names tell: the teacher (or target labels) that
 * a student (or prediction) is fitted to. Names are evidence only together with the dataflow.
 */
import type { Facts, Model } from './model';
import { type SyntaxNode, unwrap, wordsOf } from './syntax';

export interface RolePair {
  /** Words naming the reference distribution (the KL's expectation side in distillation). */
  readonly reference: ReadonlySet<string>;
  /** Words naming the model fitted to it. */
  readonly model: ReadonlySet<string>;
  /** The model words that, next to a reference word, make a name ambiguous (`teacher_student_kl`). */
  readonly strong: ReadonlySet<string>;
  readonly say: readonly [string, string];
}

export const ROLE_PAIRS: readonly RolePair[] = [
  // In distillation code the student's side is often just `outputs` or `logits`.
  {
    reference: new Set(['teacher', 'teachers', 'tea', 'tch']),
    model: new Set(['student', 'students', 'stu', 'output', 'outputs', 'logits', 'pred', 'preds', 'y', 'input']),
    strong: new Set(['student', 'students', 'stu']),
    say: ['teacher', 'student'],
  },
  {
    reference: new Set(['target', 'targets', 'tgt', 'label', 'labels', 'gt']),
    model: new Set(['pred', 'preds', 'prediction', 'predictions', 'output', 'outputs', 'student']),
    strong: new Set(['pred', 'preds', 'prediction', 'predictions', 'output', 'outputs', 'student']),
    say: ['target', 'prediction'],
  },
];

/**
 * The words of an argument, of the names it came through, of the logits it was made from, and
 * of what those logits' names were assigned (`t = self.teacher(x)` makes `t` the teacher's).
 */
export function roleWords(node: SyntaxNode, facts: Facts, model?: Model): Set<string> {
  const words = new Set([...wordsOf(node.text), ...facts.names.flatMap((n) => wordsOf(n.text))]);
  const input = facts.producer?.input;
  if (input) {
    for (const w of wordsOf(input.text)) words.add(w);
    for (const id of namesIn(input)) {
      const a = model?.single(id);
      if (a) for (const w of wordsOf(a.value.text)) words.add(w);
    }
  }
  return words;
}

/** The plain names an expression is built of at its top: `t / T` → t, T. */
function namesIn(node: SyntaxNode): SyntaxNode[] {
  const n = unwrap(node);
  if (n.type === 'identifier') return [n];
  if (n.type === 'binary_operator') return [n.childForFieldName('left'), n.childForFieldName('right')].flatMap((c) => (c ? namesIn(c) : []));
  return [];
}

export function hasAny(words: ReadonlySet<string>, group: ReadonlySet<string>): boolean {
  for (const w of group) if (words.has(w)) return true;
  return false;
}

/**
 * The pair whose reference words name `first` and model words name `second`, unambiguously:
 * `first` has a reference word and no strong model word, `second` a model word and no reference
 * word (`teacher_logits` against `outputs`: the teacher is only on the first side).
 */
export function rolePair(first: ReadonlySet<string>, second: ReadonlySet<string>): RolePair | undefined {
  return ROLE_PAIRS.find((p) => hasAny(first, p.reference) && !hasAny(first, p.strong) && hasAny(second, p.model) && !hasAny(second, p.reference));
}

/** Words that say the code is distillation: a teacher and a student, not a pseudo-label. */
export const DISTILLATION_WORDS: ReadonlySet<string> = new Set([...ROLE_PAIRS[0]!.reference, ...ROLE_PAIRS[0]!.strong]);
