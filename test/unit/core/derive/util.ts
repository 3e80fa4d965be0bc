/** Helpers for the derive tests: derive a program, find steps, format expected numbers. */
import assert from 'node:assert/strict';
import { derive } from '../../../../src/core/derive/index';
import type { DeriveOptions, Step } from '../../../../src/core/derive/step';
import { texNumber } from '../../../../src/core/derive/tex';
import { formatNumber } from '../../../../src/core/format';
import type { EvaluateOptions } from '../../../../src/core/lang/evaluate';
import { result } from '../../../helpers/values';

export function stepsOf(program: string, options: DeriveOptions = {}, evaluate: EvaluateOptions = {}): Step[] {
  return derive(result(program, evaluate), options);
}

export function titles(steps: readonly Step[]): string[] {
  return steps.map((s) => s.title);
}

/** The step with this title (fails listing the titles there are). */
export function step(steps: readonly Step[], title: string): Step {
  const s = steps.find((x) => x.title === title);
  assert.ok(s, `no step "${title}" in ${JSON.stringify(titles(steps))}`);
  return s;
}

/** Asserts the titles occur in this relative order (others may come between). */
export function inOrder(steps: readonly Step[], expected: readonly string[]): void {
  const list = titles(steps);
  let at = -1;
  for (const t of expected) {
    const i = list.indexOf(t, at + 1);
    assert.ok(i > at, `"${t}" missing or out of order in ${JSON.stringify(list)}`);
    at = i;
  }
}

/** A number as the derivation writes it in TeX and in text (5 significant digits by default). */
export const tex = (x: number, digits = 5): string => texNumber(x, digits);
export const txt = (x: number, digits = 5): string => formatNumber(x, digits);

/** Asserts the step's TeX contains each fragment. */
export function texHas(s: Step, ...fragments: string[]): void {
  for (const f of fragments) assert.ok(s.tex.includes(f), `"${s.title}" TeX lacks ${JSON.stringify(f)}: ${s.tex}`);
}

export function textHas(s: Step, ...fragments: string[]): void {
  for (const f of fragments) assert.ok(s.text.includes(f), `"${s.title}" text lacks ${JSON.stringify(f)}: ${s.text}`);
}

/** KL by its definition, for expected values. */
export function klDef(p: readonly number[], q: readonly number[]): number {
  return p.reduce((s, x, i) => (x === 0 ? s : s + x * Math.log(x / q[i]!)), 0);
}
