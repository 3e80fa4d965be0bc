/**
 * The PyTorch checkpoint reader against real torch.save files (test/fixtures/io/pt, written by
 * gen_pt.py with torch 1.13): bit-exact values, views, dotted keys, the archive folder, the
 * refusals (legacy, TorchScript, malicious pickles), hand-built archives in the forms newer
 * torch writes, and a fuzz of mutated checkpoints.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { entrySize, readTensor, type TensorEntry } from '../../../src/io/entry';
import { readPt } from '../../../src/io/pt';
import { memorySource } from '../../../src/io/source';
import { assertSameValues, editsArb, fixtures, formatError as refusal, le, mutate, type Part, pickleString as S, pk, readsOrRefuses } from '../../helpers/io';

const FIXTURES = fixtures('pt');
const fixture = FIXTURES.bytes;
const read = (bytes: Uint8Array, name = 'test.pt'): TensorEntry[] => readPt(memorySource(bytes, name)).entries;

interface Expected {
  key: string;
  dtype: string;
  shape: number[];
  strides: number[];
  offset: number;
  values: (number | string)[];
}
const expected = FIXTURES.json<{
  files: Record<string, { folder: string; entries: Expected[] }>;
}>();

// A small pickle writer for archives in forms torch 1.13 cannot write.
const I = (n: number): Uint8Array => pk('J', le(n >>> 0, 4));
const G = (module: string, name: string): Uint8Array => pk('c', `${module}\n${name}\n`);
const tuple = (...items: Part[]): Uint8Array => pk('(', ...items, 't');
const dict = (...kv: [Part, Part][]): Uint8Array => pk('}', '(', ...kv.flat(), 'u');
const hooks = pk(G('collections', 'OrderedDict'), ')', 'R');
const storage = (type: string, key: string, numel: number, module = 'torch'): Uint8Array => pk(tuple(S('storage'), G(module, type), S(key), S('cpu'), I(numel)), 'Q');
const v2 = (st: Uint8Array, offset: number, size: number[], stride: number[]): Uint8Array =>
  pk(G('torch._utils', '_rebuild_tensor_v2'), tuple(st, I(offset), tuple(...size.map(I)), tuple(...stride.map(I)), 0x89, hooks), 'R');
const floats = (...xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

/** An archive laid out like torch's: data.pkl first, then storages, then version. */
function archive(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, top = 'archive', extra: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = { [`${top}/data.pkl`]: [pk(0x80, 2, pickle, '.'), { level: 0 }] };
  for (const [name, bytes] of Object.entries(extra)) files[`${top}/${name}`] = [bytes, { level: 0 }];
  for (const [key, bytes] of Object.entries(storages)) files[`${top}/data/${key}`] = [bytes, { level: 0 }];
  files[`${top}/version`] = [pk('3\n'), { level: 0 }];
  return zipSync(files);
}

const values = (e: TensorEntry): number[] => [...readTensor(e).data];

