/**
 * KL Lint on code no one would write by hand: a 60,000-term sum, a 3,000-deep attribute chain,
 * 5,000 nested parentheses, and corpus files cut and spliced at random (fast-check, fixed seed).
 * Linting must finish without throwing, and every finding and fix must lie inside its source.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lintPython } from '../../../../src/core/lint/source';
import { IMPORTS, parse, withParser } from './helpers';

withParser();

function check(source: string): void {
  const r = lintPython(source, parse);
  for (const f of r.findings) {
    assert.ok(f.start >= 0 && f.start <= f.end && f.end <= source.length, `${f.rule} at ${f.start}–${f.end} of ${source.length}`);
    for (const e of f.fix?.edits ?? []) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= source.length, `${f.rule} edit at ${e.start}–${e.end}`);
  }
}

describe('KL Lint on pathological code', () => {
  it('a 60,000-term sum around an exp, a 3,000-deep attribute chain, 5,000 nested parentheses', () => {
    check(`${IMPORTS}x = torch.exp(a) - ${Array(60_000).fill('b').join(' - ')}\n`);
    check(`${IMPORTS}y = ${'a.'.repeat(3_000)}softmax(-1)\nz = F.kl_div(y, q)\n`);
    check(`${IMPORTS}w = F.kl_div(${'('.repeat(5_000)}F.softmax(s, -1)${')'.repeat(5_000)}, q)\n`);
    check(`${IMPORTS}v = ${'x.float().'.repeat(2_000)}softmax(-1).log()\n`);
  });

  it('corpus files cut and spliced at random never make it throw', () => {
    const dir = new URL('../../../fixtures/lint/corpus/', import.meta.url);
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => readFileSync(new URL(f, dir), 'utf8'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 6 })), { maxLength: 6 }), (i, cuts) => {
        let s = sources[i]!;
        for (const [at, length, insert] of cuts) {
          const p = at % (s.length + 1);
          s = s.slice(0, p) + insert + s.slice(p + length);
        }
        check(s);
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });
});
