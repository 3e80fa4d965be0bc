/**
 * Files as ByteSources for the Node side (CLI, extension host, workers): positioned reads of just
 * the requested range, so a 4 GB file is never read whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { TensorFormatError } from '../io/errors';
import { type ByteSource, checkRange } from '../io/source';

export interface FileSource extends ByteSource {
  close(): void;
}

export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new TensorFormatError(basename(path), 'is not a regular file');
  }
  let open = true;
  const source: FileSource = {
    size: stat.size,
    name: basename(path),
    read(offset, length) {
      // A fresh Uint8Array starts at byte 0 of its buffer, so typed views over it are aligned.
      const out = new Uint8Array(length);
      source.readInto!(offset, out);
      return out;
    },
    readInto(offset, out) {
      const length = out.length;
      checkRange(source, offset, length, 'read');
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new TensorFormatError(source.name, `file ended at byte ${offset + done} while reading ${length} bytes; was it truncated while open?`, offset + done);
        done += n;
      }
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
  return source;
}
