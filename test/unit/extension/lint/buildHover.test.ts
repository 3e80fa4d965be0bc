/** The hover text of a kl_div / KLDivLoss call, built from the core's explanation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainAt } from '../../../../src/core/lint/explain';
import { Model } from '../../../../src/core/lint/model';
import { Imports } from '../../../../src/core/lint/names';
import { buildLintHover } from '../../../../src/extension/lint/buildHover';
import { IMPORTS, parse, withParser } from '../../core/lint/helpers';

withParser();

function hover(src: string, at: string): string {
  const m = new Model(parse(src).rootNode, src, new Imports());
  const e = explainAt(m, src.indexOf(at) + 1);
  assert.ok(e, `no explanation at ${at}`);
  return buildLintHover(e);
}

describe('buildLintHover', () => {
  it('says what a batchmean KL computes and which divergence it is, in the user’s names', () => {
    const md = hover(`${IMPORTS}l = F.kl_div(log_p, q, reduction="batchmean")\n`, 'kl_div');
    assert.equal(
      md,
      '**KL Lens** · this call computes `Σ q·(log q − log_p) / batch` = **`KL(q ‖ exp(log_p))`**\n\nThe KL of each row, averaged over the batch \\(log\\_p.size\\(0\\)\\).',
    );
  });

  it('says when the call is no divergence, and lists where the long arguments came from', () => {
    const md = hover(`${IMPORTS}l = F.kl_div(F.softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1))\n`, 'kl_div');
    assert.match(md, /— \*\*not a KL divergence\*\*/);
    assert.match(md, /^- input = F.softmax\\\(student\\_logits \/ T, -1\\\)$/m);
    assert.match(md, /use reduction="batchmean"/);
  });

  it('keeps a backtick in the user’s code from breaking the inline code', () => {
    const md = hover(`${IMPORTS}l = F.kl_div(a, d["x\`y"], reduction="sum")\n`, 'kl_div');
    assert.ok(md.startsWith('**KL Lens** · this call computes `` Σ d["x`y"]·(log d["x`y"] − a) `` = **`` KL(d["x`y"] ‖ exp(a)) ``**'), md);
  });
});
