import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { readTensor } from '../../../src/io/entry';
import { type TensorFormatError } from '../../../src/io/errors';
import { readNpz } from '../../../src/io/npz';
import { memorySource } from '../../../src/io/source';
import { readZipDirectory } from '../../../src/io/zip';
import { checkAgainstNumpy as checkAgainst, countingSource, type ExpectedArray, fixtures, formatError, mutate, mutationArb, npyBytes, readsOrRefuses } from '../../helpers/io';

const FIXTURES = fixtures('npy');

type Expected = ExpectedArray & { key: string };
const EXPECTED = FIXTURES.json<Record<string, { members?: Expected[] }>>();
const NPZ = Object.keys(EXPECTED).filter((f) => f.endsWith('.npz'));
const bytesOf = FIXTURES.bytes;

function read(bytes: Uint8Array, name = 'test.npz') {
  return readNpz(memorySource(bytes, name));
}

function rejects(bytes: Uint8Array, ...fragments: string[]): TensorFormatError {
  const err = formatError(() => read(bytes).entries.forEach((e) => readTensor(e)), ...fragments);
  assert.equal(typeof err.offset, 'number', `no offset in ${err.message}`);
  return err;
}

// -----------------------------------------------------------------------------------------------
// Archives by hand (PKWARE APPNOTE 4.3): local headers, central directory, EOCD, optionally Zip64.

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Member {
  name: string;
  raw: Uint8Array;
  deflate?: boolean;
  /** Declared uncompressed size, when it should lie. */
  size?: number;
}

