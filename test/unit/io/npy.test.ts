import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readTensor } from '../../../src/io/entry';
import { TensorFormatError } from '../../../src/io/errors';
import { MAX_HEADER_CHARS, readNpy } from '../../../src/io/npy';
import { memorySource } from '../../../src/io/source';
import { checkAgainstNumpy, countingSource, type ExpectedArray, fixtures, formatError, mutate, mutationArb, npyBytes as npy, readsOrRefuses } from '../../helpers/io';

const FIXTURES = fixtures('npy');

interface Expected extends ExpectedArray {
  version: string;
  fortran_order: boolean;
}
type Fixture = Expected | { refused: string } | { members: (Expected & { key: string })[] };

const EXPECTED = FIXTURES.json<Record<string, Fixture>>();
const NPY = Object.keys(EXPECTED).filter((f) => f.endsWith('.npy') && !('refused' in EXPECTED[f]!));
const bytesOf = FIXTURES.bytes;

function read(bytes: Uint8Array, name = 'test.npy') {
  return readNpy(memorySource(bytes, name));
}

function rejects(bytes: Uint8Array, ...fragments: (string | RegExp)[]): TensorFormatError {
  return formatError(() => read(bytes), ...fragments);
}

function positional(err: TensorFormatError, at?: number): void {
  assert.equal(typeof err.offset, 'number', `no offset in ${err.message}`);
  if (at !== undefined) assert.equal(err.offset, at, err.message);
}

/** Reference strides, written out here so the test does not reuse the reader's helpers. */
function cStrides(shape: number[]): number[] {
  return shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
}

function checkAgainst(actual: ReturnType<typeof readNpy>, e: Expected, what: string): void {
  const t = checkAgainstNumpy(actual, e, what);
  assert.deepEqual(t.shape, e.shape, `${what} tensor shape`);
}

describe('readNpy on files written by NumPy', () => {
  it('covers every dtype, both byte orders, Fortran order, 0-d, empty and all header versions', () => {
    const dtypes = new Set(NPY.map((f) => (EXPECTED[f] as Expected).dtype));
    for (const d of ['float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']) {
      assert.ok(dtypes.has(d), `no fixture of ${d}`);
    }
    const all = NPY.map((f) => EXPECTED[f] as Expected);
    assert.ok(all.some((e) => e.fortran_order && e.shape.length === 3));
    assert.ok(all.some((e) => e.shape.length === 0));
    assert.ok(all.some((e) => e.shape.includes(0) && e.shape.length === 2));
    assert.deepEqual([...new Set(all.map((e) => e.version))].sort(), ['1.0', '2.0', '3.0']);
  });

  for (const file of NPY) {
    it(`${file} reads bit-exactly as NumPy does`, () => {
      const e = EXPECTED[file] as Expected;
      const bytes = bytesOf(file);
      assert.equal(`${bytes[6]}.${bytes[7]}`, e.version, 'header version of the fixture');
      const entry = read(bytes, file);
      checkAgainst(entry, e, file);
      assert.equal(entry.key, '');
      assert.equal(entry.offset, 0);
      if (!e.fortran_order) assert.deepEqual(entry.strides, cStrides(e.shape));
    });
  }

  it('gives column-major strides to Fortran-order arrays', () => {
    const cases: [string, number[], number[]][] = [
      ['fortran_2d_f8.npy', [3, 4], [1, 3]],
      ['fortran_3d_i4.npy', [2, 3, 4], [1, 2, 6]],
      ['fortran_3d_be_f4.npy', [3, 2, 5], [1, 3, 6]],
      ['v3_fortran_u2.npy', [3, 2], [1, 3]],
    ];
    for (const [file, shape, strides] of cases) {
      assert.equal((EXPECTED[file] as Expected).fortran_order, true);
      const entry = read(bytesOf(file), file);
      assert.deepEqual(entry.shape, shape, file);
      assert.deepEqual(entry.strides, strides, file);
    }
  });

  it('rounds 64-bit integers beyond 2^53 to the nearest double, as astype(float64) does', () => {
    const i8 = readTensor(read(bytesOf('i8_extremes.npy'))).data;
    assert.equal(i8[6], 2 ** 53); // 2^53 + 1 ties to even
    assert.equal(i8[7], 2 ** 53 + 4); // 2^53 + 3 ties to even
    assert.equal(i8[8], 2 ** 63);
    assert.equal(i8[9], -(2 ** 63));
    const u8 = readTensor(read(bytesOf('u8_extremes.npy'))).data;
    assert.equal(u8[4], 2 ** 64);
  });

  it('makes the data region a window: only the magic and header are read to describe it', () => {
    const bytes = bytesOf('f8_le.npy');
    const src = countingSource(bytes);
    const entry = readNpy(src, 'w');
    const headerEnd = 10 + (bytes[8]! | (bytes[9]! << 8));
    assert.ok(src.reads.every(([o, n]) => o + n <= headerEnd), `read past the header: ${JSON.stringify(src.reads)}`);
    assert.equal(entry.storage.size, 2 * 2 * 7 * 8);
    assert.equal(entry.storage.size, bytes.length - headerEnd);
    assert.equal(entry.key, 'w');
    src.reads.length = 0;
    readTensor(entry);
    assert.deepEqual(src.reads, [[headerEnd, entry.storage.size]]);
  });
});

