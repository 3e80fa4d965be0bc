/**
 * PyTorch checkpoints (.pt / .pth) as `torch.save` writes them since torch 1.6: a zip archive
 * whose members all sit under one folder, holding `data.pkl` (the pickled object) and one member
 * `data/<key>` per storage.
 *
 * ## Method
 * The folder is the first member's (`archive/` by default, the file stem for `torch.save(obj,
 * path)`), as PyTorch's own reader finds it. `data.pkl` goes through the restricted unpickler;
 * each persistent id `('storage', type, key, location, numel)` becomes a window of the archive
 * over `data/<key>`, read with the storage type's dtype, and each `_rebuild_tensor_v2(storage,
 * offset, size, stride, …)` becomes a {@link TensorEntry} with that offset and those strides, so
 * saved views read exactly their own elements. The pickled object — a state_dict, nested dicts,
 * lists, tuples, or one tensor — is flattened into dotted keys (`model.layers.0.weight`).
 *
 * References: torch/serialization.py (`_save`, `_load`, `persistent_load`), torch/_utils.py
 * (`_rebuild_tensor_v2`, `_rebuild_tensor_v3`, `_rebuild_parameter`), torch/_tensor.py
 * (`_reduce_ex_internal`), caffe2/serialize/inline_container.cc (the archive folder).
 */
import { type ByteOrder, type DType, ITEM_SIZE } from './dtype';
import { checkBounds, type TensorEntry } from './entry';
import { TensorFormatError } from './errors';
import { describe, type PickleCall, type PickleValue, TENSOR_REBUILDERS, unpickle } from './pickle';
import { type ByteSource, sliceSource } from './source';
import { isZip, openMember, readZipDirectory, type ZipMember } from './zip';

const FORMAT = 'pt';

/** A data.pkl larger than this is refused: it is read whole, and checkpoints keep it small. */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
/** Values visited while flattening, shared subtrees counted each time they are reached. */
export const MAX_FLATTEN_VISITS = 4_000_000;

/** `torch.<X>Storage` → element type (torch/storage.py `_dtype_to_storage_type_map`). */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  Double: 'float64',
  Float: 'float32',
  Half: 'float16',
  BFloat16: 'bfloat16',
  Long: 'int64',
  Int: 'int32',
  Short: 'int16',
  Char: 'int8',
  Byte: 'uint8',
  Bool: 'bool',
};

/** `torch.<name>` dtype globals this reader decodes (the `dtype` argument of `_rebuild_tensor_v3`). */
const TORCH_DTYPES: Readonly<Record<string, DType>> = {
  float64: 'float64',
  float32: 'float32',
  float16: 'float16',
  bfloat16: 'bfloat16',
  float8_e4m3fn: 'float8_e4m3fn',
  float8_e5m2: 'float8_e5m2',
  int64: 'int64',
  int32: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint64: 'uint64',
  uint32: 'uint32',
  uint16: 'uint16',
  uint8: 'uint8',
  bool: 'bool',
};

/** The pickled magic number that opens a legacy (pre-1.6) checkpoint: PROTO n, LONG1 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

function fail(message: string, at?: number): never {
  throw new TensorFormatError(FORMAT, message, at);
}

/**
 * Reads the tensors of a zip-format PyTorch checkpoint as entries with dotted keys; nothing in
 * the file is executed, and only tensors, storages and plain containers are accepted.
 * @throws TensorFormatError for legacy or TorchScript files, refused globals, bad structure.
 * @example readPt(memorySource(bytes, 'model.pt')).entries.map((e) => e.key) // ['fc.weight', 'fc.bias']
 */
