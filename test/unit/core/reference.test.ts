/**
 * Differential tests against SciPy and PyTorch: every case in test/fixtures/reference.json was
 * computed by test/fixtures/generate.py with Debian's python3-scipy / python3-torch in float64.
 */
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Value } from '../../../src/core/index';
import type { Nested } from '../../../src/core/tensor';
import { allClose, tensorOfNested, value } from '../../helpers/values';

interface Case {
  id: string;
  program: string;
  vars: Record<string, Nested>;
  expected: Nested | string;
  rtol: number;
  atol: number;
  reference: string;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/reference.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string>;
  cases: Case[];
};

function decode(x: unknown): Nested {
  if (typeof x === 'string') return x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : NaN;
  if (Array.isArray(x)) return x.map(decode);
  return x as number;
}

const families = new Map<string, Case[]>();
for (const c of fixture.cases) {
  const family = c.id.split('/')[0]!;
  families.set(family, [...(families.get(family) ?? []), c]);
}

describe(`reference values (SciPy ${fixture.versions['scipy']}, PyTorch ${fixture.versions['torch']})`, () => {
  for (const [family, cases] of families) {
    it(`${family}: ${cases.length} cases`, () => {
      for (const c of cases) {
        const env = new Map<string, Value>(Object.entries(c.vars).map(([k, v]) => [k, { type: 'tensor', tensor: tensorOfNested(v) }]));
        const got = value(c.program, { env });
        allClose(got, decode(c.expected), c.rtol, c.atol, `${c.id} (${c.program} vs ${c.reference})`);
      }
    });
  }
});
