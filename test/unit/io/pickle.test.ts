/**
 * The restricted unpickler: every opcode family on hand-built streams, CPython's own pickles of
 * plain data in protocols 0–5 (test/fixtures/io/pt/pickles.json, from gen_pt.py), refusals of
 * globals and opcodes, truncation at every byte, limits, and a fuzz of torch's data.pkl streams.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type PickleLimits, type PickleValue, unpickle } from '../../../src/io/pickle';
import { memorySource } from '../../../src/io/source';
import { openMember, readZipDirectory } from '../../../src/io/zip';
import { editsArb, fixtures, formatError as refusal, le, mutate, type Part, pickleString as str, pk, readsOrRefuses } from '../../helpers/io';

const FIXTURES = fixtures('pt');

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const PROTO2 = [0x80, 2];

function load(bytes: Uint8Array, limits?: Partial<PickleLimits>): PickleValue {
  return unpickle(bytes, { format: 'pt', name: 'data.pkl', ...(limits ? { limits } : {}) });
}

/** The JSON form gen_pt.py's `tag` writes: types kept apart, non-finite floats as strings. */
function tag(v: PickleValue): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return { float: Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v };
  if (typeof v === 'string') return { str: v };
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  switch (v.kind) {
    case 'list':
    case 'tuple':
      return { [v.kind]: v.items.map(tag) };
    case 'dict':
      return { dict: v.keys.map((k, i) => [tag(k), tag(v.values[i]!)]) };
    case 'set':
      return { [v.frozen ? 'frozenset' : 'set']: v.items.map(tag) };
    default:
      return { [v.kind]: v };
  }
}

function kindOf(v: PickleValue): string {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) ? v.kind : typeof v;
}

function asNode<K extends string>(v: PickleValue, kind: K): Extract<PickleValue, { kind: K }> {
  assert.equal(kindOf(v), kind);
  return v as Extract<PickleValue, { kind: K }>;
}

describe('pickle: CPython pickles of plain data', () => {
  const cases = FIXTURES.json<{ protocol: number; hex: string; value: unknown }[]>('pickles.json');
  for (const c of cases) {
    it(`reads protocol ${c.protocol} exactly`, () => {
      assert.deepStrictEqual(tag(load(Buffer.from(c.hex, 'hex'))), c.value);
    });
  }

  it('keeps shared references shared (memo)', () => {
    const v = asNode(load(Buffer.from(cases[2]!.hex, 'hex')), 'dict');
    const shared = asNode(v.values[2]!, 'list');
    assert.equal(shared.items[0], shared.items[1]);
  });
});

