/** The fixtures test/fixtures/notebook/generate.py writes (bytes from NumPy, values from SciPy/PyTorch). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Expected = number | 'NaN' | 'Infinity' | '-Infinity';

export interface Fixtures {
  readonly decode: readonly { id: string; variable: unknown; shape: number[]; expected: Expected[] }[];
  readonly errors: readonly { id: string; payload: unknown; path: string; mentions: string[] }[];
  readonly evaluate: readonly { id: string; payload: { expression: string }; expected: Expected; reverse?: Expected; reference: string; rtol: number }[];
  readonly ipynb: readonly { id: string; expected?: Expected; unit?: string; error?: string }[];
}

export const FIXTURES: Fixtures = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'notebook', 'payloads.json'), 'utf8'));

export function number(x: Expected): number {
  return x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x;
}

export function evaluateCase(id: string): Fixtures['evaluate'][number] {
  const c = FIXTURES.evaluate.find((e) => e.id === id);
  if (!c) throw new Error(`no evaluate fixture ${id}`);
  return c;
}
