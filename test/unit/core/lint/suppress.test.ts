/** Suppression comments and the edits that write them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from '../../../../src/cli/lint/fix';
import { ignoreFileEdit, ignoreLineEdit, parseSuppression } from '../../../../src/core/lint/suppress';
import { Model } from '../../../../src/core/lint/model';
import { Imports } from '../../../../src/core/lint/names';
import { IMPORTS, lint, parse, withParser } from './helpers';

withParser();

const BAD = 'l = F.kl_div(F.log_softmax(s, -1), F.softmax(t, -1))';

describe('suppressions', () => {
  it('parses noqa and kl-lens comments, ignoring other tools’ codes', () => {
    assert.deepEqual(parseSuppression('# noqa'), { line: 'all' });
    assert.deepEqual(parseSuppression('# noqa: KL003, kl001'), { line: new Set(['KL003', 'KL001']) });
    assert.deepEqual(parseSuppression('# NOQA:KL003'), { line: new Set(['KL003']) });
    assert.deepEqual(parseSuppression('# noqa: E501'), {});
    assert.deepEqual(parseSuppression('# kl-lens: ignore[KL003]'), { line: new Set(['KL003']) });
    assert.deepEqual(parseSuppression('# kl-lens: ignore'), { line: 'all' });
    assert.deepEqual(parseSuppression('# kl-lens: ignore-file[KL008]'), { file: new Set(['KL008']) });
  });

  it('silences a finding by a comment on any line of its statement, and only the rules named', () => {
    assert.equal(lint(`${IMPORTS}${BAD}\n`).length, 1);
    assert.equal(lint(`${IMPORTS}${BAD}  # noqa: KL003\n`).length, 0);
    assert.equal(lint(`${IMPORTS}${BAD}  # noqa: KL001\n`).length, 1);
    assert.equal(lint(`${IMPORTS}${BAD}  # kl-lens: ignore[KL003]\n`).length, 0);
    assert.equal(lint(`${IMPORTS}l = F.kl_div(\n    F.log_softmax(s, -1),\n    F.softmax(t, -1),\n)  # noqa: KL003\n`).length, 0);
    assert.equal(lint(`# kl-lens: ignore-file[KL003]\n${IMPORTS}${BAD}\n`).length, 0);
    assert.equal(lint(`${IMPORTS}${BAD}\n# kl-lens: ignore-file\n`).length, 0);
    assert.equal(lint(`${IMPORTS}# noqa: KL003\n${BAD}\n`).length, 1, 'a comment on another statement does not count');
    assert.equal(lint(`${IMPORTS}x = "# noqa: KL003"; ${BAD}\n`).length, 1, 'a string is not a comment');
  });

  it('writes "ignore on this line" and "ignore in this file" comments the linter then honours', () => {
    const cases = [`${IMPORTS}${BAD}\n`, `${IMPORTS}${BAD}  # noqa: E501\n`, `${IMPORTS}${BAD}  # a note\n`, `${IMPORTS}${BAD}   \n`];
    for (const src of cases) {
      const f = lint(src)[0]!;
      const m = new Model(parse(src).rootNode, src, new Imports());
      const line = applyEdits(src, [ignoreLineEdit(src, m.scopes.comments, f.start, f.rule)]);
      assert.equal(lint(line).length, 0, line);
      const file = applyEdits(src, [ignoreFileEdit(src, m.scopes.comments, f.rule)]);
      assert.equal(lint(file).length, 0, file);
    }
    const e501 = `${IMPORTS}${BAD}  # noqa: E501\n`;
    const m = new Model(parse(e501).rootNode, e501, new Imports());
    assert.ok(applyEdits(e501, [ignoreLineEdit(e501, m.scopes.comments, lint(e501)[0]!.start, 'KL003')]).includes('# noqa: E501, KL003'));
    const shebang = `#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n${IMPORTS}${BAD}\n`;
    const ms = new Model(parse(shebang).rootNode, shebang, new Imports());
    assert.ok(applyEdits(shebang, [ignoreFileEdit(shebang, ms.scopes.comments, 'KL003')]).startsWith('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# kl-lens: ignore-file[KL003]\n'));
  });

  it('select and ignore options pick rules', () => {
    const src = `${IMPORTS}l = F.kl_div(F.softmax(s, -1), F.softmax(t, -1))\n`;
    assert.deepEqual(lint(src).map((f) => f.rule), ['KL003', 'KL001']);
    assert.deepEqual(lint(src, { select: ['KL001'] }).map((f) => f.rule), ['KL001']);
    assert.deepEqual(lint(src, { ignore: ['KL001'] }).map((f) => f.rule), ['KL003']);
  });
});