describe('pickle: opcodes', () => {
  it('reads the int family', () => {
    const v = asNode(
      load(pk(PROTO2, '(', 'J', le(-5 >>> 0, 4), 'K', 255, 'M', 0xff, 0xff, 0x8a, 0, 0x8a, 1, 0xff, 0x8a, 9, le(0, 8), 1, 0x8b, le(2, 4), 0x00, 0x80, 'I', '123\n', 'I', '-7\n', 'I', '01\n', 'I', '00\n', 'L', '-99L\n', 't', '.')),
      'tuple',
    );
    assert.deepStrictEqual(v.items, [-5n, 255n, 65535n, 0n, -1n, 1n << 64n, -32768n, 123n, -7n, true, false, -99n]);
  });

  it('reads BINFLOAT big-endian, signed zero and NaN included', () => {
    const f = (x: number): number[] => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, x, false);
      return [...b];
    };
    const v = asNode(load(pk(PROTO2, '(', 'G', f(1.5), 'G', f(-0), 'G', f(NaN), 'G', f(-Infinity), 't', '.')), 'tuple');
    assert.ok(Object.is(v.items[0], 1.5) && Object.is(v.items[1], -0) && Object.is(v.items[2], NaN) && Object.is(v.items[3], -Infinity));
  });

  it('reads None and booleans', () => {
    assert.deepStrictEqual(asNode(load(pk(PROTO2, 'N', 0x88, 0x89, 0x87, '.')), 'tuple').items, [null, true, false]);
  });

  it('reads the string family as strings and the bytes family as bytes', () => {
    const s = utf8('é€😀');
    const v = asNode(
      load(
        pk(
          PROTO2,
          '(',
          str('é€😀'),
          0x8c, s.length, s,
          0x8d, le(s.length, 8), s,
          'T', le(2, 4), 'ab',
          'U', 1, 'c',
          'B', le(2, 4), 0, 0xff,
          'C', 1, 7,
          0x8e, le(1, 8), 9,
          0x96, le(2, 8), 1, 2,
          't', '.',
        ),
      ),
      'tuple',
    );
    assert.deepStrictEqual(v.items, ['é€😀', 'é€😀', 'é€😀', 'ab', 'c', Uint8Array.of(0, 0xff), Uint8Array.of(7), Uint8Array.of(9), Uint8Array.of(1, 2)]);
  });

  it('refuses text that is not UTF-8', () => {
    assert.match(refusal(() => load(pk(PROTO2, 'X', le(1, 4), 0xff, '.'))).message, /BINUNICODE \(0x58\) string that is not valid UTF-8/);
  });

  it('builds lists, tuples, dicts and sets', () => {
    const v = asNode(
      load(
        pk(
          PROTO2,
          '(',
          ']', 'K', 1, 'a', '(', 'K', 2, 'K', 3, 'e', // [1, 2, 3]
          '(', 'K', 4, 'l', // [4]
          ')', '(', 'K', 5, 't', 'K', 6, 0x85, 'K', 7, 'K', 8, 0x86, // (), (5,), (6,), (7, 8)
          '}', str('k'), 'K', 1, 's', '(', str('j'), 'K', 2, 'u', // {'k': 1, 'j': 2}
          '(', str('d'), 'N', 'd', // {'d': None}
          0x8f, '(', 'K', 1, 'K', 2, 0x90, // {1, 2}
          '(', 'K', 3, 0x91, // frozenset({3})
          'l', '.',
        ),
      ),
      'list',
    );
    assert.deepStrictEqual(v.items.map(tag), [
      { list: [{ int: '1' }, { int: '2' }, { int: '3' }] },
      { list: [{ int: '4' }] },
      { tuple: [] },
      { tuple: [{ int: '5' }] },
      { tuple: [{ int: '6' }] },
      { tuple: [{ int: '7' }, { int: '8' }] },
      { dict: [[{ str: 'k' }, { int: '1' }], [{ str: 'j' }, { int: '2' }]] },
      { dict: [[{ str: 'd' }, null]] },
      { set: [{ int: '1' }, { int: '2' }] },
      { frozenset: [{ int: '3' }] },
    ]);
  });

  it('replaces a dict value when an equal key is set again (1 == True in Python)', () => {
    const d = asNode(load(pk(PROTO2, '}', '(', 'K', 1, str('a'), 0x88, str('b'), str('x'), 'N', str('x'), 'K', 9, 'u', '.')), 'dict');
    assert.deepStrictEqual(tag(d), { dict: [[{ int: '1' }, { str: 'b' }], [{ str: 'x' }, { int: '9' }]] });
  });

  it('refuses unhashable dict keys and set items', () => {
    assert.match(refusal(() => load(pk(PROTO2, '}', ']', 'N', 's', '.'))).message, /uses a list as a dict key/);
    assert.match(refusal(() => load(pk(PROTO2, 0x8f, '(', '}', 0x90, '.'))).message, /uses a dict as a set item/);
  });

  it('refuses appends and items on the wrong container', () => {
    assert.match(refusal(() => load(pk(PROTO2, '}', 'N', 'a', '.'))).message, /APPEND \(0x61\) on a dict; only lists/);
    assert.match(refusal(() => load(pk(PROTO2, ']', 'N', 'N', 's', '.'))).message, /SETITEM \(0x73\) on a list; only dicts/);
    assert.match(refusal(() => load(pk(PROTO2, '(', 'K', 1, 0x91, '(', 'K', 2, 0x90, '.'))).message, /ADDITEMS \(0x90\) on a frozenset/);
    assert.match(refusal(() => load(pk(PROTO2, '}', '(', 'N', 'u', '.'))).message, /SETITEMS with an odd number \(1\)/);
  });

  it('stores and fetches the memo in all four forms', () => {
    const v = asNode(
      load(pk(PROTO2, ']', 'q', 0, 'r', le(70000, 4), 'p', '12\n', 0x94, '0', '(', 'h', 0, 'j', le(70000, 4), 'g', '12\n', 'h', 3, 't', '.')),
      'tuple',
    );
    const [a, b, c, d] = v.items;
    assert.equal(kindOf(a!), 'list');
    assert.ok(a === b && b === c && c === d);
    assert.match(refusal(() => load(pk(PROTO2, 'N', 'h', 4, '.'))).message, /memo entry 4, which was never stored/);
    assert.match(refusal(() => load(pk(PROTO2, 'N', 'p', 'x\n', '.'))).message, /memo index 'x'/);
  });

  it('handles POP, POP_MARK, DUP and MARK like CPython', () => {
    assert.equal(load(pk(PROTO2, 'K', 1, 'K', 2, '0', '.')), 1n);
    assert.equal(load(pk(PROTO2, 'K', 1, '(', 'K', 2, 'K', 3, '1', '.')), 1n);
    assert.equal(load(pk(PROTO2, 'K', 1, '(', '0', '.')), 1n); // POP on an empty MARK region drops the MARK
    assert.deepStrictEqual(asNode(load(pk(PROTO2, 'K', 1, '2', 0x86, '.')), 'tuple').items, [1n, 1n]);
  });

  it('accepts protocol 5 with FRAME, refuses protocol 6', () => {
    assert.equal(load(pk(0x80, 5, 0x95, le(3, 8), 'K', 4, '.')), 4n);
    assert.match(refusal(() => load(pk(0x80, 6, 'N', '.'))).message, /pickle protocol 6/);
    assert.match(refusal(() => load(pk(0x80, 5, 0x95, le(99, 8), 'N', '.'))).message, /FRAME of 99 bytes/);
  });

  it('records persistent ids, binary and text', () => {
    const p = asNode(load(pk(PROTO2, str('storage'), 0x85, 'Q', '.')), 'persistent');
    assert.deepStrictEqual(tag(p.id), { tuple: [{ str: 'storage' }] });
    assert.equal(p.at, 15);
    assert.equal(asNode(load(pk('P', '0\n', '.')), 'persistent').id, '0');
  });

  it('refuses stack underflow and a missing MARK, naming the opcode and offset', () => {
    const e = refusal(() => load(pk(PROTO2, 'K', 1, '(', 'a', '.')));
    assert.match(e.message, /APPEND \(0x61\) on an empty stack \(nothing since the last MARK\)/);
    assert.equal(e.offset, 5);
    assert.match(refusal(() => load(pk(PROTO2, 'K', 1, 'K', 2, 't', '.'))).message, /TUPLE \(0x74\) without a MARK/);
    assert.match(refusal(() => load(pk(PROTO2, '.'))).message, /STOP \(0x2e\) on an empty stack/);
    assert.match(refusal(() => load(pk(PROTO2, 'N'))).message, /ends without a STOP/);
  });
});