describe('pt: torch.save fixtures', () => {
  for (const [file, want] of Object.entries(expected.files)) {
    it(`reads ${file} bit for bit`, () => {
      const entries = read(fixture(file), file);
      assert.deepStrictEqual(
        entries.map((e) => e.key),
        want.entries.map((e) => e.key),
      );
      entries.forEach((e, i) => {
        const w = want.entries[i]!;
        assert.equal(e.dtype, w.dtype, e.key);
        assert.deepStrictEqual([...e.shape], w.shape, e.key);
        assert.deepStrictEqual([...e.strides], w.strides, e.key);
        assert.equal(e.offset, w.offset, e.key);
        assert.ok(e.storage.name.startsWith(`${file}:${want.folder}/data/`), e.storage.name);
        assertSameValues(values(e), w.values, `${file} '${e.key}'`);
      });
    });
  }

  it('covers every dtype torch 1.13 saves that KL Lens reads', () => {
    const dtypes = new Set(read(fixture('dtypes.pt')).map((e) => e.dtype));
    assert.deepStrictEqual([...dtypes].sort(), ['bfloat16', 'bool', 'float16', 'float32', 'float64', 'int16', 'int32', 'int64', 'int8', 'uint8']);
  });

  it('reads saved views through their shared storage, offset and strides', () => {
    const e = new Map(read(fixture('views.pt')).map((x) => [x.key, x]));
    const base = e.get('base')!;
    for (const v of e.values()) assert.equal(v.storage, base.storage);
    assert.deepStrictEqual([e.get('col')!.offset, [...e.get('col')!.strides]], [2, [6]]);
    assert.deepStrictEqual([e.get('slice')!.offset, [...e.get('slice')!.strides]], [8, [6, 1]]);
    assert.deepStrictEqual(values(e.get('slice')!), [8, 9, 10, 14, 15, 16]);
    assert.deepStrictEqual(values(e.get('t')!).slice(0, 5), [0, 6, 12, 18, 1]);
  });

  it('finds the archive folder from the first member, whatever it is named', () => {
    assert.match(read(fixture('weird_name.pt'), 'w.pt')[0]!.storage.name, /^w\.pt:weird_name\/data\/0$/);
    assert.match(read(fixture('buffer_saved.pt'), 'b.pt')[0]!.storage.name, /^b\.pt:archive\/data\/0$/);
  });

  it('reads storages written big-endian when byteorder says so', () => {
    const entries = read(fixture('big_endian.pt'));
    assert.ok(entries.every((e) => e.order === 'big'));
    assert.deepStrictEqual(values(entries.find((e) => e.key === 'view')!), [1, 2, 5, 6, 9, 10]);
  });
});

