import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../../../../src/core/lang/lexer';
import { errorOf } from '../../../helpers/values';

const kinds = (src: string): string[] => tokenize(src).map((t) => (t.type === 'op' || t.type === 'name' ? t.text : t.type));

describe('tokenize', () => {
  it('reads numbers in every written form', () => {
    const nums = tokenize('1 2.5 .5 1e-3 -2.5e-3 1E+2 1_000 3.').filter((t) => t.type === 'number').map((t) => t.value);
    assert.deepEqual(nums, [1, 2.5, 0.5, 1e-3, 2.5e-3, 100, 1000, 3]);
  });

  it('treats ||, ‖ and , as distinct separators and ** as ^', () => {
    assert.deepEqual(kinds('KL(p || q)'), ['KL', '(', 'p', '||', 'q', ')', 'eof']);
    assert.deepEqual(kinds('KL(p ‖ q)'), ['KL', '(', 'p', '||', 'q', ')', 'eof']);
    assert.deepEqual(kinds('a ** 2'), ['a', '^', 'number', 'eof']);
  });

  it('ends statements at newlines and ; but not inside brackets', () => {
    assert.deepEqual(kinds('a = [1,\n 2]\nb'), ['a', '=', '[', 'number', ',', 'number', ']', 'newline', 'b', 'eof']);
    assert.deepEqual(kinds('a; b'), ['a', 'newline', 'b', 'eof']);
  });

  it('skips comments to the end of the line', () => {
    assert.deepEqual(kinds('a # KL(p || q)\nb'), ['a', 'newline', 'b', 'eof']);
  });

  it('unescapes strings in both quotes', () => {
    const strs = tokenize(`"a\\"b" 'c\\'d' "\\n"`).filter((t) => t.type === 'string').map((t) => t.text);
    assert.deepEqual(strs, ['a"b', "c'd", '\n']);
  });

  it('records spans as offsets into the source', () => {
    const [, , second] = tokenize('ab + cd');
    assert.deepEqual(second!.span, { start: 5, end: 7 });
  });

  it('names unicode identifiers', () => {
    assert.deepEqual(kinds('μ = 1'), ['μ', '=', 'number', 'eof']);
  });

  it('rejects bad input with the position', () => {
    assert.deepEqual(errorOf(() => tokenize('a $ b')).span, { start: 2, end: 3 });
    assert.match(errorOf(() => tokenize('KL(p | q)')).message, /unexpected character '\|' \(write '\|\|' or '‖'/);
    assert.match(errorOf(() => tokenize('"abc')).message, /unterminated string/);
    assert.match(errorOf(() => tokenize('1e')).message, /malformed number '1e'/);
    assert.match(errorOf(() => tokenize('12abc')).message, /malformed number '12abc'/);
    assert.match(errorOf(() => tokenize('"\\q"')).message, /unknown escape/);
  });
});