describe('pickle: globals', () => {
  const global = (module: string, name: string): Part[] => ['c', `${module}\n${name}\n`];

  it('resolves allowlisted names to inert values', () => {
    const v = asNode(
      load(pk(PROTO2, '(', ...global('torch', 'float32'), ...global('torch', 'FloatStorage'), ...global('torch.storage', 'UntypedStorage'), ...global('torch._utils', '_rebuild_tensor_v2'), 't', '.')),
      'tuple',
    );
    assert.deepStrictEqual(
      v.items.map((g) => asNode(g, 'global').name),
      ['torch.float32', 'torch.FloatStorage', 'torch.storage.UntypedStorage', 'torch._utils._rebuild_tensor_v2'],
    );
  });

  it('builds containers from OrderedDict, set, frozenset, torch.Size, bytes and bytearray', () => {
    const v = asNode(
      load(
        pk(
          PROTO2,
          '(',
          ...global('collections', 'OrderedDict'), ')', 'R', '(', str('a'), 'K', 1, 'u',
          ...global('__builtin__', 'set'), ']', 'K', 1, 'a', 0x85, 'R',
          ...global('builtins', 'frozenset'), ')', 'R',
          ...global('torch', 'Size'), 'K', 2, 'K', 3, 0x86, 0x85, 'R',
          ...global('_codecs', 'encode'), 'X', le(2, 4), 0xc3, 0xbf, str('latin1'), 0x86, 'R',
          ...global('__builtin__', 'bytes'), ')', 'R',
          ...global('__builtin__', 'bytearray'), 'C', 1, 5, 0x85, 'R',
          't', '.',
        ),
      ),
      'tuple',
    );
    assert.deepStrictEqual(v.items.map(tag), [
      { dict: [[{ str: 'a' }, { int: '1' }]] },
      { set: [{ int: '1' }] },
      { frozenset: [] },
      { tuple: [{ int: '2' }, { int: '3' }] },
      { bytes: 'ff' },
      { bytes: '' },
      { bytes: '05' },
    ]);
    assert.equal(asNode(v.items[0]!, 'dict').ordered, true);
  });

  it('records tensor rebuilds and devices as calls, with their BUILD state', () => {
    const v = asNode(
      load(pk(PROTO2, '(', ...global('torch._utils', '_rebuild_tensor_v2'), 'K', 1, 0x85, 'R', '}', 'b', ...global('torch', 'device'), str('cpu'), 0x85, 'R', 't', '.')),
      'tuple',
    );
    const call = asNode(v.items[0]!, 'call');
    assert.equal(call.callee, 'torch._utils._rebuild_tensor_v2');
    assert.deepStrictEqual(call.args, [1n]);
    assert.equal(kindOf(call.state!), 'dict');
    assert.equal(asNode(v.items[1]!, 'call').callee, 'torch.device');
  });

  it('builds a Parameter with NEWOBJ and refuses NEWOBJ on anything else', () => {
    const p = asNode(load(pk(PROTO2, ...global('torch.nn.parameter', 'Parameter'), 'N', 0x85, 0x81, '.')), 'call');
    assert.equal(p.callee, 'torch.nn.parameter.Parameter');
    assert.match(refusal(() => load(pk(PROTO2, ...global('collections', 'OrderedDict'), ')', 0x81, '.'))).message, /NEWOBJ on 'collections.OrderedDict'/);
  });

  it('ignores the attributes BUILD gives an OrderedDict and refuses BUILD elsewhere', () => {
    assert.equal(kindOf(load(pk(PROTO2, ...global('collections', 'OrderedDict'), ')', 'R', '}', 'b', '.'))), 'dict');
    assert.match(refusal(() => load(pk(PROTO2, ']', '}', 'b', '.'))).message, /BUILD on a list/);
  });

  it('refuses to call values, non-globals, or with bad arguments', () => {
    assert.match(refusal(() => load(pk(PROTO2, ...global('torch', 'float32'), ')', 'R', '.'))).message, /calls 'torch.float32', which is a value/);
    assert.match(refusal(() => load(pk(PROTO2, ']', ')', 'R', '.'))).message, /calls a list; only allowlisted globals/);
    assert.match(refusal(() => load(pk(PROTO2, ...global('torch', 'Size'), ']', 'R', '.'))).message, /instead of an argument tuple/);
    assert.match(refusal(() => load(pk(PROTO2, ...global('_codecs', 'encode'), str('Ā'), str('latin1'), 0x86, 'R', '.'))).message, /U\+100/);
    assert.match(refusal(() => load(pk(PROTO2, ...global('_codecs', 'encode'), str('a'), str('rot13'), 0x86, 'R', '.'))).message, /encoding 'rot13'/);
  });

  const dangerous: [string, string][] = [
    ['os', 'system'],
    ['posix', 'system'],
    ['nt', 'system'],
    ['builtins', 'eval'],
    ['__builtin__', 'exec'],
    ['builtins', 'getattr'],
    ['subprocess', 'Popen'],
    ['__main__', 'MyModel'],
    ['collections', 'defaultdict'],
    ['torch', 'load'],
    ['torch.nn.modules.linear', 'Linear'],
    ['numpy.core.multiarray', '_reconstruct'],
  ];
  for (const [module, name] of dangerous) {
    it(`refuses the global '${module}.${name}' at GLOBAL, before any REDUCE`, () => {
      const e = refusal(() => load(pk(PROTO2, ...global(module, name), str('touch /tmp/x'), 0x85, 'R', '.')));
      assert.equal(
        e.message,
        `pt: data.pkl refers to the global '${module}.${name}', which a tensor checkpoint never needs; refusing to load it (only tensors, storages and containers are read) (at byte 2)`,
      );
      assert.equal(e.offset, 2);
    });
  }

  it('refuses through STACK_GLOBAL too (protocol 4)', () => {
    const e = refusal(() => load(pk(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, '.')));
    assert.match(e.message, /refers to the global 'builtins.eval'/);
    assert.equal(e.offset, 18);
    assert.match(refusal(() => load(pk(0x80, 4, 'K', 1, 'K', 2, 0x93, '.'))).message, /STACK_GLOBAL with the int 1 and the int 2 instead of two strings/);
  });

  it('explains the torch globals it refuses', () => {
    assert.match(refusal(() => load(pk(PROTO2, ...global('torch._utils', '_rebuild_qtensor'), '.'))).message, /'torch._utils._rebuild_qtensor': quantized tensors are not supported/);
    assert.match(refusal(() => load(pk(PROTO2, ...global('torch._utils', '_rebuild_sparse_tensor'), '.'))).message, /sparse tensors are not supported/);
    assert.match(refusal(() => load(pk(PROTO2, ...global('torch.storage', '_load_from_bytes'), '.'))).message, /storage pickled inside the pickle/);
  });
});

