/**
 * A restricted unpickler for PyTorch checkpoints: it turns `data.pkl` into inert values and never
 * runs or imports anything.
 *
 * ## Method
 * A stack machine over the opcodes a tensor checkpoint uses (protocol 2 as `torch.save` writes
 * it, and the same opcodes up to protocol 5). `GLOBAL`/`STACK_GLOBAL` resolve only names on an
 * allowlist modelled on PyTorch's `weights_only=True` loader; anything else is refused at the
 * opcode, before a `REDUCE` could use it. `REDUCE` on an allowlisted name builds data: containers
 * for `OrderedDict`, `set`, `torch.Size`, `_codecs.encode`; a {@link PickleCall} record for the
 * tensor rebuild functions, which the .pt reader interprets. Persistent ids stay
 * {@link PicklePersistent} records. Memo, stack, nesting and the number of values are bounded,
 * and the result is checked for cycles and depth without recursion, so no pickle can exhaust
 * the JavaScript stack of whoever walks it.
 *
 * References: CPython Lib/pickletools.py (opcode semantics), Lib/pickle.py (`_Unpickler`,
 * `_compat_pickle` names); PyTorch torch/_weights_only_unpickler.py (`_get_allowed_globals`),
 * torch/_utils.py (`_rebuild_tensor_v2` and friends).
 */
import { TensorFormatError } from './errors';

export type PickleValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | PickleList
  | PickleTuple
  | PickleDict
  | PickleSet
  | PickleGlobal
  | PickleCall
  | PicklePersistent;

/** Python ints are bigints and floats are numbers, so `3` and `3.0` stay distinct. */
export interface PickleList {
  readonly kind: 'list';
  readonly items: PickleValue[];
}

export interface PickleTuple {
  readonly kind: 'tuple';
  readonly items: readonly PickleValue[];
}

/** A dict or OrderedDict: keys in insertion order, a later SETITEM of an equal key replaces. */
export interface PickleDict {
  readonly kind: 'dict';
  readonly keys: PickleValue[];
  readonly values: PickleValue[];
  readonly ordered: boolean;
}

export interface PickleSet {
  readonly kind: 'set';
  readonly items: PickleValue[];
  readonly frozen: boolean;
}

/** An allowlisted name used as a value: a dtype (`torch.float32`), a storage type, a class. */
export interface PickleGlobal {
  readonly kind: 'global';
  /** Dotted name with Python 2 module names mapped (`__builtin__.set` → `builtins.set`). */
  readonly name: string;
}

/** `callee(*args)` recorded, not run: tensor rebuilds, `Parameter`, `torch.device`. */
export interface PickleCall {
  readonly kind: 'call';
  readonly callee: string;
  readonly args: readonly PickleValue[];
  /** Byte offset of the REDUCE or NEWOBJ opcode. */
  readonly at: number;
  /** The BUILD state applied to it (Python attributes of a tensor or parameter), if any. */
  state: PickleValue | undefined;
}

/** A persistent id (`BINPERSID`): in a checkpoint, `('storage', type, key, location, numel)`. */
export interface PicklePersistent {
  readonly kind: 'persistent';
  readonly id: PickleValue;
  readonly at: number;
}

export interface PickleLimits {
  /** Containers inside containers, and open MARKs. */
  readonly maxNesting: number;
  readonly maxMemo: number;
  /** Values on the stack, counting those under open MARKs. */
  readonly maxStack: number;
  /** Values created in total (pushes, memo fetches included). */
  readonly maxValues: number;
  /** Bytes of one arbitrary-precision integer (LONG4, INT, LONG). */
  readonly maxIntBytes: number;
}

export const PICKLE_LIMITS: PickleLimits = {
  maxNesting: 256,
  maxMemo: 4_000_000,
  maxStack: 1_000_000,
  maxValues: 16_000_000,
  maxIntBytes: 1024,
};

export interface UnpickleOptions {
  /** Format named in errors (`pt`). */
  readonly format: string;
  /** Stream named in messages (`data.pkl`). */
  readonly name: string;
  readonly limits?: Partial<PickleLimits>;
}

