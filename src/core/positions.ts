/**
 * Offsets into source text as the 1-based line and column people read: columns count code
 * points (as `lineColumn` does for KL programs), so a line with `é` or `😀` is not off by one.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** 1-based line and column of a UTF-16 offset. */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.source.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    let column = 1;
    for (let i = start; i < o; i++) {
      const c = this.source.charCodeAt(i);
      // The second half of a surrogate pair is the same code point.
      if (c < 0xdc00 || c > 0xdfff || i === start) column++;
    }
    return { line: lo + 1, column };
  }
}