describe('pickle: refused opcodes', () => {
  const refused: [number, string][] = [
    [0x69, 'INST'],
    [0x6f, 'OBJ'],
    [0x82, 'EXT1'],
    [0x83, 'EXT2'],
    [0x84, 'EXT4'],
    [0x92, 'NEWOBJ_EX'],
    [0x97, 'NEXT_BUFFER'],
    [0x98, 'READONLY_BUFFER'],
    [0x46, 'FLOAT'],
    [0x53, 'STRING'],
    [0x56, 'UNICODE'],
  ];
  for (const [code, name] of refused) {
    it(`refuses ${name}, naming it and its offset`, () => {
      const e = refusal(() => load(pk(PROTO2, 'N', code, 'a\nb\n', '.')));
      assert.match(e.message, new RegExp(`${name} \\(0x${code.toString(16)}\\), which a tensor checkpoint never contains`));
      assert.equal(e.offset, 3);
    });
  }

  it('calls an unassigned byte an invalid opcode', () => {
    const e = refusal(() => load(pk(PROTO2, 0xff)));
    assert.match(e.message, /invalid opcode 0xff/);
    assert.equal(e.offset, 2);
  });
});

describe('pickle: truncation', () => {
  const small = pk(
    PROTO2, '}', 'q', 0, '(', str('w'), 'c', 'torch._utils\n_rebuild_tensor_v2\n', 'q', 1,
    '(', '(', str('storage'), 'c', 'torch\nFloatStorage\n', str('0'), str('cpu'), 'K', 6, 't', 'Q',
    'K', 0, 'K', 2, 'K', 3, 0x86, 'K', 3, 'K', 1, 0x86, 0x89, 'c', 'collections\nOrderedDict\n', ')', 'R', 't', 'R',
    str('n'), 'J', le(7, 4), str('f'), 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], str('l'), 0x8a, 2, 0, 1,
    str('b'), 'C', 2, 1, 2, 'h', 1, '0', 'u', '.',
  );

  it('reads the whole stream', () => {
    assert.equal(asNode(load(small), 'dict').keys.length, 5);
  });

  it('refuses every proper prefix with an offset inside it', () => {
    for (let n = 0; n < small.length; n++) {
      const e = refusal(() => load(small.subarray(0, n)));
      assert.ok(e.offset !== undefined && e.offset <= n, `prefix ${n}: offset ${e.offset}`);
    }
  });
});