/** What REDUCE makes of an allowlisted global. */
export type GlobalRole =
  | 'dict' // collections.OrderedDict()
  | 'set'
  | 'frozenset'
  | 'bytes'
  | 'bytearray'
  | 'encode' // _codecs.encode(str, 'latin1'): how protocol 2 writes bytes
  | 'size' // torch.Size(tuple)
  | 'call' // recorded as a PickleCall
  | 'constant'; // a value only: dtypes, storage types, torch.Tensor

const STORAGE_TYPES = ['Double', 'Float', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool', 'ComplexFloat', 'ComplexDouble'];
const QUANTIZED_STORAGE_TYPES = ['QInt8', 'QUInt8', 'QInt32', 'QUInt4x2', 'QUInt2x4'];
const TORCH_DTYPES = [
  'float64', 'float32', 'float16', 'bfloat16', 'complex32', 'complex64', 'complex128',
  'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool',
  'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2',
  'quint8', 'qint8', 'qint32', 'quint4x2', 'quint2x4',
  'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'bits16',
  'uint1', 'uint2', 'uint3', 'uint4', 'uint5', 'uint6', 'uint7', 'int1', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7',
];

/** Tensor rebuild functions the .pt reader interprets; each is recorded as a {@link PickleCall}. */
export const TENSOR_REBUILDERS: ReadonlySet<string> = new Set([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'torch.nn.parameter.Parameter',
]);

/**
 * The names `GLOBAL` may resolve, and what `REDUCE` makes of them. It follows PyTorch's
 * `_get_allowed_globals` minus what carries no plain dense data (see {@link REFUSED_GLOBALS}).
 */
export const ALLOWED_GLOBALS: ReadonlyMap<string, GlobalRole> = new Map<string, GlobalRole>([
  ['collections.OrderedDict', 'dict'],
  ['builtins.set', 'set'],
  ['builtins.frozenset', 'frozenset'],
  ['builtins.bytes', 'bytes'],
  ['builtins.bytearray', 'bytearray'],
  ['_codecs.encode', 'encode'],
  ['torch.Size', 'size'],
  ['torch.device', 'call'],
  ['torch.Tensor', 'constant'],
  ...[...TENSOR_REBUILDERS].map((n): [string, GlobalRole] => [n, 'call']),
  ...TORCH_DTYPES.map((d): [string, GlobalRole] => [`torch.${d}`, 'constant']),
  ...[...STORAGE_TYPES, ...QUANTIZED_STORAGE_TYPES].map((s): [string, GlobalRole] => [`torch.${s}Storage`, 'constant']),
  ...STORAGE_TYPES.map((s): [string, GlobalRole] => [`torch.cuda.${s}Storage`, 'constant']),
  ['torch.storage.UntypedStorage', 'constant'],
  ['torch.UntypedStorage', 'constant'],
]);

const SPARSE = 'sparse tensors are not supported; save them dense (tensor.to_dense())';
/** Names PyTorch's loader accepts but that hold no dense data this reader can take, with why. */
export const REFUSED_GLOBALS: ReadonlyMap<string, string> = new Map([
  ['torch._utils._rebuild_qtensor', 'quantized tensors are not supported; save them dequantized (tensor.dequantize())'],
  ['torch._utils._rebuild_sparse_tensor', SPARSE],
  ['torch._utils._rebuild_sparse_csr_tensor', SPARSE],
  ['torch.serialization._get_layout', SPARSE],
  ['torch._utils._rebuild_meta_tensor_no_storage', 'meta tensors have no data to read'],
  ['torch._utils._rebuild_nested_tensor', 'nested tensors are not supported'],
  ['torch._utils._rebuild_wrapper_subclass', 'tensor subclasses are not supported; save plain tensors'],
  ['torch._utils._rebuild_device_tensor_from_numpy', 'device tensors saved through NumPy are not supported'],
  ['torch.storage._load_from_bytes', 'it holds a storage pickled inside the pickle (an old torch.save of a storage); re-save it with a newer torch'],
]);

/** CPython's `_compat_pickle.IMPORT_MAPPING` for the modules that matter here. */
const PY2_MODULES: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
]);