describe('pt: refusals', () => {
  it('refuses the legacy format with advice', () => {
    assert.equal(
      refusal(() => read(fixture('legacy.pt'))).message,
      "pt: this file uses PyTorch's legacy (pre-1.6) serialization; re-save it with a newer torch (torch.save(obj, path)) to read it (at byte 0)",
    );
  });

  it('refuses TorchScript archives', () => {
    assert.match(refusal(() => read(fixture('torchscript.pt'))).message, /TorchScript archive \(torch\.jit\.save\), which is not supported/);
  });

  const malicious: [string, string, string | undefined][] = [
    ['evil_os_system.pt', 'os.system', '/tmp/kl-lens-pt-marker-os_system'],
    ['evil_posix_system.pt', 'posix.system', '/tmp/kl-lens-pt-marker-posix_system'],
    ['evil_eval.pt', '__builtin__.eval', '/tmp/kl-lens-pt-marker-eval'],
    ['evil_main_class.pt', '__main__.Evil', undefined],
  ];
  for (const [file, global, marker] of malicious) {
    it(`refuses ${file}, naming '${global}', and runs nothing`, () => {
      if (marker) rmSync(marker, { force: true });
      const e = refusal(() => read(fixture(file)));
      assert.match(e.message, new RegExp(`^pt: data\\.pkl refers to the global '${global.replace(/\./g, '\\.')}', which a tensor checkpoint never needs; refusing to load it`));
      if (marker) assert.equal(existsSync(marker), false, `${marker} exists: the command ran`);
    });
  }

  it('refuses a pickle nested 1000 levels deep', () => {
    assert.match(refusal(() => read(fixture('evil_deep_nesting.pt'))).message, /^pt: data\.pkl is nested too deeply/);
  });

  it('explains files that are not torch.save archives', () => {
    assert.match(refusal(() => read(pk(0x80, 2, 'N', '.'))).message, /bare pickle, not a torch\.save zip archive/);
    assert.match(refusal(() => read(pk('PK\x05\x06', new Uint8Array(18)))).message, /not a zip archive/);
    assert.match(refusal(() => read(zipSync({ 'arr_0.npy': pk('x') }))).message, /first member 'arr_0\.npy' is not inside a folder/);
    assert.match(refusal(() => read(zipSync({ 'x/version': pk('3\n') }))).message, /no 'x\/data\.pkl'/);
  });

  it('uses the first member’s folder only', () => {
    const files = { 'a/data.pkl': pk(0x80, 2, v2(storage('FloatStorage', '0', 1), 0, [1], [1]), '.'), 'b/data/0': floats(1) };
    assert.match(refusal(() => read(zipSync(files))).message, /refers to the storage '0' but the archive has no 'a\/data\/0'/);
  });

  it('refuses storages that are missing, short, or of unsupported types', () => {
    assert.match(refusal(() => read(archive(v2(storage('FloatStorage', '0', 4), 0, [4], [1]), { '0': floats(1, 2) }))).message, /needs 4 elements of storage '0' \(16 bytes\) but data\/0 holds 8 bytes/);
    assert.match(refusal(() => read(archive(v2(storage('ComplexFloatStorage', '0', 1), 0, [1], [1]), { '0': floats(1, 2) }))).message, /complex tensor/);
    assert.match(refusal(() => read(archive(v2(storage('QInt8Storage', '0', 1), 0, [1], [1]), { '0': pk(1) }))).message, /quantized tensor/);
    assert.match(refusal(() => read(archive(pk(G('torch._utils', '_rebuild_qtensor'))))).message, /quantized tensors are not supported/);
    assert.match(refusal(() => read(archive(v2(pk(tuple(S('module'), S('x')), 'Q'), 0, [1], [1])))).message, /not \('storage', type, key, location, numel\)/);
    assert.match(refusal(() => read(archive(v2(I(3), 0, [1], [1])))).message, /has the int 3 where its storage should be/);
  });

  it('refuses views that reach outside their storage and malformed sizes', () => {
    const st = storage('FloatStorage', '0', 4);
    const data = { '0': floats(1, 2, 3, 4) };
    assert.match(refusal(() => read(archive(dict([S('x'), v2(st, 1, [3], [2])]), data))).message, /'x' with shape \[3\] needs storage elements 1\.\.5 but the storage holds 4/);
    assert.match(refusal(() => read(archive(dict([S('x'), v2(st, 0, [-1], [1])]), data))).message, /dimension 0 of 'x' is the int -1; expected a non-negative integer/);
    assert.match(refusal(() => read(archive(dict([S('x'), v2(st, 0, [2, 2], [1])]), data))).message, /'x' has 2 dimensions but 1 strides/);
    assert.match(refusal(() => read(archive(v2(st, 0, [1], [1]), data, 'archive', { byteorder: pk('middle') }))).message, /says 'middle'; expected 'little' or 'big'/);
  });

  it('refuses two tensors with the same dotted name', () => {
    const t = v2(storage('FloatStorage', '0', 1), 0, [1], [1]);
    assert.match(refusal(() => read(archive(dict([S('a.b'), t], [S('a'), dict([S('b'), t])]), { '0': floats(1) }))).message, /two tensors are both named 'a\.b'/);
  });
});

