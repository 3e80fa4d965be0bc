/**
 * The one error every reader throws. It says which format, what was expected, and where: the byte
 * offset in the file (or inside a zip member) and, when known, the member or key.
 */
export class TensorFormatError extends Error {
  readonly format: string;
  readonly offset: number | undefined;

  constructor(format: string, message: string, offset?: number) {
    super(offset === undefined ? `${format}: ${message}` : `${format}: ${message} (at byte ${offset})`);
    this.name = 'TensorFormatError';
    this.format = format;
    this.offset = offset;
  }
}
