/** 1-based lines and code-point columns of UTF-16 offsets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineIndex } from '../../../src/core/positions';

describe('LineIndex', () => {
  it('counts lines and code points', () => {
    const src = 'ab\n😀x = 1\r\n\ny';
    const ix = new LineIndex(src);
    assert.deepEqual(ix.position(0), { line: 1, column: 1 });
    assert.deepEqual(ix.position(2), { line: 1, column: 3 });
    assert.deepEqual(ix.position(3), { line: 2, column: 1 });
    assert.deepEqual(ix.position(src.indexOf('x')), { line: 2, column: 2 }, 'the emoji is one column');
    assert.deepEqual(ix.position(src.indexOf('y')), { line: 4, column: 1 });
    assert.deepEqual(ix.position(src.length + 10), { line: 4, column: 2 });
  });
});
