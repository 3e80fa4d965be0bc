/**
 * Binding tensors in files to names: `--var p=PATH#KEY` in the CLI and `load("PATH", "KEY")` in the
 * language, with relative paths resolved against a base folder (the current directory, or the
 * workspace / notebook / .kl file's folder in the editor).
 */
import { basename, isAbsolute, resolve } from 'node:path';
import { TERMS_LIMIT } from '../core/divergence/rowwise';
import type { LazyTensor } from '../core/lazy';
import type { Builtin } from '../core/lang/builtins';
import { KlError } from '../core/errors';
import type { Value } from '../core/result';
import { entrySize, rawElements, readElements, readTensor, type TensorEntry } from '../io/entry';
import { TensorFormatError } from '../io/errors';
import { openTensorFile, selectEntry } from '../io/open';
import { memorySource } from '../io/source';
import { type FileSource, openFileSource } from './fileSource';

/** Tensors up to this many elements are read into memory; larger ones stay in the file and stream. */
export const LOAD_IN_MEMORY_LIMIT = TERMS_LIMIT;

export class FileLoader {
  private readonly open: FileSource[] = [];
  /** Absolute paths of every file read, so a view can re-evaluate when one changes. */
  readonly paths = new Set<string>();

  /**
   * @param preloaded bytes of files already read elsewhere (the editor's virtual file systems),
   *   keyed by the path as written in the program or by its absolute form.
   */
  constructor(
    readonly baseDir: string,
    private readonly preloaded: Readonly<Record<string, Uint8Array>> = {},
  ) {}

  /** `PATH` or `PATH#KEY` → the tensor as a value (in memory, or lazy when large). */
  loadSpec(spec: string): Value {
    const hash = spec.lastIndexOf('#');
    return hash >= 0 ? this.load(spec.slice(0, hash), spec.slice(hash + 1)) : this.load(spec, undefined);
  }

  load(path: string, key: string | undefined): Value {
    const full = isAbsolute(path) ? path : resolve(this.baseDir, path);
    this.paths.add(full);
    const bytes = this.preloaded[path] ?? this.preloaded[full];
    if (bytes) {
      const file = openTensorFile(memorySource(bytes, basename(path)));
      return valueOf(selectEntry(file, key, path), key ? `${path}#${key}` : path);
    }
    let source: FileSource;
    try {
      source = openFileSource(full);
    } catch (e) {
      if (e instanceof TensorFormatError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
      throw new TensorFormatError(path, why);
    }
    this.open.push(source);
    const file = openTensorFile(source);
    const entry = selectEntry(file, key, path);
    const locator: FileLocator = { path: full, ...(key !== undefined ? { key } : {}) };
    return valueOf(entry, key ? `${path}#${key}` : path, locator);
  }

  close(): void {
    for (const s of this.open.splice(0)) s.close();
  }

  /** The `load("PATH", "KEY")` function of the language, resolving against this loader's folder. */
  builtin(): Builtin {
    return {
      spec: {
        name: 'load',
        params: [{ name: 'path' }, { name: 'key', optional: true }],
        usage: 'load("PATH", "KEY")',
        summary: 'a tensor from a .npy/.npz/.safetensors/.pt/.csv/.json file (KEY picks one in a container)',
      },
      call: (args) => {
        const path = args.required('path');
        const key = args.get('key');
        if (path.value.type !== 'string') return args.fail('path', `path must be a string, e.g. load("logits.npy")`);
        if (key && key.value.type !== 'string') return args.fail('key', 'key must be a string, e.g. load("ckpt.pt", "model.fc.weight")');
        const pathText = path.value.value;
        try {
          return this.load(pathText, key?.value.type === 'string' ? key.value.value : undefined);
        } catch (e) {
          if (e instanceof TensorFormatError) throw new KlError('evaluation', `load: ${e.message}`, path.span);
          throw e;
        }
      },
    };
  }
}

/** Where a kernel thread finds a file-backed tensor again (kernelWorker.ts opens it by this). */
export interface FileLocator {
  readonly path: string;
  readonly key?: string;
}

/** A tensor of a file at `locator.path` (absolute), as the kernel threads open it. */
export function openLocated(locator: FileLocator): { entry: TensorEntry; source: FileSource } {
  const source = openFileSource(locator.path);
  try {
    return { entry: selectEntry(openTensorFile(source), locator.key, locator.path), source };
  } catch (e) {
    source.close();
    throw e;
  }
}

export function valueOf(entry: TensorEntry, label: string, locator?: FileLocator): Value {
  const n = entrySize(entry);
  if (n <= LOAD_IN_MEMORY_LIMIT) return { type: 'tensor', tensor: readTensor(entry) };
  return { type: 'lazy', lazy: lazyEntry(entry, label, locator) };
}

/** A tensor in a file as a LazyTensor, with its stored bytes open to kernels where they can read them. */
export function lazyEntry(entry: TensorEntry, label: string, locator?: FileLocator): LazyTensor {
  const raw = rawElements(entry);
  return {
    shape: entry.shape,
    label,
    dtype: entry.dtype,
    read: (start, count, out) => readElements(entry, start, count, out),
    ...(raw ? { raw: { ...raw, ...(locator ? { locator } : {}) } } : {}),
  };
}
