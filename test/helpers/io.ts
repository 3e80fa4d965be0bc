/**
 * Helpers shared by the tensor-file reader tests (test/unit/io): fixtures, TensorFormatError
 * checks, bit-exact comparison with the fixtures' expected values, a source that records its
 * reads, byte mutations for fuzzing, and hand-built .npy files and pickles. They drive the real
 * readers in src/io; nothing here reimplements them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Tensor } from '../../src/core/tensor';
import { readTensor, type TensorEntry } from '../../src/io/entry';
import { TensorFormatError } from '../../src/io/errors';
import { type ByteSource, memorySource } from '../../src/io/source';

// -----------------------------------------------------------------------------------------------
// Fixtures

/** The fixtures in test/fixtures/io/<folder>/. */
export function fixtures(folder: string): { bytes(file: string): Uint8Array; json<T>(file?: string): T } {
  const dir = new URL(`../fixtures/io/${folder}/`, import.meta.url);
  return {
    // A copy, not the Buffer readFileSync returns: Buffer.prototype.slice shares memory, and the
    // tests mutate slices of these bytes.
    bytes: (file) => new Uint8Array(readFileSync(new URL(file, dir))),
    json: <T>(file = 'expected.json'): T => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as T,
  };
}

// -----------------------------------------------------------------------------------------------
// Errors

/**
 * The TensorFormatError `fn` throws, whose message must contain each string fragment and match
 * each RegExp one; fails on success or on any other error.
 */
export function formatError(fn: () => unknown, ...fragments: (string | RegExp)[]): TensorFormatError {
  const wanted = fragments.length === 0 ? '' : ` matching ${fragments.map((f) => (typeof f === 'string' ? JSON.stringify(f) : String(f))).join(', ')}`;
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TensorFormatError, `expected a TensorFormatError${wanted}, got ${String(e)}`);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
      else assert.match(e.message, f);
    }
    return e;
  }
  return assert.fail(`expected a TensorFormatError${wanted}`);
}

/** Runs `fn`, letting a TensorFormatError pass: what a fuzzed reader may do besides succeeding. */
export function readsOrRefuses(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TensorFormatError)) throw e;
  }
}

// -----------------------------------------------------------------------------------------------
// Expected values

/** A value from expected.json: a number, or "Infinity", "-Infinity" or "NaN" (JSON has none). */
export function decodeValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }[v] ?? assert.fail(`bad value ${v}`);
}

/** `got` holds exactly the expected values, bit for bit (Object.is: -0 and NaN count). */
export function assertSameValues(got: ArrayLike<number>, want: readonly (number | string)[], what: string, source = 'expected'): void {
  assert.equal(got.length, want.length, `${what} element count`);
  want.forEach((v, i) => {
    const w = decodeValue(v);
    assert.ok(Object.is(got[i], w), `${what}[${i}]: got ${got[i]}, ${source} ${w}`);
  });
}

/** What a NumPy fixture's expected.json says of one array. */
export interface ExpectedArray {
  /** The member key, for arrays inside an .npz. */
  key?: string;
  dtype: string;
  order: 'little' | 'big';
  shape: number[];
  values: (number | string)[];
}

/** Checks an entry and its values against NumPy's reading of them; returns the tensor read. */
export function checkAgainstNumpy(actual: TensorEntry, e: ExpectedArray, what: string): Tensor {
  if (e.key !== undefined) assert.equal(actual.key, e.key, `${what} key`);
  assert.equal(actual.dtype, e.dtype, `${what} dtype`);
  if (!['int8', 'uint8', 'bool'].includes(e.dtype)) assert.equal(actual.order, e.order, `${what} byte order`);
  assert.deepEqual(actual.shape, e.shape, `${what} shape`);
  const t = readTensor(actual);
  assertSameValues(t.data, e.values, what, 'NumPy reads');
  return t;
}

// -----------------------------------------------------------------------------------------------
// Sources