export function readPt(source: ByteSource): { format: 'pt'; entries: TensorEntry[] } {
  if (!isZip(source)) refuseNonZip(source);
  const members = readZipDirectory(source, FORMAT);
  const first = members[0];
  if (first === undefined) fail('the zip archive is empty; a torch.save checkpoint holds data.pkl and its storages');
  const slash = first.name.indexOf('/');
  if (slash <= 0) fail(`the archive's first member '${first.name}' is not inside a folder, so this zip is not a torch.save checkpoint (an .npz?)`);
  const top = first.name.slice(0, slash);
  const byName = new Map<string, ZipMember>();
  for (const m of members) byName.set(m.name, m);
  if (byName.has(`${top}/constants.pkl`) || members.some((m) => m.name.startsWith(`${top}/code/`))) {
    fail('this is a TorchScript archive (torch.jit.save), which is not supported; save the weights with torch.save(model.state_dict(), path)');
  }
  const pickle = byName.get(`${top}/data.pkl`);
  if (pickle === undefined) fail(`the archive has no '${top}/data.pkl', so it is not a torch.save checkpoint`);
  if (pickle.size > MAX_PICKLE_BYTES) fail(`'${pickle.name}' is ${pickle.size} bytes; more than ${MAX_PICKLE_BYTES} is not a checkpoint's object pickle`);
  const order = byteOrder(source, byName.get(`${top}/byteorder`));
  const pickleSource = openMember(source, pickle, FORMAT);
  const root = unpickle(pickleSource.read(0, pickleSource.size), { format: FORMAT, name: 'data.pkl' });

  const storages = new Map<string, ByteSource>();
  const openStorage = (key: string, at: number): ByteSource => {
    let s = storages.get(key);
    if (s === undefined) {
      const m = byName.get(`${top}/data/${key}`);
      if (m === undefined) fail(`data.pkl refers to the storage '${key}' but the archive has no '${top}/data/${key}'`, at);
      s = openMember(source, m, FORMAT);
      storages.set(key, s);
    }
    return s;
  };
  return { format: 'pt', entries: flatten(root, (call, key) => tensorEntry(call, key, order, openStorage)) };
}

/** Explains what a non-zip file is: a legacy checkpoint, a bare pickle, or something else. */
function refuseNonZip(source: ByteSource): never {
  const head = source.read(0, Math.min(source.size, 2 + LEGACY_MAGIC.length));
  const legacy = head[0] === 0x80 && LEGACY_MAGIC.every((b, i) => head[2 + i] === b);
  const tar = source.size >= 262 && new TextDecoder().decode(source.read(257, 5)) === 'ustar';
  if (legacy || tar) {
    fail("this file uses PyTorch's legacy (pre-1.6) serialization; re-save it with a newer torch (torch.save(obj, path)) to read it", 0);
  }
  if (head[0] === 0x80) fail('this file is a bare pickle, not a torch.save zip archive; save it with torch.save(obj, path)', 0);
  fail('this file is not a zip archive, so it is not a PyTorch checkpoint written by torch.save (torch ≥ 1.6)', 0);
}

/** `byteorder` (torch ≥ 2.1) says how storages were written; older archives are little-endian. */
function byteOrder(source: ByteSource, member: ZipMember | undefined): ByteOrder {
  if (member === undefined) return 'little';
  if (member.size > 16) fail(`'${member.name}' is ${member.size} bytes; it should say 'little' or 'big'`);
  const m = openMember(source, member, FORMAT);
  const text = new TextDecoder().decode(m.read(0, m.size)).trim();
  if (text !== 'little' && text !== 'big') fail(`'${member.name}' says '${text}'; expected 'little' or 'big'`);
  return text;
}

function isNode(v: PickleValue): v is Exclude<PickleValue, null | boolean | bigint | number | string | Uint8Array> {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array);
}

function isCall(v: PickleValue | undefined): v is PickleCall {
  return v !== undefined && isNode(v) && v.kind === 'call';
}

function items(v: PickleValue | undefined): readonly PickleValue[] | undefined {
  return v !== undefined && isNode(v) && (v.kind === 'tuple' || v.kind === 'list') ? v.items : undefined;
}

function globalName(v: PickleValue | undefined): string | undefined {
  return v !== undefined && isNode(v) && v.kind === 'global' ? v.name : undefined;
}

/** A dict key as part of a dotted name, the way Python's str() prints it. */
function keyText(k: PickleValue, index: number): string {
  if (k === null) return 'None';
  switch (typeof k) {
    case 'string':
      return k;
    case 'boolean':
      return k ? 'True' : 'False';
    case 'bigint':
    case 'number':
      return String(k);
  }
  return String(index); // tuple or object keys: position keeps names unique and short
}

