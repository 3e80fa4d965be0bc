import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readTensor } from '../../../src/io/entry';
import { type TensorFormatError } from '../../../src/io/errors';
import { MAX_HEADER_DEPTH, MAX_HEADER_SIZE, readSafetensors } from '../../../src/io/safetensors';
import { memorySource } from '../../../src/io/source';
import { assertSameValues, countingSource, fixtures, formatError, mutate, mutationArb, readsOrRefuses } from '../../helpers/io';

const FIXTURES = fixtures('safetensors');

interface ExpectedTensor {
  key: string;
  dtype: string;
  shape: number[];
  values: (number | string)[];
}
interface ExpectedFile {
  size: number;
  metadata: Record<string, string>;
  tensors: ExpectedTensor[];
}
const expected = FIXTURES.json<{ files: Record<string, ExpectedFile> }>();

const DTYPE: Record<string, string> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U64: 'uint64',
  U32: 'uint32',
  U16: 'uint16',
  U8: 'uint8',
  BOOL: 'bool',
};

const fixture = FIXTURES.bytes;

function load(bytes: Uint8Array) {
  return readSafetensors(memorySource(bytes, 'test.safetensors'));
}

/** A file from a header (object, or raw text for malformed ones) and data, padded as the writer pads. */
function build(header: object | string, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const head = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

function headerLength(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

/** Byte offset in the file of the first occurrence of `text` in the header. */
function at(bytes: Uint8Array, text: string): number {
  const i = Buffer.from(bytes).indexOf(Buffer.from(text));
  assert.ok(i >= 0, `'${text}' not in the file`);
  return i;
}

function rejects(bytes: Uint8Array, fragment: RegExp, offset?: number): TensorFormatError {
  const caught = formatError(() => load(bytes), fragment);
  assert.equal(caught.format, 'safetensors');
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

const f32 = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
const zeros = (n: number) => new Uint8Array(n);

/** Two tensors, a: F32 [2] at data bytes 0..8, b: I16 [3] at 8..14. */
const TWO = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I16', shape: [3], data_offsets: [8, 14] } };

describe('readSafetensors: fixtures written as safetensors.torch.save_file writes them', () => {
  for (const [name, want] of Object.entries(expected.files)) {
    it(`${name}: keys, dtypes, shapes, metadata and bit-exact values`, () => {
      const bytes = fixture(name);
      assert.equal(bytes.length, want.size);
      const file = load(bytes);
      assert.equal(file.format, 'safetensors');
      assert.deepEqual(file.metadata, want.metadata);
      assert.deepEqual(
        file.entries.map((e) => e.key),
        want.tensors.map((t) => t.key),
      );
      file.entries.forEach((entry, i) => {
        const t = want.tensors[i]!;
        assert.equal(entry.dtype, DTYPE[t.dtype], t.key);
        assert.deepEqual(entry.shape, t.shape, t.key);
        assert.equal(entry.order, 'little');
        const got = readTensor(entry);
        assert.deepEqual(got.shape, t.shape);
        assertSameValues(got.data, t.values, `${name} ${t.key}`);
      });
    });
  }

  it('covers every supported dtype, both float8 formats exhaustively', () => {
    const file = load(fixture('dtypes.safetensors'));
    assert.deepEqual(new Set(file.entries.map((e) => e.dtype)), new Set(Object.values(DTYPE)));
    const e4m3 = readTensor(file.entries.find((e) => e.key === 'f8_e4m3')!).data;
    assert.equal(e4m3[0x7e], 448);
    assert.ok(Number.isNaN(e4m3[0x7f]!) && Number.isNaN(e4m3[0xff]!));
    assert.equal(readTensor(file.entries.find((e) => e.key === 'f8_e5m2')!).data[0x7c], Infinity);
  });

  it('reads the distillation logits as two float32 [4, 10] tensors', () => {
    const file = load(fixture('distill.safetensors'));
    assert.deepEqual(
      file.entries.map((e) => [e.key, e.dtype, e.shape]),
      [
        ['student', 'float32', [4, 10]],
        ['teacher', 'float32', [4, 10]],
      ],
    );
    assert.deepEqual(file.metadata, { format: 'pt' });
  });

  it('reads only the length and the header; each tensor is a window of the file', () => {
    const bytes = fixture('many.safetensors');
    const counting = countingSource(bytes, 'many.safetensors');
    const reads = counting.reads;
    const file = readSafetensors(counting);
    const dataStart = 8 + headerLength(bytes);
    assert.ok(reads.every(([o, n]) => o + n <= dataStart), JSON.stringify(reads));
    reads.length = 0;
    const entry = file.entries[5]!;
    readTensor(entry);
    assert.equal(reads.length, 1);
    assert.equal(reads[0]![1], entry.storage.size);
    assert.equal(entry.storage.name, `many.safetensors:${entry.key}`);
  });

  it('keeps the header order, which may differ from offset order, and integer-like keys where written', () => {
    // Written as text: JSON.stringify of an object would itself move '2' and '10' first.
    const header = '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"10":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"2":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const file = load(build(header, f32(2, 0.5, 10)));
    assert.deepEqual(
      file.entries.map((e) => [e.key, readTensor(e).data[0]]),
      [
        ['b', 0.5],
        ['10', 10],
        ['2', 2],
      ],
    );
  });

  it('accepts whitespace padding, a null __metadata__, and keeps a __proto__ metadata key as data', () => {
    assert.deepEqual(load(build('{ \n\t"__metadata__" : null }\n')).metadata, {});
    const meta = load(build({ __metadata__: JSON.parse('{"__proto__":"x","k":"v"}') as object })).metadata;
    assert.equal(Object.getPrototypeOf(meta), Object.prototype);
    assert.deepEqual(Object.entries(meta), [
      ['__proto__', 'x'],
      ['k', 'v'],
    ]);
  });

  it('allows several empty tensors at the same offset, as the reference does', () => {
    const header = { e1: { dtype: 'F32', shape: [0], data_offsets: [0, 0] }, x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, e2: { dtype: 'I8', shape: [3, 0], data_offsets: [4, 4] } };
    const file = load(build(header, f32(1)));
    assert.deepEqual(
      file.entries.map((e) => readTensor(e).data.length),
      [0, 1, 0],
    );
  });
});

describe('readSafetensors: malformed files', () => {
  it('refuses every truncation of every fixture, naming the section that is cut', () => {
    for (const name of Object.keys(expected.files)) {
      const bytes = fixture(name);
      const n = headerLength(bytes);
      for (let cut = 0; cut < bytes.length; cut++) {
        const part = bytes.slice(0, cut);
        if (cut < 8) rejects(part, /too short for the 8-byte header length/, 0);
        else if (cut < 8 + n) rejects(part, /header length \d+ runs past the end of the file/, 0);
        else rejects(part, /tensors need \d+ data bytes but the file has \d+ after the header; it is truncated/, cut);
      }
    }
  });

  it('names the tensor data that a truncation cuts into', () => {
    const bytes = fixture('distill.safetensors');
    const start = 8 + headerLength(bytes);
    const e = rejects(bytes.slice(0, start + 200), /tensors need 320 data bytes but the file has 200/, start + 200);
    assert.match(e.message, /at byte \d+\)$/);
  });

  it('refuses a header length past the end of the file or over the limit', () => {
    const bytes = fixture('distill.safetensors');
    const longer = bytes.slice();
    new DataView(longer.buffer).setBigUint64(0, BigInt(bytes.length - 7), true);
    rejects(longer, new RegExp(`header length ${bytes.length - 7} runs past the end of the file \\(${bytes.length} bytes`), 0);
    const over = bytes.slice();
    new DataView(over.buffer).setBigUint64(0, BigInt(MAX_HEADER_SIZE + 1), true);
    rejects(over, /header length 100000001 exceeds the 100000000-byte limit/, 0);
    new DataView(over.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    rejects(over, /header length 18446744073709551615 exceeds/, 0);
  });

  it('refuses a header that is not a JSON object', () => {
    rejects(build(''), /must be a JSON object starting with '\{', found an empty header/, 8);
    rejects(build('[1, 2]'), /starting with '\{', found byte 0x5b/, 8);
    rejects(build(' {}'), /starting with '\{', found byte 0x20/, 8);
    rejects(build('{"a": 1'), /not valid JSON/);
    rejects(build('{"a":}'), /not valid JSON/, 8);
    const trailing = build('{} x');
    rejects(trailing, /not valid JSON \(Unexpected non-whitespace character/, 8 + 3);
    const comma = build('{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},}');
    rejects(comma, /not valid JSON/, at(comma, ',}') + 1);
    // Positions are reported in bytes, not UTF-16 units.
    const wide = build('{"__metadata__":{"ü😀":"x",}}');
    rejects(wide, /not valid JSON/, at(wide, ',}') + 1);
  });

  it('refuses a header that is not UTF-8, at the offending byte', () => {
    const cases = [
      [0xff],
      [0xc0, 0xaf], // overlong '/'
      [0xe0, 0x80, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0xe2, 0x82], // cut short by the closing quote
    ];
    for (const seq of cases) {
      const head = [...Buffer.from('{"__metadata__":{"k":"')];
      const raw = new Uint8Array([...head, ...seq, ...Buffer.from('"}}')]);
      const file = new Uint8Array(8 + raw.length);
      new DataView(file.buffer).setBigUint64(0, BigInt(raw.length), true);
      file.set(raw, 8);
      rejects(file, /header is not valid UTF-8/, 8 + head.length);
    }
  });

  it('refuses nesting deeper than the limit before parsing, ignoring brackets inside strings', () => {
    const deep = `{"__metadata__":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const bytes = build(deep);
    // The top-level object is level 1, so the limit is crossed by the (MAX_HEADER_DEPTH)th bracket.
    rejects(bytes, new RegExp(`nested more than ${MAX_HEADER_DEPTH} levels deep`), 8 + '{"__metadata__":'.length + MAX_HEADER_DEPTH - 1);
    const quoted = { __metadata__: { k: '['.repeat(1000) + '{'.repeat(1000) } };
    assert.equal(load(build(quoted)).metadata.k!.length, 2000);
  });

  it('refuses duplicate keys, which JSON.parse would silently merge', () => {
    const t = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const bytes = build(`{"a":${t},"a":${t}}`, f32(1));
    rejects(bytes, /key 'a' appears more than once/, at(bytes, `,"a"`) + 1);
    rejects(build('{"__metadata__":{},"__metadata__":{}}'), /'__metadata__' appears more than once/);
  });

  it('refuses unknown and missing fields', () => {
    const extra = build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], offsets: [0, 4] } }, f32(1));
    rejects(extra, /tensor 'a' has unknown field 'offsets'; expected only dtype, shape, data_offsets/, at(extra, '"a"'));
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      const info: Record<string, unknown> = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
      delete info[field];
      rejects(build({ a: info }, f32(1)), new RegExp(`tensor 'a' is missing '${field}'`), 8 + 1);
    }
  });

  it('refuses fields of the wrong type', () => {
    const bad = (info: unknown, fragment: RegExp) => {
      const bytes = build({ __metadata__: { m: 'v' }, a: info }, f32(1));
      rejects(bytes, fragment, at(bytes, '"a"'));
    };
    const ok = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
    bad([ok], /tensor 'a' must be an object \{dtype, shape, data_offsets\}, got \[/);
    bad(null, /tensor 'a' must be an object/);
    bad('F32', /tensor 'a' must be an object/);
    bad({ ...ok, dtype: 5 }, /dtype must be a string, got 5/);
    for (const shape of [[-1], [1.5], [2, null], '1', { 0: 1 }, [2 ** 53], [1e300]]) {
      bad({ ...ok, shape }, /shape must be an array of non-negative integers/);
    }
    for (const offsets of [[0], [0, 4, 8], ['0', '4'], [0, 4.5], [-4, 0], { 0: 0, 1: 4 }, null, [0, 2 ** 53]]) {
      bad({ ...ok, data_offsets: offsets }, /data_offsets must be two non-negative integers \[begin, end\]/);
    }
  });

  it('refuses dtypes it does not read, naming them', () => {
    for (const dtype of ['C64', 'F8_E8M0', 'F4', 'F6_E2M3', 'f32', 'float32', 'toString', '']) {
      const bytes = build({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, f32(1));
      rejects(bytes, new RegExp(`tensor 'a' has unsupported dtype '${dtype}'; supported: F64, F32`), 8 + 1);
    }
  });

  it('refuses overlapping offsets', () => {
    const overlap = build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, zeros(12));
    const start = 8 + headerLength(overlap);
    rejects(overlap, /tensor 'b' data_offsets \[4, 12\] overlaps tensor 'a', which ends at data byte 8/, start + 4);
    const same = build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, zeros(8));
    rejects(same, /tensor 'b' data_offsets \[0, 8\] overlaps tensor 'a'/, 8 + headerLength(same));
  });

  it('refuses holes: out of order with a gap, or not starting at 0', () => {
    const gap = build({ b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, zeros(16));
    rejects(gap, /tensor 'b' data_offsets \[12, 16\] leaves a hole of 4 bytes: tensor 'a' ends at data byte 8/, 8 + headerLength(gap) + 8);
    const late = build({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, zeros(12));
    rejects(late, /tensor 'a' data_offsets \[4, 12\] leaves a hole of 4 bytes: the data buffer starts at 0/, 8 + headerLength(late));
  });

  it('refuses offsets that end before they begin', () => {
    const bytes = build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, zeros(8));
    rejects(bytes, /tensor 'b' has data_offsets \[8, 4\] that end before they begin/, at(bytes, '"b"'));
  });

  it('refuses bytes after the last tensor', () => {
    const base = build(TWO, zeros(14));
    const longer = new Uint8Array(base.length + 3);
    longer.set(base);
    rejects(longer, /3 bytes after the last tensor are not covered by any tensor/, base.length);
    const none = build({ __metadata__: { a: 'b' } }, zeros(1));
    rejects(none, /1 bytes after the last tensor/, none.length - 1);
  });

  it('refuses sizes that do not match dtype × shape', () => {
    const bytes = build({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, zeros(8));
    rejects(bytes, /tensor 'a' of F32 with shape \[3\] needs 12 bytes but its data_offsets \[0, 8\] span 8/, 8 + 1);
    const scalar = build({ s: { dtype: 'F64', shape: [], data_offsets: [0, 0] } });
    rejects(scalar, /tensor 's' of F64 with shape \[\] needs 8 bytes but its data_offsets \[0, 0\] span 0/);
    const bf = build({ h: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 4] } }, zeros(4));
    rejects(bf, /needs 8 bytes/);
  });

  it('refuses shapes whose byte size overflows, even with a zero dimension after the overflow', () => {
    const big = build({ a: { dtype: 'F32', shape: [2 ** 26, 2 ** 26, 2 ** 26], data_offsets: [0, 4] } }, zeros(4));
    rejects(big, /tensor 'a' with shape \[67108864, 67108864, 67108864\] of F32 has more bytes than can be addressed/, 8 + 1);
    // The reference's checked_mul overflows before it reaches the zero; so does this reader.
    const zeroLast = build({ a: { dtype: 'U8', shape: [2 ** 40, 2 ** 40, 0], data_offsets: [0, 0] } });
    rejects(zeroLast, /more bytes than can be addressed/);
  });

  it("refuses a __metadata__ that is not a map of strings", () => {
    rejects(build({ __metadata__: { a: 'x', b: 1 } }), /'__metadata__' value for 'b' must be a string, got 1/, 8 + 1);
    rejects(build({ __metadata__: { a: { nested: 'x' } } }), /value for 'a' must be a string, got \{"nested":"x"\}/);
    rejects(build({ __metadata__: ['a'] }), /'__metadata__' must be an object of string values, got \["a"\]/);
    rejects(build({ __metadata__: 'pt' }), /'__metadata__' must be an object/);
  });
});

describe('readSafetensors: fuzzing', () => {
  const bases = ['distill.safetensors', 'dtypes.safetensors', 'shapes.safetensors', 'metadata.safetensors'].map(fixture);
  const structural = [...'{}[],:"0123456789-. eE'].map((c) => c.charCodeAt(0));
  const mutation = mutationArb({
    values: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...structural)),
    masks: fc.integer({ min: 0, max: 7 }).map((bit) => 1 << bit),
    deletes: true,
  });

  it('mutated files either read or throw TensorFormatError, never anything else', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const bytes = mutate(bases[which]!, mutations);
        readsOrRefuses(() => {
          for (const entry of load(bytes).entries) readTensor(entry);
        });
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });

  it('random header lengths are bounded or refused', () => {
    const base = fixture('distill.safetensors');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const bytes = base.slice();
        new DataView(bytes.buffer).setBigUint64(0, n, true);
        readsOrRefuses(() => {
          load(bytes);
          assert.equal(n, BigInt(headerLength(base)));
        });
      }),
      { numRuns: 200, seed: 20261124 },
    );
  });
});