describe('readNpy header parsing', () => {
  const f4 = new Uint8Array(new Float32Array([1.5, -2, 0.25]).buffer);

  it('accepts keys in any order, either quote, no trailing comma and free whitespace', () => {
    for (const h of [
      "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}",
      '{"descr": "<f4", "fortran_order": False, "shape": (3,)}\n',
      "{ 'fortran_order' : False ,\n 'shape' : ( 3 , ) , 'descr' : '<f4' , }      \n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }\n",
    ]) {
      const e = read(npy(h, f4));
      assert.deepEqual(e.shape, [3], h);
      assert.deepEqual([...readTensor(e).data], [1.5, -2, 0.25], h);
    }
  });

  it('reads () as 0-d, (n,) as 1-d and a trailing comma after the last dimension', () => {
    assert.deepEqual(read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", f4.subarray(0, 4))).shape, []);
    assert.deepEqual(read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3,)}", f4)).shape, [1, 3]);
    assert.deepEqual(read(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 1)}", f4)).strides, [1, 3]);
  });

  it("reads '=' and '|' as little-endian, '?' and b1 as bool", () => {
    for (const d of ['=f4', '|f4', 'f4']) {
      const e = read(npy(`{'descr': '${d}', 'fortran_order': False, 'shape': (3,)}`, f4));
      assert.equal(e.order, 'little', d);
      assert.equal(readTensor(e).data[0], 1.5, d);
    }
    for (const d of ['|?', '?', '|b1', '<b1']) {
      const e = read(npy(`{'descr': '${d}', 'fortran_order': False, 'shape': (3,)}`, Uint8Array.of(0, 1, 2)));
      assert.equal(e.dtype, 'bool', d);
      assert.deepEqual([...readTensor(e).data], [0, 1, 1], d);
    }
  });

  it(`accepts a header of exactly ${MAX_HEADER_CHARS} characters and refuses a longer one`, () => {
    const base = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const exact = base + ' '.repeat(MAX_HEADER_CHARS - base.length - 1) + '\n';
    assert.deepEqual(read(npy(exact, f4)).shape, [3]);
    const long = base + ' '.repeat(MAX_HEADER_CHARS - base.length) + '\n';
    positional(rejects(npy(long, f4), 'header is 10001 bytes', 'max_header_size'), 8);
    positional(rejects(npy(base + ' '.repeat(70_000), f4, 2), 'max_header_size'), 8);
    // Version 3.0 counts characters, as NumPy does: 'é' is two bytes but one character.
    const wide = (n: number): string => `{'descr': '${'é'.repeat(n)}', 'fortran_order': False, 'shape': (3,), }`;
    positional(rejects(npy(wide(9000), f4, 3), "dtype 'éééé", 'is not supported'), 22);
    positional(rejects(npy(wide(MAX_HEADER_CHARS), f4, 3), 'characters', 'max_header_size'), 8);
  });
});

describe('readNpy refusals', () => {
  it('refuses object arrays without touching the pickle', () => {
    const err = rejects(bytesOf('object.npy'), 'object arrays (dtype |O)', 'pickled Python objects', 'not read');
    positional(err);
    assert.ok(err.offset! < 128, 'the refusal points into the header');
    assert.deepEqual((EXPECTED['object.npy'] as { refused: string }).refused, 'object');
  });

  it('refuses structured (record) dtypes', () => {
    const h = "{'descr': [('x', '<f4'), ('y', '<i4', (2,))], 'fortran_order': False, 'shape': (2,), }";
    positional(rejects(npy(h, 24), 'structured (record) arrays'));
    positional(rejects(npy("{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (1,)}", 8), 'structured'));
  });

  it('names unsupported dtypes', () => {
    for (const [d, kind] of [
      ['<c16', 'complex'],
      ['<U10', 'unicode string'],
      ['|S3', 'byte string'],
      ['<M8[ns]', 'datetime64'],
      ['<m8[s]', 'timedelta64'],
      ['|V8', 'void'],
      ['<f16', ''],
      ['<i3', ''],
      ['float32', ''],
      ['', ''],
    ] as const) {
      const err = rejects(npy(`{'descr': '${d}', 'fortran_order': False, 'shape': (1,)}`, 16), `dtype '${d}'`, kind, 'not supported');
      positional(err, 20);
    }
  });
});

