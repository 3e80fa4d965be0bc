import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPaths } from '../../../../src/core/lang/loads';

describe('loadPaths', () => {
  it('finds every literal path passed to load(), once, wherever it is nested', () => {
    assert.deepEqual(loadPaths('p = load("a.npy")\nKL(softmax(load(\'b.pt\', "x.y") / 2) || p)\n# load("c.npy")\n[load("a.npy")]'), ['a.npy', 'b.pt']);
  });

  it('ignores computed paths and programs that do not parse', () => {
    assert.deepEqual(loadPaths('f = "a.npy"; load(f)'), []);
    assert.deepEqual(loadPaths('load("a.npy"'), []);
  });
});