class Writer {
  private parts: number[] = [];
  get length(): number {
    return this.parts.length;
  }
  u8(...v: number[]): void {
    this.parts.push(...v);
  }
  u16(v: number): void {
    this.u8(v & 0xff, (v >>> 8) & 0xff);
  }
  u32(v: number): void {
    this.u16(v & 0xffff);
    this.u16(Math.floor(v / 0x10000) & 0xffff);
  }
  u64(v: number): void {
    this.u32(v % 2 ** 32);
    this.u32(Math.floor(v / 2 ** 32));
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function zip(members: Member[], { zip64 = false } = {}): Uint8Array {
  const w = new Writer();
  const central: { m: Member; name: Uint8Array; data: Uint8Array; crc: number; offset: number }[] = [];
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const data = m.deflate ? deflateSync(m.raw) : m.raw;
    const crc = crc32(m.raw);
    central.push({ m, name, data, crc, offset: w.length });
    w.u32(0x04034b50);
    w.u16(zip64 ? 45 : 20);
    w.u16(0); // flags
    w.u16(m.deflate ? 8 : 0);
    w.u16(0); // time
    w.u16(0x21); // 1980-01-01
    w.u32(crc);
    w.u32(data.length);
    w.u32(m.size ?? m.raw.length);
    w.u16(name.length);
    w.u16(0);
    w.bytes(name);
    w.bytes(data);
  }
  const dirOffset = w.length;
  for (const { m, name, data, crc, offset } of central) {
    w.u32(0x02014b50);
    w.u16(zip64 ? 45 : 20);
    w.u16(zip64 ? 45 : 20);
    w.u16(0);
    w.u16(m.deflate ? 8 : 0);
    w.u16(0);
    w.u16(0x21);
    w.u32(crc);
    w.u32(zip64 ? 0xffffffff : data.length);
    w.u32(zip64 ? 0xffffffff : (m.size ?? m.raw.length));
    w.u16(name.length);
    w.u16(zip64 ? 28 : 0);
    w.u16(0); // comment
    w.u16(0); // disk
    w.u16(0); // internal attributes
    w.u32(0); // external attributes
    w.u32(zip64 ? 0xffffffff : offset);
    w.bytes(name);
    if (zip64) {
      // Zip64 extended information (APPNOTE 4.5.3): size, compressed size, local header offset.
      w.u16(0x0001);
      w.u16(24);
      w.u64(m.size ?? m.raw.length);
      w.u64(data.length);
      w.u64(offset);
    }
  }
  const dirSize = w.length - dirOffset;
  if (zip64) {
    const recordAt = w.length;
    w.u32(0x06064b50);
    w.u64(44);
    w.u16(45);
    w.u16(45);
    w.u32(0);
    w.u32(0);
    w.u64(members.length);
    w.u64(members.length);
    w.u64(dirSize);
    w.u64(dirOffset);
    w.u32(0x07064b50);
    w.u32(0);
    w.u64(recordAt);
    w.u32(1);
  }
  w.u32(0x06054b50);
  w.u16(0);
  w.u16(0);
  w.u16(zip64 ? 0xffff : members.length);
  w.u16(zip64 ? 0xffff : members.length);
  w.u32(zip64 ? 0xffffffff : dirSize);
  w.u32(zip64 ? 0xffffffff : dirOffset);
  w.u16(0);
  return w.done();
}

/** A minimal .npy (format 1.0) of float64 values. */
function npyF8(values: number[], shape: number[] = [values.length]): Uint8Array {
  const data = new Uint8Array(values.length * 8);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setFloat64(8 * i, v, true));
  return npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }\n`, data);
}

/** Where a member's data starts in an archive, from its local header. */
function dataStart(archive: Uint8Array, localHeaderOffset: number): number {
  const v = new DataView(archive.buffer, archive.byteOffset);
  return localHeaderOffset + 30 + v.getUint16(localHeaderOffset + 26, true) + v.getUint16(localHeaderOffset + 28, true);
}

/** Offsets of the central directory entries, in order. */
function centralEntries(archive: Uint8Array): number[] {
  const v = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const eocd = archive.length - 22;
  assert.equal(v.getUint32(eocd, true), 0x06054b50);
  const out: number[] = [];
  let p = v.getUint32(eocd + 16, true);
  for (let k = 0; k < v.getUint16(eocd + 10, true); k++) {
    out.push(p);
    p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
}

// -----------------------------------------------------------------------------------------------

describe('readNpz on archives written by NumPy', () => {
  for (const file of NPZ) {
    it(`${file} lists its .npy members in order and reads them bit-exactly`, () => {
      const expected = EXPECTED[file]!.members!;
      const { format, entries } = read(bytesOf(file), file);
      assert.equal(format, 'npz');
      assert.deepEqual(
        entries.map((e) => e.key),
        expected.map((e) => e.key),
      );
      entries.forEach((e, i) => checkAgainst(e, expected[i]!, `${file}:${e.key}`));
    });
  }

  it("keys members as np.load(...).files does: '.npy' stripped, '/' kept, positional arr_N", () => {
    assert.deepEqual(
      read(bytesOf('savez.npz')).entries.map((e) => e.key),
      ['weights/layer1', 'bias', 'steps', 'mask', 'empty', 'arr_0', 'arr_1'],
    );
    // README.txt and the notes/ directory are not arrays.
    assert.deepEqual(
      read(bytesOf('mixed.npz')).entries.map((e) => e.key),
      ['x', 'y'],
    );
  });

  it('reads Fortran-order members with column-major strides, stored or deflated', () => {
    for (const file of ['savez_fortran.npz', 'savez_compressed_fortran.npz']) {
      const f = read(bytesOf(file)).entries.find((e) => e.key === 'f')!;
      assert.deepEqual(f.shape, [2, 3, 2]);
      assert.deepEqual(f.strides, [1, 2, 6]);
    }
  });

  it('keeps stored members as windows into the archive', () => {
    const bytes = bytesOf('savez.npz');
    const src = countingSource(bytes, 'counted.npz');
    const { entries } = readNpz(src);
    const members = readZipDirectory(memorySource(bytes, 'dir'));
    entries.forEach((entry, i) => {
      const m = members[i]!;
      assert.equal(m.method, 0);
      const start = dataStart(bytes, m.localHeaderOffset);
      const npyHeaderEnd = 10 + (bytes[start + 8]! | (bytes[start + 9]! << 8));
      assert.equal(entry.storage.size, m.size - npyHeaderEnd, entry.key);
      src.reads.length = 0;
      readTensor(entry);
      for (const [o, n] of src.reads) assert.ok(o >= start + npyHeaderEnd && o + n <= start + m.size, `${entry.key}: read ${o}..${o + n} outside its data`);
      if (entry.storage.size > 0) assert.deepEqual(entry.storage.read(0, entry.storage.size), bytes.subarray(start + npyHeaderEnd, start + m.size));
    });
  });

  it('reads only the directory and headers of a large stored archive to list it', () => {
    const big = npyF8(Array.from({ length: 131072 }, (_, i) => i));
    const small = npyF8([1, 2, 3]);
    const archive = zip([
      { name: 'big.npy', raw: big },
      { name: 'small.npy', raw: small },
    ]);
    const src = countingSource(archive, 'counted.npz');
    const { entries } = readNpz(src);
    const total = src.reads.reduce((s, [, n]) => s + n, 0);
    // The end-of-central-directory search reads at most the last 64 KiB + 22 bytes.
    assert.ok(total < 22 + 65535 + 1024, `listing read ${total} of ${archive.length} bytes`);
    assert.equal(entries[0]!.storage.size, 131072 * 8);
    src.reads.length = 0;
    assert.deepEqual([...readTensor(entries[1]!).data], [1, 2, 3]);
    assert.ok(src.reads.every(([, n]) => n <= 24), `small member read ${JSON.stringify(src.reads)}`);
    src.reads.length = 0;
    const t = readTensor(entries[0]!);
    assert.equal(t.data[131071], 131071);
  });
});

describe('readNpz and Zip64', () => {
  it('skips the Zip64 extra field NumPy writes in every local header', () => {
    for (const file of ['savez.npz', 'savez_compressed.npz']) {
      const bytes = bytesOf(file);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const m of readZipDirectory(memorySource(bytes, file))) {
        const nameLength = v.getUint16(m.localHeaderOffset + 26, true);
        assert.ok(v.getUint16(m.localHeaderOffset + 28, true) > 0, `${file}:${m.name} has no local extra field`);
        assert.equal(v.getUint16(m.localHeaderOffset + 30 + nameLength, true), 0x0001, `${file}:${m.name} extra is not Zip64`);
      }
    }
  });

  it('reads a Zip64 directory (saturated EOCD, Zip64 record and locator, Zip64 extras)', () => {
    const archive = zip(
      [
        { name: 'a.npy', raw: npyF8([1.5, -0, Infinity]) },
        { name: 'b/c.npy', raw: npyF8([1, 2, 3, 4], [2, 2]), deflate: true },
      ],
      { zip64: true },
    );
    const { entries } = read(archive);
    assert.deepEqual(
      entries.map((e) => e.key),
      ['a', 'b/c'],
    );
    const a = readTensor(entries[0]!).data;
    assert.ok(Object.is(a[1], -0));
    assert.equal(a[2], Infinity);
    assert.deepEqual(entries[1]!.shape, [2, 2]);
    assert.deepEqual([...readTensor(entries[1]!).data], [1, 2, 3, 4]);
  });

  it('refuses a Zip64 record that is missing or points past the end', () => {
    const archive = zip([{ name: 'a.npy', raw: npyF8([1]) }], { zip64: true });
    const locator = archive.length - 22 - 20;
    const past = archive.slice();
    past[locator + 8 + 4] = 0x7f; // record offset high bytes
    rejects(past, 'Zip64 end-of-central-directory record is past the end');
    const badSig = archive.slice();
    badSig[new DataView(archive.buffer).getUint32(locator + 8, true)]! ^= 0xff;
    rejects(badSig, 'bad Zip64 end-of-central-directory signature');
  });
});

describe('readNpz on malformed archives', () => {
  const good = bytesOf('savez.npz');

  it('refuses a .npy or a non-zip file', () => {
    rejects(bytesOf('f4_le.npy'), 'single .npy array, not an .npz');
    rejects(new Uint8Array(10), 'too short for a zip archive');
    rejects(new Uint8Array(100), 'no end-of-central-directory record');
  });

  it('refuses every truncation of a stored and of a compressed archive', () => {
    for (const file of ['savez.npz', 'savez_compressed.npz']) {
      const bytes = bytesOf(file);
      for (let cut = 0; cut < bytes.length; cut++) rejects(bytes.subarray(0, cut));
    }
  });

  it('refuses a corrupted central directory', () => {
    const entries = centralEntries(good);
    const eocd = good.length - 22;
    const sig = good.slice();
    sig[entries[1]!]! ^= 0xff;
    assert.equal(rejects(sig, 'bad central directory entry 1').offset, entries[1]);
    const count = good.slice();
    count[eocd + 10]! += 1;
    count[eocd + 8]! += 1;
    rejects(count, 'bad central directory entry 7');
    const offset = good.slice();
    offset[eocd + 19] = 0x40;
    rejects(offset, 'central directory', 'past the end of the file');
    const nameLength = good.slice();
    nameLength[entries[6]! + 29] = 0xff;
    rejects(nameLength, 'runs past the directory');
    const local = good.slice();
    local[entries[2]! + 42]! += 1;
    rejects(local, "member 'steps.npy' has a bad local header signature");
    const method = good.slice();
    method[entries[0]! + 10] = 12;
    rejects(method, "member 'weights/layer1.npy' uses compression method 12");
    const encrypted = good.slice();
    encrypted[entries[3]! + 8]! |= 1;
    rejects(encrypted, 'member 3 is encrypted');
  });

  it('refuses members that lie about their sizes', () => {
    const arr = npyF8([1, 2, 3, 4]);
    // Stored, declared shorter than the .npy: the array's data is cut.
    const short = zip([{ name: 'a.npy', raw: arr.subarray(0, arr.length - 8) }]);
    const err = rejects(short, "npz: member 'a.npy': npy: data of shape [4] float64 needs 32 bytes", 'truncated');
    assert.equal(err.offset, arr.length - 8, 'the offset is inside the member');
    // Stored, declared longer than the archive.
    const long = zip([{ name: 'a.npy', raw: arr }]);
    const dir = centralEntries(long)[0]!;
    long[dir + 21] = 0x10;
    long[dir + 25] = 0x10;
    rejects(long, "member 'a.npy'", 'runs past the end of the file');
    // Stored, with different compressed and uncompressed sizes.
    rejects(zip([{ name: 'a.npy', raw: arr, size: arr.length + 1 }]), "stored member 'a.npy' declares");
    // Deflated, declaring more than it inflates to.
    rejects(zip([{ name: 'a.npy', raw: arr, deflate: true, size: arr.length + 5 }]), `inflates to ${arr.length} bytes but declares ${arr.length + 5}`);
  });

  it('refuses a deflated member that inflates past what it declares (a zip bomb)', () => {
    const bomb = npyF8(new Array<number>(100_000).fill(0));
    const archive = zip([{ name: 'bomb.npy', raw: bomb, deflate: true, size: 1000 }]);
    assert.ok(archive.length < 2000, `the bomb is ${archive.length} bytes`);
    rejects(archive, "member 'bomb.npy' inflates to more than the 1000 bytes it declares");
  });

  it('refuses a deflated member that is not deflate data', () => {
    const archive = zip([{ name: 'a.npy', raw: npyF8([1, 2]), deflate: true }]);
    const start = dataStart(archive, 0);
    archive[start] = 0xff; // reserved block type 3
    rejects(archive, "member 'a.npy' is not valid deflate data");
  });

  it('refuses duplicate member names', () => {
    const arr = npyF8([1]);
    rejects(
      zip([
        { name: 'a.npy', raw: arr },
        { name: 'b.npy', raw: arr },
        { name: 'a.npy', raw: arr },
      ]),
      "two members named 'a.npy'",
    );
  });

  it('names the member when its .npy is bad', () => {
    const object = rejects(zip([{ name: 'ok.npy', raw: npyF8([1]) }, { name: 'obj.npy', raw: bytesOf('object.npy') }]), "npz: member 'obj.npy': npy: object arrays");
    assert.ok(object.offset! > 0 && object.offset! < 128, 'the offset is inside the member header');
    const garbage = rejects(zip([{ name: 'g.npy', raw: new TextEncoder().encode('not numpy') }], { zip64: true }), "member 'g.npy'", 'not an .npy file');
    assert.equal(garbage.offset, 0);
    const inflated = npyF8([1, 2, 3]);
    inflated[10] = 0x28; // '{' -> '('
    rejects(zip([{ name: 'c.npy', raw: inflated, deflate: true }]), "member 'c.npy'", "expected the header dict to start with '{'");
  });
});

// -----------------------------------------------------------------------------------------------
// Fuzzing: mutated archives are read or refused with a TensorFormatError, never anything else.

const mutation = mutationArb({ values: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff) });

describe('readNpz fuzzing', () => {
  it('reads or refuses mutated archives with a TensorFormatError only', () => {
    const inputs = [...NPZ.map(bytesOf), zip([{ name: 'a.npy', raw: npyF8([1, 2]) }, { name: 'b.npy', raw: npyF8([3]), deflate: true }], { zip64: true })];
    const started = Date.now();
    fc.assert(
      fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, mutations) => {
        const bytes = mutate(inputs[i]!, mutations, 600);
        readsOrRefuses(() => {
          for (const e of read(bytes).entries) readTensor(e);
        });
      }),
      { numRuns: 300 },
    );
    assert.ok(Date.now() - started < 10_000, 'fuzzing took too long');
  });
});