/** Pickle opcodes by their pickletools names: those read here and those refused by name. */
enum Op {
  MARK = 0x28,
  EMPTY_TUPLE = 0x29,
  STOP = 0x2e,
  POP = 0x30,
  POP_MARK = 0x31,
  DUP = 0x32,
  BINBYTES = 0x42,
  SHORT_BINBYTES = 0x43,
  FLOAT = 0x46,
  BINFLOAT = 0x47,
  INT = 0x49,
  BININT = 0x4a,
  BININT1 = 0x4b,
  LONG = 0x4c,
  BININT2 = 0x4d,
  NONE = 0x4e,
  PERSID = 0x50,
  BINPERSID = 0x51,
  REDUCE = 0x52,
  STRING = 0x53,
  BINSTRING = 0x54,
  SHORT_BINSTRING = 0x55,
  UNICODE = 0x56,
  BINUNICODE = 0x58,
  EMPTY_LIST = 0x5d,
  APPEND = 0x61,
  BUILD = 0x62,
  GLOBAL = 0x63,
  DICT = 0x64,
  APPENDS = 0x65,
  GET = 0x67,
  BINGET = 0x68,
  INST = 0x69,
  LONG_BINGET = 0x6a,
  LIST = 0x6c,
  OBJ = 0x6f,
  PUT = 0x70,
  BINPUT = 0x71,
  LONG_BINPUT = 0x72,
  SETITEM = 0x73,
  TUPLE = 0x74,
  SETITEMS = 0x75,
  EMPTY_DICT = 0x7d,
  PROTO = 0x80,
  NEWOBJ = 0x81,
  EXT1 = 0x82,
  EXT2 = 0x83,
  EXT4 = 0x84,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  LONG4 = 0x8b,
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e,
  EMPTY_SET = 0x8f,
  ADDITEMS = 0x90,
  FROZENSET = 0x91,
  NEWOBJ_EX = 0x92,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
  BYTEARRAY8 = 0x96,
  NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98,
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Human-readable name of an opcode byte, e.g. `INST (0x69)`. */
export function opcodeName(code: number): string {
  return `${(Op as Record<number, string | undefined>)[code] ?? 'unknown opcode'} (0x${code.toString(16).padStart(2, '0')})`;
}

/** A dict key's identity for replacement on SETITEM; undefined when keys are compared by object. */
function keyIdentity(k: PickleValue): string | undefined {
  if (k === null) return 'N';
  switch (typeof k) {
    case 'boolean':
      return k ? 'i1' : 'i0'; // Python: True == 1, so they are one key
    case 'bigint':
      return `i${k}`;
    case 'number':
      return Number.isInteger(k) ? `i${BigInt(k)}` : `f${k}`;
    case 'string':
      return `s${k}`;
  }
  if (k instanceof Uint8Array) {
    let text = 'b';
    for (let i = 0; i < k.length; i += 4096) text += String.fromCharCode(...k.subarray(i, i + 4096));
    return text;
  }
  if (k.kind === 'global') return `g${k.name}`;
  return undefined;
}

function isHashable(k: PickleValue): boolean {
  if (k === null || typeof k !== 'object' || k instanceof Uint8Array) return true;
  return !(k.kind === 'list' || k.kind === 'dict' || (k.kind === 'set' && !k.frozen));
}

const dictIndex = new WeakMap<PickleDict, Map<string, number>>();

function newDict(ordered: boolean): PickleDict {
  const d: PickleDict = { kind: 'dict', keys: [], values: [], ordered };
  dictIndex.set(d, new Map());
  return d;
}

/** Reads two's-complement little-endian bytes (LONG1/LONG4) as a bigint. */
function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
  const v = BigInt(`0x${hex}`);
  return bytes[bytes.length - 1]! & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/**
 * Unpickles `data` into inert values, refusing any global off the allowlist and any opcode a
 * tensor checkpoint does not use.
 * @throws TensorFormatError naming the opcode or global and its byte offset.
 * @example unpickle(bytes, { format: 'pt', name: 'data.pkl' })
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): PickleValue {
  const limits: PickleLimits = { ...PICKLE_LIMITS, ...options.limits };
  const { format, name } = options;
  const fail = (message: string, at: number): never => {
    throw new TensorFormatError(format, `${name} ${message}`, at);
  };

  let pos = 0;
  let opAt = 0;
  let op = 0;
  let stack: PickleValue[] = [];
  const marks: PickleValue[][] = [];
  let marked = 0; // values held under open MARKs
  const memo = new Map<number, PickleValue>();
  let created = 0;

  const opName = (): string => opcodeName(op);
  const take = (n: number): Uint8Array => {
    if (n > data.length - pos) fail(`ends inside ${opName()}: it needs ${n} more bytes but only ${data.length - pos} remain; the file is truncated`, opAt);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const u8 = (): number => take(1)[0]!;
  const u16 = (): number => {
    const b = take(2);
    return b[0]! | (b[1]! << 8);
  };
  const u32 = (): number => {
    const b = take(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  };
  const i32 = (): number => u32() | 0;
  const u64 = (): number => {
    const lo = u32();
    const hi = u32();
    // Any length past 2^53 is past the end of the stream anyway.
    return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + lo;
  };
  const line = (maxLength = 4096): string => {
    const end = data.subarray(pos, pos + maxLength + 1).indexOf(0x0a);
    if (end < 0) {
      if (data.length - pos <= maxLength) fail(`ends inside ${opName()}: its argument has no terminating newline; the file is truncated`, opAt);
      fail(`has a ${opName()} argument longer than ${maxLength} bytes`, opAt);
    }
    return decodeText(take(end + 1).subarray(0, end));
  };
  const decodeText = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      return fail(`has a ${opName()} string that is not valid UTF-8`, opAt);
    }
  };
  const push = (v: PickleValue): void => {
    if (stack.length + marked >= limits.maxStack) fail(`needs a stack deeper than ${limits.maxStack} values`, opAt);
    if (++created > limits.maxValues) fail(`makes more than ${limits.maxValues} values; that is not a tensor checkpoint`, opAt);
    stack.push(v);
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) fail(`uses ${opName()} on an empty stack${marks.length > 0 ? ' (nothing since the last MARK)' : ''}`, opAt);
    return stack.pop()!;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) fail(`uses ${opName()} on an empty stack${marks.length > 0 ? ' (nothing since the last MARK)' : ''}`, opAt);
    return stack[stack.length - 1]!;
  };
  const popMark = (): PickleValue[] => {
    const outer = marks.pop();
    if (outer === undefined) return fail(`uses ${opName()} without a MARK before it`, opAt);
    const items = stack;
    stack = outer;
    marked -= outer.length;
    return items;
  };
  const setMemo = (index: number, v: PickleValue): void => {
    if (!memo.has(index) && memo.size >= limits.maxMemo) fail(`stores more than ${limits.maxMemo} memo entries`, opAt);
    memo.set(index, v);
  };
  const getMemo = (index: number): void => {
    if (!memo.has(index)) fail(`refers to memo entry ${index}, which was never stored`, opAt);
    push(memo.get(index)!);
  };
  const bigLong = (bytes: Uint8Array): bigint => {
    if (bytes.length > limits.maxIntBytes) fail(`has an integer of ${bytes.length} bytes; more than ${limits.maxIntBytes} is not a checkpoint value`, opAt);
    return decodeLong(bytes);
  };
  const textInt = (text: string, trailingL: boolean): bigint => {
    const body = trailingL && text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?[0-9]+$/.test(body)) fail(`has ${opName()} with the argument '${body.slice(0, 40)}', which is not a decimal integer`, opAt);
    if (body.length > limits.maxIntBytes * 3) fail(`has an integer of ${body.length} digits`, opAt);
    return BigInt(body);
  };
  const memoIndex = (text: string): number => {
    if (!/^[0-9]{1,10}$/.test(text)) fail(`has ${opName()} with the memo index '${text.slice(0, 40)}', which is not a number`, opAt);
    return Number(text);
  };
  const hashable = (k: PickleValue, what: string): void => {
    if (!isHashable(k)) fail(`uses a ${(k as { kind: string }).kind} as ${what}, which Python cannot hash`, opAt);
  };
  const setItem = (d: PickleValue, k: PickleValue, v: PickleValue): void => {
    if (d === null || typeof d !== 'object' || d instanceof Uint8Array || d.kind !== 'dict') {
      return fail(`uses ${opName()} on ${describe(d)}; only dicts take items`, opAt);
    }
    hashable(k, 'a dict key');
    const id = keyIdentity(k);
    const index = dictIndex.get(d)!;
    const at = id === undefined ? undefined : index.get(id);
    if (at !== undefined) {
      d.values[at] = v;
      return;
    }
    if (id !== undefined) index.set(id, d.keys.length);
    d.keys.push(k);
    d.values.push(v);
  };
  const listOf = (v: PickleValue): PickleValue[] => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v.kind !== 'list') return fail(`uses ${opName()} on ${describe(v)}; only lists can be appended to`, opAt);
    return v.items;
  };
  const setOf = (v: PickleValue): PickleValue[] => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v.kind !== 'set' || v.frozen) return fail(`uses ${opName()} on ${describe(v)}; only sets take items`, opAt);
    return v.items;
  };
  const resolveGlobal = (module: string, qualname: string): PickleGlobal => {
    const written = `${module}.${qualname}`;
    const fullName = `${PY2_MODULES.get(module) ?? module}.${qualname}`;
    const refused = REFUSED_GLOBALS.get(fullName);
    if (refused !== undefined) fail(`refers to '${written}': ${refused}`, opAt);
    if (module === '' || qualname === '' || !ALLOWED_GLOBALS.has(fullName)) {
      fail(`refers to the global '${written}', which a tensor checkpoint never needs; refusing to load it (only tensors, storages and containers are read)`, opAt);
    }
    return { kind: 'global', name: fullName };
  };
  const reduce = (callee: PickleValue, args: PickleValue): PickleValue => {
    if (callee === null || typeof callee !== 'object' || callee instanceof Uint8Array || callee.kind !== 'global') {
      return fail(`calls ${describe(callee)}; only allowlisted globals can be called`, opAt);
    }
    if (args === null || typeof args !== 'object' || args instanceof Uint8Array || args.kind !== 'tuple') {
      return fail(`calls '${callee.name}' with ${describe(args)} instead of an argument tuple`, opAt);
    }
    const a = args.items;
    const bad = (): never => fail(`calls '${callee.name}' with arguments it does not take (${a.map(describe).join(', ')})`, opAt);
    switch (ALLOWED_GLOBALS.get(callee.name)) {
      case 'dict': {
        const d = newDict(true);
        if (a.length === 0) return d;
        const pairs = a.length === 1 ? sequenceItems(a[0]!) : undefined;
        if (pairs === undefined) return bad();
        for (const p of pairs) {
          const kv = sequenceItems(p);
          if (kv?.length !== 2) return bad();
          setItem(d, kv[0]!, kv[1]!);
        }
        return d;
      }
      case 'set':
      case 'frozenset': {
        const items = a.length === 0 ? [] : a.length === 1 ? sequenceItems(a[0]!) : undefined;
        if (items === undefined) return bad();
        for (const item of items) hashable(item, 'a set item');
        return { kind: 'set', items: [...items], frozen: ALLOWED_GLOBALS.get(callee.name) === 'frozenset' };
      }
      case 'bytes':
        return a.length === 0 ? new Uint8Array(0) : bad();
      case 'bytearray':
        if (a.length === 0) return new Uint8Array(0);
        return a.length === 1 && a[0] instanceof Uint8Array ? a[0].slice() : bad();
      case 'encode': {
        const [text, encoding = 'utf-8'] = a;
        if (typeof text !== 'string' || typeof encoding !== 'string' || a.length > 2) return bad();
        const enc = encoding.toLowerCase();
        if (enc === 'utf-8' || enc === 'utf8') return new TextEncoder().encode(text);
        if (enc !== 'latin1' && enc !== 'latin-1' && enc !== 'iso-8859-1') fail(`calls '_codecs.encode' with the encoding '${encoding.slice(0, 40)}'; only latin1 and utf-8 are read`, opAt);
        const out = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c > 0xff) fail(`calls '_codecs.encode' to latin1 on a string with the character U+${c.toString(16).toUpperCase()}`, opAt);
          out[i] = c;
        }
        return out;
      }
      case 'size': {
        const dims = a.length === 0 ? [] : a.length === 1 ? sequenceItems(a[0]!) : undefined;
        return dims === undefined ? bad() : { kind: 'tuple', items: [...dims] };
      }
      case 'call':
        return { kind: 'call', callee: callee.name, args: a, at: opAt, state: undefined };
      default:
        return fail(`calls '${callee.name}', which is a value, not something to call`, opAt);
    }
  };

  for (;;) {
    if (pos >= data.length) fail(`ends without a STOP opcode; the file is truncated`, data.length);
    opAt = pos;
    op = data[pos++]!;
    switch (op) {
      case Op.PROTO: {
        const protocol = u8();
        if (protocol > 5) fail(`uses pickle protocol ${protocol}; protocols up to 5 are read`, opAt);
        break;
      }
      case Op.FRAME: {
        // A length prefix only; the opcodes inside read as usual.
        const n = u64();
        if (n > data.length - pos) fail(`has a FRAME of ${n} bytes but only ${data.length - pos} remain; the file is truncated`, opAt);
        break;
      }
      case Op.STOP: {
        const result = pop();
        checkStructure(result, limits.maxNesting, (m) => fail(m, opAt));
        return result;
      }
      case Op.MARK:
        if (marks.length >= limits.maxNesting) fail(`is nested too deeply (more than ${limits.maxNesting} open MARKs)`, opAt);
        marks.push(stack);
        marked += stack.length;
        stack = [];
        break;
      case Op.POP: // like CPython, an empty region pops its MARK
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case Op.POP_MARK:
        popMark();
        break;
      case Op.DUP:
        push(top());
        break;
      case Op.BININT:
        push(BigInt(i32()));
        break;
      case Op.BININT1:
        push(BigInt(u8()));
        break;
      case Op.BININT2:
        push(BigInt(u16()));
        break;
      case Op.LONG1:
        push(bigLong(take(u8())));
        break;
      case Op.LONG4: {
        const n = i32();
        if (n < 0) fail(`has LONG4 with a negative length ${n}`, opAt);
        if (n > limits.maxIntBytes) fail(`has an integer of ${n} bytes; more than ${limits.maxIntBytes} is not a checkpoint value`, opAt);
        push(bigLong(take(n)));
        break;
      }
      case Op.INT: {
        // Protocol 0 text; "00"/"01" are False/True
        const text = line();
        push(text === '00' ? false : text === '01' ? true : textInt(text, false));
        break;
      }
      case Op.LONG:
        push(textInt(line(), true));
        break;
      case Op.BINFLOAT: {
        // Big-endian
        const b = take(8);
        push(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false));
        break;
      }
      case Op.NONE:
        push(null);
        break;
      case Op.NEWTRUE:
        push(true);
        break;
      case Op.NEWFALSE:
        push(false);
        break;
      case Op.BINUNICODE:
        push(decodeText(take(u32())));
        break;
      case Op.SHORT_BINUNICODE:
        push(decodeText(take(u8())));
        break;
      case Op.BINUNICODE8:
        push(decodeText(take(u64())));
        break;
      case Op.BINSTRING: {
        // A Python 2 str, decoded as torch.load does (encoding='utf-8')
        const n = i32();
        if (n < 0) fail(`has BINSTRING with a negative length ${n}`, opAt);
        push(decodeText(take(n)));
        break;
      }
      case Op.SHORT_BINSTRING:
        push(decodeText(take(u8())));
        break;
      case Op.BINBYTES:
        push(take(u32()).slice());
        break;
      case Op.SHORT_BINBYTES:
        push(take(u8()).slice());
        break;
      case Op.BINBYTES8:
      case Op.BYTEARRAY8:
        push(take(u64()).slice());
        break;
      case Op.EMPTY_LIST:
        push({ kind: 'list', items: [] });
        break;
      case Op.APPEND: {
        const v = pop();
        listOf(top()).push(v);
        break;
      }
      case Op.APPENDS: {
        const items = popMark();
        const list = listOf(top());
        for (const v of items) list.push(v);
        break;
      }
      case Op.LIST:
        push({ kind: 'list', items: popMark() });
        break;
      case Op.EMPTY_TUPLE:
        push({ kind: 'tuple', items: [] });
        break;
      case Op.TUPLE:
        push({ kind: 'tuple', items: popMark() });
        break;
      case Op.TUPLE1:
        push({ kind: 'tuple', items: [pop()] });
        break;
      case Op.TUPLE2: {
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case Op.TUPLE3: {
        const c = pop();
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case Op.EMPTY_DICT:
        push(newDict(false));
        break;
      case Op.DICT: {
        const items = popMark();
        if (items.length % 2 !== 0) fail(`has DICT with an odd number (${items.length}) of keys and values`, opAt);
        const d = newDict(false);
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!);
        push(d);
        break;
      }
      case Op.SETITEM: {
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case Op.SETITEMS: {
        const items = popMark();
        if (items.length % 2 !== 0) fail(`has SETITEMS with an odd number (${items.length}) of keys and values`, opAt);
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!);
        break;
      }
      case Op.EMPTY_SET:
        push({ kind: 'set', items: [], frozen: false });
        break;
      case Op.ADDITEMS: {
        const items = popMark();
        const set = setOf(top());
        for (const v of items) {
          hashable(v, 'a set item');
          set.push(v);
        }
        break;
      }
      case Op.FROZENSET: {
        const items = popMark();
        for (const v of items) hashable(v, 'a set item');
        push({ kind: 'set', items, frozen: true });
        break;
      }
      case Op.BINPUT:
        setMemo(u8(), top());
        break;
      case Op.LONG_BINPUT:
        setMemo(u32(), top());
        break;
      case Op.PUT:
        setMemo(memoIndex(line()), top());
        break;
      case Op.MEMOIZE:
        setMemo(memo.size, top());
        break;
      case Op.BINGET:
        getMemo(u8());
        break;
      case Op.LONG_BINGET:
        getMemo(u32());
        break;
      case Op.GET:
        getMemo(memoIndex(line()));
        break;
      case Op.GLOBAL: {
        const module = line(256);
        const qualname = line(256);
        push(resolveGlobal(module, qualname));
        break;
      }
      case Op.STACK_GLOBAL: {
        const qualname = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof qualname !== 'string') fail(`has STACK_GLOBAL with ${describe(module)} and ${describe(qualname)} instead of two strings`, opAt);
        push(resolveGlobal(module as string, qualname as string));
        break;
      }
      case Op.REDUCE: {
        const args = pop();
        const callee = pop();
        push(reduce(callee, args));
        break;
      }
      case Op.NEWOBJ: {
        // Cls.__new__(cls, *args); PyTorch's loader allows it for Parameter only
        const args = pop();
        const cls = pop();
        if (cls === null || typeof cls !== 'object' || cls instanceof Uint8Array || cls.kind !== 'global' || cls.name !== 'torch.nn.parameter.Parameter') {
          fail(`uses NEWOBJ on ${describe(cls)}; only torch.nn.Parameter is built that way`, opAt);
        }
        if (args === null || typeof args !== 'object' || args instanceof Uint8Array || args.kind !== 'tuple') fail(`uses NEWOBJ with ${describe(args)} instead of an argument tuple`, opAt);
        push({ kind: 'call', callee: 'torch.nn.parameter.Parameter', args: (args as PickleTuple).items, at: opAt, state: undefined });
        break;
      }
      case Op.BUILD: {
        // Attributes of an OrderedDict (state_dict `_metadata`) or a tensor; kept inert
        const state = pop();
        const inst = top();
        if (inst !== null && typeof inst === 'object' && !(inst instanceof Uint8Array)) {
          if (inst.kind === 'dict' && inst.ordered) break;
          if (inst.kind === 'call' && TENSOR_REBUILDERS.has(inst.callee)) {
            inst.state = state;
            break;
          }
        }
        fail(`uses BUILD on ${describe(inst)}; only tensors, parameters and OrderedDicts take state`, opAt);
        break;
      }
      case Op.BINPERSID: {
        const id = pop();
        push({ kind: 'persistent', id, at: opAt });
        break;
      }
      case Op.PERSID:
        push({ kind: 'persistent', id: line(), at: opAt });
        break;
      default:
        fail(
          (Op as Record<number, string | undefined>)[op] !== undefined
            ? `uses the pickle opcode ${opName()}, which a tensor checkpoint never contains; refusing to load it`
            : `has an invalid opcode 0x${op.toString(16).padStart(2, '0')}; it is not a pickle or it is corrupted`,
          opAt,
        );
    }
  }
}

/** Items of a list or tuple, or undefined. */
function sequenceItems(v: PickleValue): readonly PickleValue[] | undefined {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && (v.kind === 'list' || v.kind === 'tuple') ? v.items : undefined;
}

/** A short description of a value for messages: `a list`, `the string 'x'`, `'torch.float32'`. */
export function describe(v: PickleValue): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return `the int ${v}`;
    case 'number':
      return `the float ${v}`;
    case 'string':
      return `the string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  }
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  switch (v.kind) {
    case 'global':
      return `'${v.name}'`;
    case 'call':
      return `the result of '${v.callee}'`;
    case 'persistent':
      return 'a persistent id';
    case 'dict':
      return v.ordered ? 'an OrderedDict' : 'a dict';
    case 'set':
      return v.frozen ? 'a frozenset' : 'a set';
    default:
      return `a ${v.kind}`;
  }
}

type Node = Exclude<PickleValue, null | boolean | bigint | number | string | Uint8Array>;

function isNode(v: PickleValue): v is Node {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array);
}

function childCount(n: Node): number {
  switch (n.kind) {
    case 'list':
    case 'tuple':
    case 'set':
      return n.items.length;
    case 'dict':
      return n.keys.length * 2;
    case 'call':
      return n.args.length + 1;
    case 'persistent':
      return 1;
    case 'global':
      return 0;
  }
}

function childAt(n: Node, i: number): PickleValue {
  switch (n.kind) {
    case 'list':
    case 'tuple':
    case 'set':
      return n.items[i]!;
    case 'dict':
      return i < n.keys.length ? n.keys[i]! : n.values[i - n.keys.length]!;
    case 'call':
      return i < n.args.length ? n.args[i]! : (n.state ?? null);
    case 'persistent':
      return n.id;
    case 'global':
      return null;
  }
}

/**
 * Refuses cycles and nesting deeper than `maxNesting`, walking with an explicit stack so that a
 * hostile depth cannot overflow the JavaScript one; shared subtrees are visited once.
 */
function checkStructure(root: PickleValue, maxNesting: number, fail: (message: string) => never): void {
  if (!isNode(root)) return;
  const height = new Map<Node, number>();
  const onPath = new Set<Node>();
  const path: { node: Node; next: number; height: number }[] = [{ node: root, next: 0, height: 1 }];
  onPath.add(root);
  while (path.length > 0) {
    const frame = path[path.length - 1]!;
    if (frame.next < childCount(frame.node)) {
      const child = childAt(frame.node, frame.next++);
      if (!isNode(child)) continue;
      const known = height.get(child);
      if (known !== undefined) {
        frame.height = Math.max(frame.height, known + 1);
      } else {
        if (onPath.has(child)) fail(`builds ${describe(child)} that contains itself; a tensor checkpoint has no cycles`);
        if (path.length >= maxNesting) fail(`is nested too deeply (more than ${maxNesting} levels of containers)`);
        onPath.add(child);
        path.push({ node: child, next: 0, height: 1 });
      }
      continue;
    }
    path.pop();
    onPath.delete(frame.node);
    height.set(frame.node, frame.height);
    const parent = path[path.length - 1];
    if (parent) parent.height = Math.max(parent.height, frame.height + 1);
    if (frame.height > maxNesting) fail(`is nested too deeply (more than ${maxNesting} levels of containers)`);
  }
}
