/**
 * The KL rules' documentation is written once, in each rule file's doc comment: the generated
 * src/core/lint/rules/docs.ts, docs/rules/KLnnn.md and the README's rule section must match it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RULE_IDS, RULES } from '../../../src/core/lint/index';
import { expectedOutputs, readRules } from '../../../scripts/rule-docs.mjs';

describe('rule documentation', () => {
  it('every rule has its doc comment in the six sections, with its id and name', () => {
    const docs = readRules();
    assert.deepEqual(docs.map((d) => d.id), [...RULE_IDS]);
    assert.deepEqual(docs.map((d) => d.name), RULES.map((r) => r.name));
    for (const d of docs) for (const s of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'References']) assert.ok(d[s]?.trim(), `${d.id}: empty "${s}"`);
  });

  it('the generated files are up to date (node scripts/rule-docs.mjs writes them)', () => {
    for (const [path, content] of expectedOutputs()) {
      assert.ok(existsSync(path), `${path} is missing`);
      assert.equal(readFileSync(path, 'utf8'), content, `${path} is out of date: run node scripts/rule-docs.mjs`);
    }
  });
});
