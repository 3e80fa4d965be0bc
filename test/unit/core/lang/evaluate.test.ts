import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProgram, type Value } from '../../../../src/core/index';
import { errorOf, num, run, value } from '../../../helpers/values';

describe('evaluate', () => {
  it('does element-wise arithmetic with scalar and NumPy broadcasting', () => {
    assert.deepEqual(value('[1, 2, 3] * 2 + 1'), [3, 5, 7]);
    assert.deepEqual(value('[[1, 2], [3, 4]] - [10, 20]'), [[-9, -18], [-7, -16]]);
    assert.deepEqual(value('2 ^ [1, 2, 3]'), [2, 4, 8]);
    assert.deepEqual(value('-[1, -2]'), [-1, 2]);
    assert.deepEqual(value('[1, 2] / [4, 8]'), [0.25, 0.25]);
    assert.equal(num('-2^2'), -4);
    assert.equal(num('2 ** 10'), 1024);
  });

  it('stacks nested arrays like np.array, including named rows', () => {
    assert.deepEqual(value('p = [1, 2]; q = [3, 4]; [p, q]'), [[1, 2], [3, 4]]);
    assert.deepEqual(value('[[[1], [2]], [[3], [4]]]'), [[[1], [2]], [[3], [4]]]);
    assert.deepEqual(value('[1/4, 3/4]'), [0.25, 0.75]);
  });

  it('keeps variables across statements and returns the last value', () => {
    assert.equal(num('a = 2\nb = a * 3\nb + 1'), 7);
    assert.equal(num('a = 2'), 2);
    const env = new Map<string, Value>();
    evaluateProgram('x = [0.5, 0.5]', { env });
    assert.equal(num('KL(x || x)', { env }), 0);
  });

  it('lets assignments shadow constants', () => {
    assert.equal(num('e'), Math.E);
    assert.equal(num('e = 3; e'), 3);
  });

  it('uses computed quantities as numbers in arithmetic', () => {
    const kl = num('KL([0.5, 0.5] || [0.9, 0.1])');
    assert.equal(num('2 * KL([0.5, 0.5] || [0.9, 0.1])'), 2 * kl);
  });

  it('returns strings, booleans and Gaussians as values', () => {
    assert.deepEqual(run('"bits"'), { type: 'string', value: 'bits' });
    assert.deepEqual(run('true'), { type: 'bool', value: true });
    assert.equal(run('N(0, 1)').type, 'gaussian');
  });

  it('returns undefined for an empty program', () => {
    assert.equal(evaluateProgram('# nothing\n\n').value, undefined);
  });

  it('reports evaluation errors at the offending span', () => {
    const src = 'p = [0.5, 0.5]\nKL(p || r)';
    const e = errorOf(() => evaluateProgram(src));
    assert.equal(e.message, "undefined name 'r'");
    assert.deepEqual(e.span, { start: 23, end: 24 });
    assert.match(errorOf(() => evaluateProgram('logits = 1; KL([1] || logit)')).message, /undefined name 'logit' \(did you mean 'logits'\?\)/);
    assert.match(errorOf(() => evaluateProgram('kl([1] || [1])')).message, /unknown function 'kl' \(did you mean 'KL'\?\)/);
    assert.match(errorOf(() => evaluateProgram('[1, 2] + [1, 2, 3]')).message, /cannot broadcast shapes \[2\] and \[3\] for '\+'/);
    assert.match(errorOf(() => evaluateProgram('[[1, 2], [3]]')).message, /ragged array: entry 2 is shape \[1\] but entry 1 is shape \[2\]/);
    assert.match(errorOf(() => evaluateProgram('[1, [2]]')).message, /ragged array/);
    assert.match(errorOf(() => evaluateProgram('"a" + 1')).message, /left operand of '\+' must be numbers, got a string/);
    assert.match(errorOf(() => evaluateProgram('N(0,1) * 2')).message, /must be numbers, got a Gaussian/);
    assert.match(errorOf(() => evaluateProgram('KL')).message, /'KL' is a function; call it as KL\(P \|\| Q/);
  });

  it('checks arguments by name: unknown options, missing and surplus arguments, ||', () => {
    const msg = (src: string): string => errorOf(() => evaluateProgram(src)).message;
    assert.match(msg('KL([1] || [1], bse=2)'), /^KL: unknown option 'bse' \(did you mean 'base'\?\)/);
    assert.match(msg('KL([1])'), /^KL: missing argument Q/);
    assert.match(msg('H([1], [1], [1])'), /^H: base must be a number > 0/);
    assert.match(msg('TV([1], [1], [1], [1], [1])'), /^TV takes at most 4 positional arguments but 5 were given/);
    assert.match(msg('softmax([1] || [2])'), /^softmax does not take two distributions/);
    assert.match(msg('KL([1] || [1], reduction="batch")'), /reduction must be one of "none", "sum", "mean", "batchmean", got "batch" \(did you mean "?batchmean"?\?\)|did you mean 'batchmean'/);
    assert.match(msg('KL([1] || [1], base=1)'), /base must be a number > 0 other than 1/);
    assert.match(msg('KL([1] || [1], base="furlongs")'), /base must be/);
    assert.match(msg('KL([1] || [1], normalize=1)'), /normalize must be true or false/);
    assert.match(msg('softmax([1, 2], T=0)'), /T must be a positive number, got 0/);
    assert.match(msg('KL(p=[1], Q=[1])'), /KL: unknown option 'p' \(did you mean 'P'\?\)/);
  });

  it('accepts keyword forms of the distributions', () => {
    assert.equal(num('KL(P=[0.5, 0.5], Q=[0.5, 0.5])'), 0);
  });
});
