/** KL007 log-of-softmax. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixOf, IMPORTS, only, summary, withParser } from '../helpers';

withParser();

describe('KL007 log-of-softmax', () => {
  it('reports torch.log(F.softmax(x)) and x.softmax(-1).log(), fixing both in their own spelling', () => {
    const a = `${IMPORTS}y = torch.log(F.softmax(x, dim=-1))\n`;
    assert.deepEqual(summary(a, only('KL007', a)), ['KL007@4:torch.log(F.softmax(x, dim=-1))']);
    assert.equal(fixOf('KL007', a).text.split('\n')[3], 'y = F.log_softmax(x, dim=-1)');
    const b = `${IMPORTS}y = x.softmax(-1).log()\n`;
    assert.equal(fixOf('KL007', b).text.split('\n')[3], 'y = x.log_softmax(-1)');
    const c = `${IMPORTS}y = torch.softmax(x, 1).log()\n`;
    assert.equal(fixOf('KL007', c).text.split('\n')[3], 'y = torch.log_softmax(x, 1)');
    const sig = `${IMPORTS}y = torch.log(torch.sigmoid(x))\n`;
    assert.equal(fixOf('KL007', sig).text.split('\n')[3], 'y = F.logsigmoid(x)');
  });

  it('follows a name used only in the log, and changes its producer', () => {
    const src = `${IMPORTS}def f(x):\n    p = F.softmax(x, -1)\n    return torch.log(p)\n`;
    const fix = fixOf('KL007', src);
    assert.equal(fix.safety, 'safe');
    assert.deepEqual(fix.text.split('\n').slice(4, 6), ['    p = F.log_softmax(x, -1)', '    return p']);
  });

  it('says nothing for log of a clamped softmax, of a mixture, or for logger.log(...)', () => {
    for (const body of ['y = torch.log(F.softmax(x, -1) + 1e-8)', 'y = torch.log((F.softmax(a, -1) + F.softmax(b, -1)) / 2)', 'logger.log(F.softmax(x, -1))', 'y = F.log_softmax(x, -1)']) {
      assert.equal(only('KL007', `${IMPORTS}${body}\n`).length, 0, body);
    }
  });
});