describe('pickle: limits', () => {
  it('refuses 1000 nested lists (APPEND) as nested too deeply', () => {
    const n = 1000;
    const e = refusal(() => load(pk(PROTO2, ']'.repeat(n), 'a'.repeat(n - 1), '.')));
    assert.match(e.message, /nested too deeply/);
  });

  it('refuses 1000 open MARKs as nested too deeply', () => {
    assert.match(refusal(() => load(pk(PROTO2, '('.repeat(1000), 'N', '.'))).message, /nested too deeply \(more than 256 open MARKs\)/);
  });

  it('refuses deeply nested dicts built with SETITEM', () => {
    const n = 300;
    const inner = Array.from({ length: n - 1 }, () => ['K', 0, '}']).flat();
    assert.match(refusal(() => load(pk(PROTO2, '}', ...inner, 's'.repeat(n - 1), '.'))).message, /nested too deeply/);
  });

  it('accepts nesting within the limit', () => {
    let v = load(pk(PROTO2, ']'.repeat(200), 'a'.repeat(199), '.'));
    let depth = 0;
    while (kindOf(v) === 'list') {
      depth++;
      v = asNode(v, 'list').items[0] ?? null;
    }
    assert.equal(depth, 200);
  });

  it('refuses a container that contains itself', () => {
    assert.match(refusal(() => load(pk(PROTO2, ']', 'q', 0, 'h', 0, 'a', '.'))).message, /builds a list that contains itself/);
  });

  it('walks shared subtrees once: 2^200 paths, 200 levels', () => {
    const t0 = performance.now();
    let v = load(pk(PROTO2, 'N', ...Array.from({ length: 200 }, () => ['2', 0x86]).flat(), '.'));
    assert.ok(performance.now() - t0 < 1000);
    for (let i = 0; i < 200; i++) v = asNode(v, 'tuple').items[0]!;
    assert.equal(v, null);
    assert.match(refusal(() => load(pk(PROTO2, 'N', ...Array.from({ length: 300 }, () => ['2', 0x86]).flat(), '.'))).message, /nested too deeply/);
  });

  it('bounds the memo, the stack, the values made and integer sizes', () => {
    assert.match(refusal(() => load(pk(PROTO2, 'N', 'q', 0, 'q', 1, 'q', 2, '.'), { maxMemo: 2 })).message, /more than 2 memo entries/);
    assert.match(refusal(() => load(pk(PROTO2, 'N', 'N', '(', 'N', 'N', '.'), { maxStack: 3 })).message, /stack deeper than 3 values/);
    assert.match(refusal(() => load(pk(PROTO2, 'N', '0', 'N', '0', 'N', '.'), { maxValues: 2 })).message, /more than 2 values/);
    assert.match(refusal(() => load(pk(PROTO2, 0x8b, le(5000, 4), new Uint8Array(5000), '.'))).message, /integer of 5000 bytes/);
    assert.match(refusal(() => load(pk(PROTO2, 0x8b, le(0xffffffff, 4), '.'))).message, /negative length -1/);
    assert.match(refusal(() => load(pk(PROTO2, 'X', le(0xffffffff, 4), 'ab', '.'))).message, /needs 4294967295 more bytes but only 3 remain/);
    assert.match(refusal(() => load(pk(PROTO2, 0x8d, le(2 ** 60, 8), '.'))).message, /truncated/);
  });
});

describe('pickle: fuzz', () => {
  const streams = ['state_dict.pt', 'dtypes.pt', 'views.pt', 'list.pt'].map((file) => {
    const source = memorySource(FIXTURES.bytes(file), file);
    const member = readZipDirectory(source).find((m) => m.name.endsWith('/data.pkl'))!;
    const pkl = openMember(source, member);
    return pkl.read(0, pkl.size); // mutate() changes a copy, never this
  });

  it('mutated data.pkl streams load or throw TensorFormatError, never anything else', () => {
    fc.assert(
      fc.property(editsArb(streams.length, 8), ({ input, mutations }) => {
        readsOrRefuses(() => load(mutate(streams[input]!, mutations)));
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });
});
