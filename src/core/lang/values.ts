import { KlError, type Span } from '../errors';
import { materialize } from '../lazy';
import type { Value } from '../result';
import { isScalar, shapeString, type Tensor } from '../tensor';

/** What a value is, for messages: "a 3-vector", "a Gaussian", "a string". */
export function describeValue(v: Value): string {
  switch (v.type) {
    case 'tensor':
      return isScalar(v.tensor) ? 'a number' : v.tensor.shape.length === 1 ? `an array of ${v.tensor.shape[0]}` : `an array of shape ${shapeString(v.tensor.shape)}`;
    case 'string':
      return 'a string';
    case 'bool':
      return 'a boolean';
    case 'gaussian':
      return 'a Gaussian';
    case 'result':
      return `the result of ${v.result.label}`;
    case 'lazy':
      return `the ${v.lazy.dtype} tensor ${v.lazy.label} of shape ${shapeString(v.lazy.shape)}`;
  }
}

/** The numbers in a value: tensors as they are, a computed quantity by its value. */
export function tensorOf(v: Value, span?: Span, what?: string): Tensor | undefined {
  if (v.type === 'tensor') return v.tensor;
  if (v.type === 'lazy') return materialize(v.lazy, what ?? 'the tensor', span);
  if (v.type === 'result') return v.result.value;
  if (v.type === 'bool') return { shape: [], data: Float64Array.of(v.value ? 1 : 0) };
  return undefined;
}

export function expectTensor(v: Value, what: string, span: Span | undefined): Tensor {
  const t = tensorOf(v, span, what);
  if (!t || v.type === 'bool') throw new KlError('evaluation', `${what} must be numbers, got ${describeValue(v)}`, span);
  return t;
}

export function tensorValue(tensor: Tensor): Value {
  return { type: 'tensor', tensor };
}
