import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../../src/io/inspect';
import { readNpy } from '../../../src/io/npy';
import { memorySource } from '../../../src/io/source';
import { npyBytes } from '../../helpers/io';

/** A little-endian .npy of `dtype` ('<f2' bit patterns, or '<f8' / '<i4' values) and `shape`. */
function npy(dtype: '<f2' | '<f8' | '<i4', shape: readonly number[], values: readonly number[]): Uint8Array {
  const size = { '<f2': 2, '<f8': 8, '<i4': 4 }[dtype];
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => (dtype === '<f2' ? view.setUint16(2 * i, v, true) : dtype === '<f8' ? view.setFloat64(8 * i, v, true) : view.setInt32(4 * i, v, true)));
  const header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  return npyBytes(header, new Uint8Array(view.buffer));
}

const stats = (bytes: Uint8Array) => summarize(readNpy(memorySource(bytes, 'x.npy'))).stats!;

// float16 bit patterns: 0x3555 is the half nearest 1/3 (0.333251953125), 0x3800 = 0.5, 0x3400 = 0.25.
const THIRD = 0.333251953125;

describe('summarize', () => {
  it("judges rows by the file's dtype: a float16 softmax is a distribution, the same values in float64 are not", () => {
    const half = stats(npy('<f2', [2, 3], [0x3555, 0x3555, 0x3555, 0x3800, 0x3400, 0x3400]));
    assert.equal(half.looksLike, 'distribution');
    assert.deepEqual([half.min, half.max, half.sum], [0.25, 0.5, 3 * THIRD + 1]);
    const double = stats(npy('<f8', [2, 3], [THIRD, THIRD, THIRD, 0.5, 0.25, 0.25]));
    assert.equal(double.looksLike, 'counts');
  });

  it('reads integer files exactly: one-hot rows are distributions', () => {
    assert.equal(stats(npy('<i4', [2, 2], [0, 1, 1, 0])).looksLike, 'distribution');
    assert.equal(stats(npy('<i4', [2, 2], [3, 1, 1, 0])).looksLike, 'counts');
  });

  it('names the NaN that makes a tensor invalid', () => {
    const s = stats(npy('<f8', [2, 2], [0.5, 0.5, NaN, 1]));
    assert.equal(s.looksLike, 'invalid');
    assert.equal(s.problem, 'NaN at index [1, 0]');
  });
});
