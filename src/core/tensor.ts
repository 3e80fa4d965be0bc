/**
 * The dense float64 array every computation works on: a flat row-major buffer and a shape.
 * A scalar has shape `[]` and one element.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export type Nested = number | Nested[];

export function scalar(x: number): Tensor {
  return { shape: [], data: Float64Array.of(x) };
}

export function tensor(shape: readonly number[], data: Float64Array): Tensor {
  return { shape: [...shape], data };
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isScalar(t: Tensor): boolean {
  return t.shape.length === 0;
}

/** Length of the last axis (1 for a scalar). */
export function lastDim(t: Tensor): number {
  return t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Multi-index of a flat row-major offset, for messages that point at an element. */
export function unravel(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis]!;
    index[axis] = offset % d;
    offset = Math.floor(offset / d);
  }
  return index;
}

export function indexString(offset: number, shape: readonly number[]): string {
  return shape.length <= 1 ? String(offset) : shapeString(unravel(offset, shape));
}

export function toNested(t: Tensor): Nested {
  if (t.shape.length === 0) return t.data[0]!;
  const build = (axis: number, offset: number): Nested[] => {
    const d = t.shape[axis]!;
    if (axis === t.shape.length - 1) return Array.from(t.data.subarray(offset, offset + d));
    const stride = size(t.shape.slice(axis + 1));
    return Array.from({ length: d }, (_, i) => build(axis + 1, offset + i * stride));
  };
  return build(0, 0);
}

/**
 * NumPy broadcasting of two shapes; undefined when they are incompatible.
 * @example broadcastShapes([2, 3], [3]) // [2, 3]
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Materialises `t` at a broadcast-compatible larger shape (returns `t` itself when already there). */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const out = new Float64Array(size(shape));
  const rank = shape.length;
  const src = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
  // Source stride per output axis; 0 where the source axis is broadcast.
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    strides[axis] = src[axis] === 1 ? 0 : stride;
    stride *= src[axis]!;
  }
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = t.data[from]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      from += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      from -= strides[axis]! * index[axis]!;
      index[axis] = 0;
    }
  }
  return { shape: [...shape], data: out };
}

/** Element-wise `f(a, b)` with NumPy broadcasting; undefined when the shapes are incompatible. */
export function zipWith(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor | undefined {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) return undefined;
  const x = broadcastTo(a, shape).data;
  const y = broadcastTo(b, shape).data;
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, y[i]!);
  return { shape, data: out };
}

export function map(t: Tensor, f: (x: number) => number): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(t.data[i]!);
  return { shape: [...t.shape], data: out };
}

/** The rows of a tensor along its last axis, as views. A scalar or 1-D tensor is one row. */
export function rowCount(t: Tensor): number {
  return t.shape.length === 0 ? 1 : size(t.shape.slice(0, -1));
}

export function row(t: Tensor, i: number): Float64Array {
  const n = lastDim(t);
  return t.data.subarray(i * n, (i + 1) * n);
}
