/** The payload's base64 decoder against Node's own (Buffer), on arbitrary bytes and wrappings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64 } from '../../../src/core/notebook/base64';

describe('decodeBase64', () => {
  it('decodes whatever Buffer encodes, padded or not, wrapped at any width', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.integer({ min: 1, max: 80 }), (bytes, pad, width) => {
        let text = Buffer.from(bytes).toString('base64');
        if (!pad) text = text.replace(/=+$/, '');
        const wrapped = text.replace(new RegExp(`(.{${width}})`, 'g'), '$1\n');
        assert.deepEqual(decodeBase64(wrapped, 'x'), new Uint8Array(bytes));
      }),
    );
  });

  it('names the first character outside the alphabet and its position', () => {
    assert.throws(() => decodeBase64('QUJD-EFG', 'variables.p.data'), { name: 'PayloadError', message: 'variables.p.data: invalid base64: unexpected character "-" at position 4' });
    assert.throws(() => decodeBase64('QUJDé', 'd'), /unexpected character "é" at position 4/);
  });

  it('refuses a length no encoder produces', () => {
    assert.throws(() => decodeBase64('QUJDR', 'd'), /5 characters is not a whole number of bytes/);
    assert.throws(() => decodeBase64('QUJDRA=', 'd'), /1 '=' after 6 characters/);
  });
});
