/**
 * Base64 (RFC 4648 §4, the standard alphabet) to bytes, written out because the payload is decoded
 * in a browser webview, in the extension host and in tests alike: `atob` yields a binary string
 * (slow for megabytes) and `Buffer` does not exist in the webview. Errors give the character
 * position, so a corrupted output points at where it broke.
 */
import { PayloadError } from './errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INVALID = 255;
const SKIP = 254;
const VALUES = (() => {
  const t = new Uint8Array(128).fill(INVALID);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  // Line breaks and spaces: what MIME-style encoders (Python's base64.encodebytes) insert.
  for (const c of ' \t\r\n') t[c.charCodeAt(0)] = SKIP;
  return t;
})();

/**
 * Decodes `text`; `path` names the field in error messages.
 * @example decodeBase64('AAABAg==', 'variables.q.data') // Uint8Array [0, 0, 1, 2]
 */
export function decodeBase64(text: string, path: string): Uint8Array {
  // Padding is optional (some encoders drop it); where it starts, only padding and spaces may follow.
  let end = text.length;
  let padding = 0;
  for (; end > 0; end--) {
    const c = text.charCodeAt(end - 1);
    if (VALUES[c] === SKIP) continue;
    if (c !== 61 /* = */ || padding === 2) break;
    padding++;
  }
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let length = 0;
  let buffer = 0;
  let bits = 0;
  let chars = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? VALUES[code]! : INVALID;
    if (v === SKIP) continue;
    if (v === INVALID) {
      const shown = String.fromCodePoint(text.codePointAt(i)!);
      throw new PayloadError(path, `invalid base64: unexpected character ${JSON.stringify(shown)} at position ${i}`);
    }
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    chars++;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (buffer >> bits) & 0xff;
    }
  }
  if (chars % 4 === 1) throw new PayloadError(path, `invalid base64: ${chars} characters is not a whole number of bytes (a truncated string?)`);
  if (padding > 0 && (chars + padding) % 4 !== 0) throw new PayloadError(path, `invalid base64: ${padding} '=' after ${chars} characters`);
  return out.subarray(0, length);
}