describe('pt: forms newer torch writes (hand-built)', () => {
  it('reads _rebuild_tensor_v3 over an UntypedStorage with a dtype argument', () => {
    const st = storage('UntypedStorage', '0', 8, 'torch.storage');
    const t = pk(G('torch._utils', '_rebuild_tensor_v3'), tuple(st, I(1), tuple(I(3)), tuple(I(1)), 0x89, hooks, G('torch', 'uint16')), 'R');
    const [e] = read(archive(t, { '0': Uint8Array.of(9, 9, 1, 0, 0xff, 0xff, 2, 1) }));
    assert.equal(e!.dtype, 'uint16');
    assert.deepStrictEqual(values(e!), [1, 65535, 258]);
  });

  it('reads an UntypedStorage under _rebuild_tensor_v2 as bytes', () => {
    const [e] = read(archive(v2(storage('UntypedStorage', '0', 3, 'torch.storage'), 0, [3], [1]), { '0': Uint8Array.of(1, 2, 255) }));
    assert.equal(e!.dtype, 'uint8');
    assert.deepStrictEqual(values(e!), [1, 2, 255]);
  });

  it('unwraps Parameters, typed-tensor wrappers and BUILD state', () => {
    const t = v2(storage('FloatStorage', '0', 2), 0, [2], [1]);
    const args = tuple(storage('FloatStorage', '0', 2), I(1), tuple(I(1)), tuple(I(1)), 0x89, hooks);
    const pickle = dict(
      [S('param'), pk(G('torch._utils', '_rebuild_parameter'), tuple(t, 0x88, hooks), 'R')],
      [S('with_state'), pk(G('torch._utils', '_rebuild_parameter_with_state'), tuple(t, 0x88, hooks, dict([S('note'), S('x')])), 'R')],
      [S('newobj'), pk(G('torch.nn.parameter', 'Parameter'), tuple(t, 0x89), 0x81)],
      [S('typed'), pk(G('torch._tensor', '_rebuild_from_type_v2'), tuple(G('torch._utils', '_rebuild_tensor_v2'), G('torch', 'Tensor'), args, dict()), 'R')],
      [S('built'), pk(t, dict([S('note'), S('x')]), 'b')],
    );
    const entries = read(archive(pickle, { '0': floats(1.5, -2) }));
    assert.deepStrictEqual(
      entries.map((e) => [e.key, values(e)]),
      [
        ['param', [1.5, -2]],
        ['with_state', [1.5, -2]],
        ['newobj', [1.5, -2]],
        ['typed', [-2]],
        ['built', [1.5, -2]],
      ],
    );
  });

  it('flattens optimizer-style state with int keys and skips non-tensor leaves', () => {
    const t = v2(storage('FloatStorage', '0', 1), 0, [], []);
    const pickle = dict(
      [S('state'), dict([I(0), dict([S('step'), I(3)], [S('exp_avg'), t])])],
      [S('param_groups'), pk(']', dict([S('lr'), pk('G', 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a)], [S('params'), pk(']', I(0), 'a')]), 'a')],
      [S('device'), pk(G('torch', 'device'), S('cpu'), 0x85, 'R')],
      [S('dtype'), G('torch', 'float32')],
      [S('nothing'), 'N'],
    );
    const entries = read(archive(pickle, { '0': floats(0.25) }));
    assert.deepStrictEqual(
      entries.map((e) => [e.key, [...e.shape], values(e)]),
      [['state.0.exp_avg', [], [0.25]]],
    );
  });

  it('reads an explicit little byteorder and deflated members', () => {
    const t = v2(storage('FloatStorage', '0', 2), 0, [2], [1]);
    const files = {
      'ckpt/data.pkl': pk(0x80, 2, t, '.'),
      'ckpt/byteorder': pk('little'),
      'ckpt/data/0': floats(3, 4),
    };
    const [e] = read(zipSync(files, { level: 6 }));
    assert.equal(e!.key, '');
    assert.equal(e!.order, 'little');
    assert.deepStrictEqual(values(e!), [3, 4]);
  });
});

describe('pt: fuzz', () => {
  const files = ['tensor.pt', 'views.pt', 'state_dict.pt', 'parameter.pt', 'big_endian.pt'].map(fixture);

  it('mutated checkpoints read or throw TensorFormatError, never anything else', () => {
    fc.assert(
      fc.property(editsArb(files.length, 6), ({ input, mutations }) => {
        readsOrRefuses(() => {
          for (const e of read(mutate(files[input]!, mutations))) {
            // A stride-0 view may declare a huge shape over one element; read only small ones.
            if (entrySize(e) <= 1 << 16) readTensor(e);
          }
        });
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });
});