/**
 * Walks the unpickled object without recursion, turning every tensor into an entry named by its
 * path; other leaves (ints, strings, None, devices) are skipped.
 */
function flatten(root: PickleValue, toEntry: (call: PickleCall, key: string) => TensorEntry): TensorEntry[] {
  const entries: TensorEntry[] = [];
  const names = new Set<string>();
  const work: { value: PickleValue; key: string }[] = [{ value: root, key: '' }];
  const join = (prefix: string, part: string): string => (prefix === '' ? part : `${prefix}.${part}`);
  let visits = 0;
  while (work.length > 0) {
    const { value, key } = work.pop()!;
    if (++visits > MAX_FLATTEN_VISITS) fail(`data.pkl reaches more than ${MAX_FLATTEN_VISITS} values through shared references; that is not a checkpoint`);
    if (!isNode(value)) continue;
    switch (value.kind) {
      case 'call':
        if (TENSOR_REBUILDERS.has(value.callee)) {
          if (names.has(key)) fail(`two tensors are both named '${key}'; dotted names collide (a key with a '.' in it?)`, value.at);
          names.add(key);
          entries.push(toEntry(value, key));
        }
        break;
      case 'dict':
        for (let i = value.keys.length - 1; i >= 0; i--) work.push({ value: value.values[i]!, key: join(key, keyText(value.keys[i]!, i)) });
        break;
      case 'list':
      case 'tuple':
        for (let i = value.items.length - 1; i >= 0; i--) work.push({ value: value.items[i]!, key: join(key, String(i)) });
        break;
      default:
        break; // sets, storages, dtypes: no tensor is addressed through them
    }
  }
  return entries;
}

