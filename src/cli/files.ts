/** Binding `--var NAME=PATH[#KEY]` to tensors in files. */
import { extname } from 'node:path';
import type { Tensor } from '../core/tensor';
import { CliError } from './args';

export class FileError extends CliError {}

export function loadTensor(path: string, _key: string | undefined): Tensor {
  const ext = extname(path).toLowerCase() || '(none)';
  throw new FileError(`unsupported file type '${ext}' for ${path}`);
}