describe('readNpy on malformed input', () => {
  const good = bytesOf('f4_le.npy');
  const headerEnd = 10 + (good[8]! | (good[9]! << 8));

  it('refuses truncation at every section boundary with the section named', () => {
    const cases: [number, string][] = [
      [0, 'shorter than the magic string'],
      [3, 'shorter than the magic string'],
      [6, 'format version'],
      [7, 'format version'],
      [8, 'header length'],
      [9, 'header length'],
      [10, 'runs past the end of the file'],
      [60, 'runs past the end of the file'],
      [headerEnd - 1, 'runs past the end of the file'],
      [headerEnd, 'needs 108 bytes'],
      [headerEnd + 1, 'truncated'],
      [good.length - 1, 'truncated'],
    ];
    for (const [cut, fragment] of cases) positional(rejects(good.subarray(0, cut), fragment));
  });

  it('refuses every truncation of every fixture, and trailing bytes', () => {
    for (const file of ['f4_le.npy', 'v2_f4.npy', 'v3_f8.npy', 'scalar_f8.npy', 'fortran_3d_i4.npy']) {
      const bytes = bytesOf(file);
      for (let cut = 0; cut < bytes.length; cut++) positional(formatError(() => read(bytes.subarray(0, cut))));
      const longer = new Uint8Array(bytes.length + 3);
      longer.set(bytes);
      positional(rejects(longer, '3 unexpected bytes after the'), bytes.length);
    }
    // Empty arrays have no data: the cut right after the header is the whole file.
    const empty = bytesOf('empty_2d.npy');
    for (let cut = 0; cut < empty.length; cut++) positional(formatError(() => read(empty.subarray(0, cut))));
  });

  it('names the flipped byte of a bad magic string and an unknown version', () => {
    for (let i = 0; i < 6; i++) {
      const b = good.slice();
      b[i]! ^= 0x20;
      positional(rejects(b, 'not an .npy file', `byte ${i}`), i);
    }
    for (const [major, minor] of [[0, 0], [4, 0], [1, 1], [2, 5]]) {
      const b = good.slice();
      b[6] = major!;
      b[7] = minor!;
      positional(rejects(b, `format version ${major}.${minor}`, 'expected 1.0, 2.0 or 3.0'), 6);
    }
  });

  it('refuses or reads, never crashes, with any single header byte changed', () => {
    for (let i = 8; i < headerEnd; i++) {
      for (const v of [0x00, 0x20, 0x27, 0x28, 0x29, 0x2c, 0x31, 0x39, 0x7b, 0x7d, 0xff, good[i]! ^ 1]) {
        const b = good.slice();
        b[i] = v;
        try {
          readTensor(read(b));
        } catch (e) {
          assert.ok(e instanceof TensorFormatError, `byte ${i} = ${v}: ${String(e)}`);
          assert.equal(typeof e.offset, 'number', `byte ${i} = ${v}: ${e.message}`);
        }
      }
    }
  });

  it('refuses headers that lie about the data', () => {
    const h = (shape: string, extra = ''): string => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, ${extra}}`;
    positional(rejects(npy(h('(4,)'), 12), 'needs 16 bytes', 'the file has 12 after the header', 'truncated or its shape lies'));
    positional(rejects(npy(h('(2,)'), 12), '4 unexpected bytes', 'trailing garbage'));
    positional(rejects(npy(h('(3,)'), 12).subarray(0, 20), 'runs past the end'), 8);
    const lying = npy(h('(3,)'), 12);
    lying[8] = 0xff;
    positional(rejects(lying, 'runs past the end of the file', 'its length lies'), 8);
  });

  it('refuses malformed header dicts, naming what was expected', () => {
    const cases: [string, string][] = [
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,)", "the dict is not closed: expected '}'"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,", "the tuple is not closed: expected ')'"],
      ["{'descr': '<f4, 'fortran_order': False, 'shape': (3,)}", "expected ',' or '}' after the value of 'descr'"],
      ["{'descr' '<f4', 'fortran_order': False, 'shape': (3,)}", "expected ':' after the key 'descr'"],
      ["{'descr': '<f4', 'fortran_order': False 'shape': (3,)}", "expected ',' or '}' after the value of 'fortran_order'"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} x", 'expected only spaces and a newline after the header dict'],
      ["('descr', '<f4')", "expected the header dict to start with '{'"],
      ['', "expected the header dict to start with '{'"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}", "unknown key 'extra'"],
      ["{'descr': '<f4', 'shape': (3,)}", "no 'fortran_order' key"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'shape': (3,)}", "key 'shape' appears twice"],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}", "'fortran_order' must be True or False, found the int 0"],
      ["{'descr': '<f4', 'fortran_order': 'False', 'shape': (3,)}", "'fortran_order' must be True or False, found the string"],
      ["{'descr': '<f4', 'fortran_order': false, 'shape': (3,)}", 'expected a string, int, True, False'],
      ["{'descr': '<f4', 'fortran_order': None, 'shape': (3,)}", "'fortran_order' must be True or False, found None"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", 'trailing comma'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': [3]}", "'shape' must be a tuple of ints, found the list [3]"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': ('3',)}", "found the string '3' in it"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,)}", 'expected an integer'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (03,)}", 'leading zero'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (-,)}", "expected digits after '-'"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", 'expected a string, int'],
      ["{'descr': 3, 'fortran_order': False, 'shape': (3,)}", "'descr' must be a dtype string"],
      ["{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (3,)}", 'escape sequences'],
      ["{'descr': '<f4\n', 'fortran_order': False, 'shape': (3,)}", 'unterminated string'],
      ["{(3,): '<f4'}", 'dict keys must be strings'],
    ];
    for (const [header, fragment] of cases) {
      const err = rejects(npy(header, 12), 'npy: ', fragment);
      positional(err);
      assert.ok(err.offset! >= 10 && err.offset! <= 10 + header.length, `${header}: offset ${err.offset} is outside the header`);
    }
    // The offset points at the problem: the unknown key starts at byte 10 + its index.
    const header = "{'descr': '<f4', 'bad': 1, 'fortran_order': False, 'shape': (3,)}";
    positional(rejects(npy(header, 12), "unknown key 'bad'"), 10 + header.indexOf("'bad'"));
  });

  it('refuses negative, huge and overflowing dimensions without allocating', () => {
    const h = (shape: string, descr = '<f4'): Uint8Array => npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}}`, 12);
    positional(rejects(h('(-3,)'), 'negative dimension -3'));
    positional(rejects(h('(2, -1)'), 'negative dimension -1'));
    positional(rejects(h('(9007199254740993,)'), 'beyond 2^53'));
    positional(rejects(h(`(${'9'.repeat(400)},)`), 'beyond 2^53'));
    positional(rejects(h('(4294967296, 4294967296)'), 'more elements than can be addressed'));
    positional(rejects(h('(1125899906842624,)', '<f8'), 'more bytes than can be addressed'));
    positional(rejects(h('(1000000, 1000000, 1000)'), 'needs 4000000000000000 bytes'));
    positional(rejects(h(`(${'1, '.repeat(3000)}0, 99999999999)`, '<f8'), '12 unexpected bytes after the 0 bytes', '(3002 dimensions)'));
  });

  it('refuses version 3.0 headers that are not UTF-8 and nesting too deep to be a header', () => {
    const bad = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}  ", 12, 3);
    bad[bad.length - 13] = 0xc3; // a lead byte with no continuation
    positional(rejects(bad, 'must be UTF-8'), 12);
    const deep = `{'descr': ${'['.repeat(1000)}${']'.repeat(1000)}, 'fortran_order': False, 'shape': (3,)}`;
    positional(rejects(npy(deep, 12, 2), 'nested more than'));
  });
});

// -----------------------------------------------------------------------------------------------
// Fuzzing: mutated fixtures are read or refused with a TensorFormatError, never anything else.

const mutation = mutationArb({ values: fc.constantFrom(0x00, 0x20, 0x29, 0x2c, 0x2d, 0x39, 0x7f, 0x80, 0xff) });

describe('readNpy fuzzing', () => {
  it('reads or refuses mutated fixtures with a TensorFormatError only', () => {
    const inputs = NPY.map(bytesOf).concat([bytesOf('object.npy')]);
    const started = Date.now();
    fc.assert(
      fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, mutations) => {
        const bytes = mutate(inputs[i]!, mutations);
        readsOrRefuses(() => readTensor(read(bytes)));
      }),
      { numRuns: 300 },
    );
    assert.ok(Date.now() - started < 10_000, 'fuzzing took too long');
  });
});