/** A Python int that must be a non-negative safe integer (sizes, strides, offsets). */
function count(v: PickleValue | undefined, what: string, at: number): number {
  if (typeof v !== 'bigint' || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} is ${v === undefined ? 'missing' : describe(v)}; expected a non-negative integer`, at);
  return Number(v);
}

/** Unwraps Parameters and typed-tensor wrappers down to the `_rebuild_tensor*` call, then reads it. */
function tensorEntry(call: PickleCall, key: string, order: ByteOrder, openStorage: (key: string, at: number) => ByteSource): TensorEntry {
  const name = key === '' ? 'the tensor' : `'${key}'`;
  let c = call;
  for (let hops = 0; ; hops++) {
    if (hops > 16) fail(`${name} is wrapped in more than 16 layers of Parameters`, c.at);
    switch (c.callee) {
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
      case 'torch.nn.parameter.Parameter': {
        const inner = c.args[0];
        if (!isCall(inner) || !TENSOR_REBUILDERS.has(inner.callee)) fail(`${name} is a Parameter around ${inner === undefined ? 'nothing' : describe(inner)} instead of a tensor`, c.at);
        c = inner;
        continue;
      }
      case 'torch._tensor._rebuild_from_type_v2': {
        // (func, type, args, state): a tensor with Python attributes, rebuilt by func(*args).
        const [func, type, args] = c.args;
        const funcName = globalName(func);
        const typeName = globalName(type);
        const inner = items(args);
        if (funcName === undefined || !TENSOR_REBUILDERS.has(funcName) || (typeName !== 'torch.Tensor' && typeName !== 'torch.nn.parameter.Parameter') || inner === undefined) {
          fail(`${name} is rebuilt by '_rebuild_from_type_v2' with arguments it does not take`, c.at);
        }
        c = { kind: 'call', callee: funcName, args: inner, at: c.at, state: undefined };
        continue;
      }
      default:
        return denseEntry(c, key, name, order, openStorage);
    }
  }
}

/**
 * `_rebuild_tensor(storage, offset, size, stride)`, `_rebuild_tensor_v2(…, requires_grad,
 * hooks[, metadata])` and `_rebuild_tensor_v3(…, requires_grad, hooks, dtype[, metadata])`.
 */
function denseEntry(c: PickleCall, key: string, name: string, order: ByteOrder, openStorage: (key: string, at: number) => ByteSource): TensorEntry {
  const v3 = c.callee === 'torch._utils._rebuild_tensor_v3';
  if (c.args.length < (v3 ? 7 : 4)) fail(`${name} is rebuilt by '${c.callee}' with ${c.args.length} arguments`, c.at);
  const [storageId, offsetArg, sizeArg, strideArg] = c.args;
  const storage = resolveStorage(storageId!, name, c.at, openStorage);
  let dtype = storage.dtype;
  if (v3) {
    const dtypeName = globalName(c.args[6]);
    const d = dtypeName === undefined ? undefined : TORCH_DTYPES[dtypeName.slice('torch.'.length)];
    if (d === undefined) fail(`${name} has dtype ${dtypeName ?? describe(c.args[6]!)}, which is not supported`, c.at);
    dtype = d;
  }
  const size = items(sizeArg);
  const stride = items(strideArg);
  if (size === undefined) fail(`${name} has ${describe(sizeArg!)} as its size; expected a tuple of integers`, c.at);
  if (stride === undefined) fail(`${name} has ${describe(strideArg!)} as its stride; expected a tuple of integers`, c.at);
  if (size.length !== stride.length) fail(`${name} has ${size.length} dimensions but ${stride.length} strides`, c.at);
  const entry: TensorEntry = {
    key,
    dtype,
    order,
    shape: size.map((d, i) => count(d, `dimension ${i} of ${name}`, c.at)),
    strides: stride.map((s, i) => count(s, `stride ${i} of ${name}`, c.at)),
    offset: count(offsetArg, `the storage offset of ${name}`, c.at),
    storage: storage.source,
  };
  checkBounds(entry, FORMAT);
  return entry;
}

/** A persistent id `('storage', torch.FloatStorage, '0', 'cpu', numel)` → its bytes and dtype. */
function resolveStorage(
  id: PickleValue,
  name: string,
  at: number,
  openStorage: (key: string, at: number) => ByteSource,
): { source: ByteSource; dtype: DType } {
  if (!isNode(id) || id.kind !== 'persistent') fail(`${name} has ${describe(id)} where its storage should be`, at);
  const parts = items(id.id);
  const tag = parts?.[0];
  const tagText = tag instanceof Uint8Array ? String.fromCharCode(...tag.subarray(0, 16)) : tag;
  if (parts?.length !== 5 || tagText !== 'storage') fail(`${name} has a persistent id that is not ('storage', type, key, location, numel)`, id.at);
  const [, type, key, , numel] = parts;
  const typeName = globalName(type);
  if (typeof key !== 'string') fail(`${name} has a storage key that is ${describe(key!)}, not a string`, id.at);
  const dtype = storageDType(typeName, name, id.at);
  const n = count(numel, `the storage size of ${name}`, id.at);
  const source = openStorage(key, id.at);
  const bytes = n * ITEM_SIZE[dtype];
  if (!Number.isSafeInteger(bytes) || bytes > source.size) {
    fail(`${name} needs ${n} elements of storage '${key}' (${bytes} bytes) but data/${key} holds ${source.size} bytes`, id.at);
  }
  return { source: bytes === source.size ? source : sliceSource(source, 0, bytes, source.name), dtype };
}

function storageDType(typeName: string | undefined, name: string, at: number): DType {
  if (typeName === 'torch.storage.UntypedStorage' || typeName === 'torch.UntypedStorage') return 'uint8';
  const m = typeName === undefined ? null : /^torch\.(?:cuda\.)?(\w+)Storage$/.exec(typeName);
  const dtype = m ? STORAGE_DTYPES[m[1]!] : undefined;
  if (dtype !== undefined) return dtype;
  if (m && m[1]!.startsWith('Complex')) fail(`${name} is a complex tensor (${typeName}), which is not supported`, at);
  if (m && m[1]!.startsWith('Q')) fail(`${name} is a quantized tensor (${typeName}), which is not supported; save it dequantized`, at);
  return fail(`${name} has the storage type ${typeName ?? 'missing'}, which is not supported`, at);
}
