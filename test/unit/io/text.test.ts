import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTensor } from '../../../src/io/entry';
import { MAX_JSON_DEPTH, readDelimited, readJson } from '../../../src/io/text';
import { toNested } from '../../../src/core/tensor';
import { formatError } from '../../helpers/io';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const csv = (s: string) => readDelimited(bytes(s), ',', 't.csv');
const json = (s: string) => readJson(bytes(s), 't.json');

describe('CSV / TSV', () => {
  it('reads a table, a single row and a single column', () => {
    assert.deepEqual(toNested(readTensor(csv('1,2,3\n4,5,6\n').entries[0]!)), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(toNested(readTensor(csv('0.5, 0.3, 0.2').entries[0]!)), [0.5, 0.3, 0.2]);
    assert.deepEqual(toNested(readTensor(csv('1\r\n2\r\n3\r\n').entries[0]!)), [1, 2, 3]);
    assert.deepEqual(toNested(readTensor(readDelimited(bytes('1\t2\n3\t4'), '\t', 't.tsv').entries[0]!)), [[1, 2], [3, 4]]);
  });

  it('reads numbers in every usual spelling', () => {
    const t = readTensor(csv('1e-3,-2.5E+2,.5,"7",inf,-Infinity,nan,+3').entries[0]!);
    assert.deepEqual(Array.from(t.data), [1e-3, -250, 0.5, 7, Infinity, -Infinity, NaN, 3]);
  });

  it('takes a non-numeric first row as a header and offers each column by name', () => {
    const f = csv('p,q\n0.5,0.4\n0.5,0.6\n');
    assert.deepEqual(f.entries.map((e) => e.key), ['', 'p', 'q']);
    assert.deepEqual(toNested(readTensor(f.entries[2]!)), [0.4, 0.6]);
    assert.deepEqual(f.entries[0]!.shape, [2, 2]);
  });

  it('skips blank lines and # comments', () => {
    assert.deepEqual(csv('# probs\n\n1,2\n\n3,4\n').entries[0]!.shape, [2, 2]);
  });

  it('says where a bad cell or a ragged row is', () => {
    const e = formatError(() => csv('1,2\n3,x\n'));
    assert.match(e.message, /line 2, column 3: 'x' is not a number/);
    assert.equal(e.offset, 6);
    assert.match(formatError(() => csv('1,2\n3\n')).message, /line 2 has 1 fields but the first row has 2/);
    assert.match(formatError(() => csv('a,b\n')).message, /header but no rows/);
    assert.match(formatError(() => csv('')).message, /holds no numbers/);
    assert.match(formatError(() => readDelimited(Uint8Array.of(0xff, 0xfe, 0x31), ',', 'x.csv')).message, /not valid UTF-8/);
  });
});

describe('JSON', () => {
  it('reads nested arrays and objects of arrays (dotted keys)', () => {
    assert.deepEqual(toNested(readTensor(json('[[1, 2], [3, 4]]').entries[0]!)), [[1, 2], [3, 4]]);
    const f = json('{"p": [0.5, 0.5], "model": {"q": [0.9, 0.1]}, "n": 3}');
    assert.deepEqual(f.entries.map((e) => e.key), ['p', 'model.q', 'n']);
    assert.deepEqual(f.entries[2]!.shape, []);
  });

  it('accepts the strings KL Lens writes for non-finite numbers', () => {
    assert.deepEqual(Array.from(readTensor(json('[1, "Infinity", "-Infinity", "NaN"]').entries[0]!).data), [1, Infinity, -Infinity, NaN]);
  });

  it('rejects ragged arrays, non-numbers, nulls and deep nesting with a clear message', () => {
    assert.match(formatError(() => json('[[1, 2], [3]]')).message, /ragged array at \[1\]: expected 2 entries, found 1/);
    assert.match(formatError(() => json('{"p": [1, "x"]}')).message, /"x" at \[1\] in 'p' is not a number/);
    assert.match(formatError(() => json('{"p": null}')).message, /'p' is null, not an array of numbers/);
    assert.match(formatError(() => json('[1, 2')).message, /not valid JSON/);
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    const e = formatError(() => json(deep));
    assert.match(e.message, /nested more than 64 levels deep/);
    assert.equal(e.offset, MAX_JSON_DEPTH);
    // Brackets inside strings do not count.
    assert.equal(json(`{"${'['.repeat(100)}": [1]}`).entries.length, 1);
  });
});