/** A source over `bytes` that records every read as [offset, length]. */
export function countingSource(bytes: Uint8Array, name = 'counted'): ByteSource & { reads: [number, number][] } {
  const inner = memorySource(bytes, name);
  const reads: [number, number][] = [];
  return {
    size: inner.size,
    name: inner.name,
    reads,
    read(offset, length) {
      reads.push([offset, length]);
      return inner.read(offset, length);
    },
  };
}

// -----------------------------------------------------------------------------------------------
// Fuzzing: byte mutations

export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'duplicate'; from: number; length: number; at: number }
  | { op: 'delete'; at: number; length: number };

/**
 * Random mutations: flip bits of a byte (by a mask from `masks`), set a byte (to one of `values`),
 * truncate, insert up to 16 random bytes, duplicate a range of up to 64 bytes elsewhere, and, with
 * `deletes`, delete up to 16 bytes.
 */
export function mutationArb({
  values,
  masks = fc.integer({ min: 1, max: 255 }),
  deletes = false,
}: {
  values: fc.Arbitrary<number>;
  masks?: fc.Arbitrary<number>;
  deletes?: boolean;
}): fc.Arbitrary<Mutation> {
  const arbs: fc.Arbitrary<Mutation>[] = [
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: masks }),
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: values }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ op: fc.constant('duplicate' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 64 }), at: fc.nat() }),
  ];
  if (deletes) arbs.push(fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }));
  return fc.oneof(...arbs);
}

/**
 * `input` with the mutations applied in turn, positions taken modulo the length; `input` itself is
 * not changed. With `focus`, positions of odd `at` fall in the last `focus` bytes instead (the
 * central directory of a zip and its end).
 */
export function mutate(input: Uint8Array, mutations: readonly Mutation[], focus?: number): Uint8Array {
  let b = new Uint8Array(input);
  for (const m of mutations) {
    const n = b.length;
    if (n === 0) break;
    const pos = (at: number, span = n): number =>
      focus === undefined || at % 2 === 0 ? at % span : Math.max(0, span - 1 - (at % Math.min(focus, span)));
    switch (m.op) {
      case 'flip':
        b[pos(m.at)]! ^= m.mask;
        break;
      case 'set':
        b[pos(m.at)] = m.value;
        break;
      case 'truncate':
        b = b.slice(0, pos(m.at));
        break;
      case 'insert': {
        const at = pos(m.at, n + 1);
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      }
      case 'duplicate': {
        const from = pos(m.from);
        const at = pos(m.at, n + 1);
        b = Uint8Array.from([...b.subarray(0, at), ...b.slice(from, from + m.length), ...b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = pos(m.at);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
        break;
      }
    }
  }
  return b;
}

/**
 * One of `inputs` inputs with 1 to `maxEdits` bytes set (positions below 64 KiB) and perhaps a cut,
 * as the set and truncate mutations `mutate` applies.
 */
export function editsArb(inputs: number, maxEdits: number): fc.Arbitrary<{ input: number; mutations: Mutation[] }> {
  return fc
    .record({
      input: fc.integer({ min: 0, max: inputs - 1 }),
      edits: fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: maxEdits }),
      cut: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    })
    .map(({ input, edits, cut }) => ({
      input,
      mutations: [
        ...edits.map(([at, value]): Mutation => ({ op: 'set', at, value })),
        ...(cut === undefined ? [] : [{ op: 'truncate', at: cut } as const]),
      ],
    }));
}

// -----------------------------------------------------------------------------------------------
// Files by hand

/** An .npy file: magic, version, header length, header text, data (bytes, or that many zeros). */
export function npyBytes(header: string, data: Uint8Array | number = 0, version = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const start = version === 1 ? 10 : 12;
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(start + text.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, start);
  out.set(body, start + text.length);
  return out;
}

export type Part = number | string | Uint8Array | readonly number[];

/** Pickle bytes from parts: a number is one byte, a string is Latin-1 characters. */
export function pk(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

/** `n` as `bytes` little-endian bytes. */
export const le = (n: number, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);

/** A string in a pickle: BINUNICODE, UTF-8 with a 4-byte length. */
export function pickleString(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  return pk('X', le(b.length, 4), b);
}
