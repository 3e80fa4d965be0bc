/**
 * The files `kl-lens lint` reads: `.py` and `.ipynb` files named on the command line or found
 * under folders (skipping the folders tools and environments keep: `.git`, `.venv`,
 * `node_modules`, ...). Only regular files are opened — a FIFO would block — and binary, huge
 * or undecodable files are skipped with a note.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Larger files are generated code or data, not training loops. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const SKIPPED_FOLDERS = new Set([
  '.git', '.hg', '.svn', '.bzr', '.venv', 'venv', '.env', '.tox', '.nox', '.eggs', '.mypy_cache', '.pytest_cache',
  '.ruff_cache', '__pycache__', '__pypackages__', 'node_modules', 'site-packages', '.ipynb_checkpoints', 'build', 'dist', '_build', 'buck-out',
]);

export type FileKind = 'python' | 'notebook';

export interface Found {
  readonly path: string;
  readonly kind: FileKind;
}

export interface Problem {
  readonly path: string;
  readonly message: string;
}

export function kindOf(path: string): FileKind | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.py' || ext === '.pyi' ? 'python' : ext === '.ipynb' ? 'notebook' : undefined;
}

/**
 * The files to lint under `paths`, in a stable order, with the paths that could not be read
 * (errors) and the ones passed over (notes).
 */
export function discover(paths: readonly string[]): { files: Found[]; errors: Problem[]; notes: Problem[] } {
  const files: Found[] = [];
  const errors: Problem[] = [];
  const notes: Problem[] = [];
  const seen = new Set<string>();
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: dir, message: describeIo(e) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      // Symbolic links are not followed inside folders: they can loop, or leave the tree.
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.isFile()) {
        const kind = kindOf(path);
        if (kind && !seen.has(path)) {
          seen.add(path);
          files.push({ path, kind });
        }
      }
    }
  };
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch (e) {
      errors.push({ path: p, message: describeIo(e) });
      continue;
    }
    if (stat.isDirectory()) walk(p);
    else if (stat.isFile()) {
      const kind = kindOf(p);
      if (!kind) notes.push({ path: p, message: 'skipped: not a .py or .ipynb file' });
      else if (!seen.has(p)) {
        seen.add(p);
        files.push({ path: p, kind });
      }
    } else errors.push({ path: p, message: 'not a regular file or folder' });
  }
  return { files, errors, notes };
}

export type Read = { readonly text: string; readonly encoding: 'utf-8' | string } | { readonly skip: string } | { readonly error: string };

/** The text of a file to lint, or why it is skipped (binary, too large, not text) or unreadable. */
export function readSource(path: string): Read {
  let fd: number | undefined;
  try {
    // Followed through a symbolic link: a FIFO or a device would block or never end.
    const stat = statSync(path);
    if (!stat.isFile()) return { error: 'not a regular file' };
    const size = stat.size;
    if (size > MAX_FILE_BYTES) return { skip: `skipped: ${(size / 1024 / 1024).toFixed(1)} MiB is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit` };
    fd = openSync(path, 'r');
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return decode(bytes.subarray(0, read));
  } catch (e) {
    return { error: describeIo(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Bytes to text: UTF-8 (with or without a BOM), or the encoding a PEP 263 `# -*- coding: X -*-`
 * line in the first two lines declares. A NUL byte means a binary file.
 */
export function decode(bytes: Uint8Array): Read {
  if (bytes.subarray(0, 8192).includes(0)) return { skip: 'skipped: binary file' };
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const head = Buffer.from(bytes.subarray(start, Math.min(bytes.length, start + 512))).toString('latin1');
  const declared = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head.split('\n').slice(0, 2).join('\n'))?.[1]?.toLowerCase();
  const encoding = declared && !['utf-8', 'utf8', 'utf_8'].includes(declared) ? declared : 'utf-8';
  try {
    return { text: new TextDecoder(whatwgLabel(encoding), { fatal: true }).decode(bytes.subarray(start)), encoding };
  } catch {
    return { skip: encoding === 'utf-8' ? 'skipped: not valid UTF-8' : `skipped: cannot decode as ${encoding}` };
  }
}

/** Python's codec names as the WHATWG labels TextDecoder knows: latin-1 → latin1, cp1252 → windows-1252. */
function whatwgLabel(codec: string): string {
  const c = codec.replace(/_/g, '-');
  if (['latin-1', 'latin', 'l1', 'iso8859-1', '8859', 'cp819'].includes(c)) return 'latin1';
  const cp = /^cp(\d+)$/.exec(c);
  if (cp && cp[1]!.startsWith('125')) return `windows-${cp[1]}`;
  return c;
}

function describeIo(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or folder';
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  return err?.message ?? String(e);
}
