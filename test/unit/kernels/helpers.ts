/**
 * What the fast-path tests share: operands as .npy bytes read back by the real reader, tolerant
 * comparison, the random inputs and the runtimes that cut rows at every place.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LazyArg, Runtime } from '../../../src/core/divergence/stream';
import { KlError } from '../../../src/core/errors';
import type { LazyTensor } from '../../../src/core/lazy';
import { lazyEntry } from '../../../src/host/load';
import { readNpy } from '../../../src/io/npy';
import { memorySource } from '../../../src/io/source';
import { npyBytes } from '../../helpers/io';

export type Floats = Float32Array | Float64Array;
export type Dtype = 'float32' | 'float64';

export const floatsOf = (dtype: Dtype, xs: number[]): Floats => (dtype === 'float32' ? Float32Array.from(xs) : Float64Array.from(xs));

/** The bytes of an .npy file holding the array (little-endian). */
export function npyFileBytes(data: Floats, shape: readonly number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  return npyBytes(header.padEnd(118) + '\n', new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** The bytes as an .npy file read back by the real reader, as load() sees a large file. */
export function lazyNpy(bytes: Uint8Array, label: string): LazyTensor {
  const lazy = lazyEntry(readNpy(memorySource(bytes, label)), label);
  assert.ok(lazy.raw, 'little-endian float arrays are open to the kernels');
  return lazy;
}

/** The array as an .npy file read back by the real reader. */
export const npyLazy = (data: Floats, shape: readonly number[], label: string): LazyTensor => lazyNpy(npyFileBytes(data, shape), label);

export const arg = (role: string, lazy: LazyTensor): LazyArg => ({ role, text: role.toLowerCase(), span: undefined, lazy });

/**
 * Within rtol of the reference, or within ATOL: the one-pass identities add terms such as
 * log(Σq/Σp) and A/Σp, each of order 1, so a value near 0 is off by a few ulp of 1, not of itself.
 */
const ATOL = 1e-14;

export function close(got: number, want: number, rtol: number, what: string): void {
  if (got === want) return;
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want) + ATOL, `${what}: ${got} vs ${want}`);
}

export function closeArrays(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < want.length; i++) close(got[i]!, want[i]!, rtol, `${what}[${i}]`);
}

/** The message of the KlError that fn throws. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KlError, `a KlError, not ${String(e)}`);
    return e.message;
  }
  assert.fail('expected an error');
}

/** Random weights with some exact zeros, tiny and huge values (not so far apart that normalizing underflows). */
export const weights = (length: number, kinds: { zeros?: boolean; extreme?: boolean } = {}) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 10, noNaN: true }) },
      { weight: kinds.zeros ? 1 : 0, arbitrary: fc.constant(0) },
      { weight: kinds.extreme ? 1 : 0, arbitrary: fc.constantFrom(1e-40, 1e-200, 1e30) },
    ),
    { minLength: length, maxLength: length },
  );

export const RUNTIMES: Runtime[] = [
  {},
  { chunkElements: 6, pieceElements: 10 },
  { chunkElements: 7, pieceElements: 7 },
  { chunkElements: 5, pieceElements: 64 },
];

/**
 * One to four rows of odd and even lengths for p and q (each row with mass, so it can be
 * normalized), the shape they are stored in, one of RUNTIMES and normalize on or off.
 */
export const randomRows = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 23 }))
  .chain(([rows, n]) => fc.record({ rows: fc.constant(rows), n: fc.constant(n), a: weights(rows * n), b: weights(rows * n), r: fc.integer({ min: 0, max: RUNTIMES.length - 1 }), normalize: fc.boolean() }))
  .map(({ rows, n, a, b, r, normalize }) => {
    for (let i = 0; i < rows; i++) {
      a[i * n] = 1 + a[i * n]!;
      b[i * n] = 1 + b[i * n]!;
    }
    return { a, b, shape: rows === 1 ? [n] : [rows, n], runtime: RUNTIMES[r]!, normalize };
  });

/** Nine entries of p and of q drawn from 0, subnormals of the dtype and a few ordinary values. */
export function subnormalPair(dtype: Dtype): [fc.Arbitrary<number[]>, fc.Arbitrary<number[]>] {
  const tiny = dtype === 'float32' ? 1e-45 : 5e-324;
  return [fc.array(fc.constantFrom(0, tiny, 2 * tiny, 1e-3, 0.5), { minLength: 9, maxLength: 9 }), fc.array(fc.constantFrom(0, tiny, 3 * tiny, 1e-3, 0.25), { minLength: 9, maxLength: 9 })];
}

/** Entries that are not probabilities, put at flat index 23 of a [2, 20] operand, and what the error says after "argument X ". */
export const BAD_ENTRIES = [
  ['NaN', NaN, 'has NaN at index \\[1, 3\\]'],
  ['a negative entry', -0.5, 'has a negative entry -0\\.5 at index \\[1, 3\\]; probabilities must be ≥ 0'],
  ['an infinite entry', Infinity, 'has an infinite entry at index \\[1, 3\\]'],
] as const;

/** Logits from a fixed linear congruential sequence: each call continues where the last one stopped. */
export function logitSequence(seed: number, scale: number): (length: number) => Float32Array {
  let s = seed;
  return (length) =>
    Float32Array.from({ length }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s / 2147483648 - 0.5) * scale;
    });
}
