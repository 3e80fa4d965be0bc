/**
 * The functions of the language: each one binds its arguments and calls the core. Names are
 * case-sensitive, as written in the reference.
 */
import { crossEntropy, entropy } from '../divergence/entropy';
import { hellinger, totalVariation } from '../divergence/distances';
import { jeffreys } from '../divergence/jeffreys';
import { js } from '../divergence/js';
import { kl } from '../divergence/kl';
import { mutualInformation } from '../divergence/mi';
import { wasserstein1 } from '../divergence/w1';
import { type Arg, checkProbabilities, normalizeRows } from '../divergence/operands';
import type { MeasureOptions } from '../divergence/options';
import { gaussianEntropy } from '../gaussian/entropy';
import { gaussianFromScale, gaussianFromVariance, type Gaussian } from '../gaussian/gaussian';
import { gaussianJeffreys, gaussianKl } from '../gaussian/kl';
import { distill, streamDistill } from '../ml/distill';
import { streamMeasure, type StreamMeasure } from '../divergence/stream';
import { TERMS_LIMIT } from '../divergence/rowwise';
import { lazyLogSoftmax, lazySoftmax } from '../lazy';
import { ESTIMATOR_NAMES, estimate } from '../ml/estimators';
import { logSoftmax, softmax } from '../ml/softmax';
import { vaeKl } from '../ml/vae';
import { sum } from '../numeric/sum';
import type { Estimator, Result, Value } from '../result';
import { map, type Tensor } from '../tensor';
import { NATS, unitForBase } from '../units';
import { type CallArgs, type FunctionSpec } from './bind';
import { describeValue, tensorValue } from './values';

export interface Builtin {
  readonly spec: FunctionSpec;
  readonly call: (args: CallArgs) => Value;
}

const OPTIONS = [{ name: 'base', optional: true }, { name: 'reduction', optional: true }, { name: 'normalize', optional: true }];
const PQ = [{ name: 'P' }, { name: 'Q' }];

function result(r: Result): Value {
  return { type: 'result', result: r };
}

function measureOptions(args: CallArgs, withBase = true): MeasureOptions {
  const base = withBase ? args.base() : undefined;
  const reduction = args.reduction();
  return {
    ...(base !== undefined ? { base } : {}),
    ...(reduction ? { reduction } : {}),
    normalize: args.bool('normalize', true),
    span: args.call.span,
  };
}

/** Inputs above this many elements that come from files are streamed instead of loaded. */
const STREAM_THRESHOLD = TERMS_LIMIT;

/** Streams the measure when an operand is a large file-backed tensor; undefined otherwise. */
function streamed(measure: StreamMeasure, args: CallArgs, pair: boolean): Value | undefined {
  const big = args.lazyArg('P', STREAM_THRESHOLD) ?? (pair ? args.lazyArg('Q', STREAM_THRESHOLD) : undefined);
  if (!big) return undefined;
  const unitless = measure === 'TV' || measure === 'Hellinger';
  return result(streamMeasure(measure, args.asLazy('P'), pair ? args.asLazy('Q') : undefined, measureOptions(args, !unitless), args.runtime));
}

function gaussianOf(args: CallArgs, name: string): Gaussian | undefined {
  const v = args.get(name)?.value;
  return v?.type === 'gaussian' ? v.gaussian : undefined;
}

/** Gaussians on both sides, or neither: a Gaussian has no probability vector to compare. */
function gaussianPair(args: CallArgs): [Gaussian, Gaussian] | undefined {
  const p = gaussianOf(args, 'P');
  const q = gaussianOf(args, 'Q');
  if (!p && !q) return undefined;
  if (p && q) {
    if (args.has('normalize')) args.fail('normalize', 'normalize= applies to discrete distributions, not Gaussians');
    return [p, q];
  }
  const [g, other] = p ? ['P', 'Q'] : ['Q', 'P'];
  return args.fail(other, `${g} is a Gaussian but ${other} is ${describeValue(args.required(other).value)}; compare a Gaussian with a Gaussian`);
}

function gaussianOptions(args: CallArgs): { unit: ReturnType<typeof unitForBase>; reduction?: ReturnType<CallArgs['reduction']> & {}; span: CallArgs['call']['span'] } {
  const base = args.base();
  const reduction = args.reduction();
  return { unit: base === undefined ? NATS : unitForBase(base), ...(reduction ? { reduction } : {}), span: args.call.span };
}

function discreteOnly(args: CallArgs): void {
  for (const name of ['P', 'Q', 'J']) {
    if (args.get(name)?.value.type === 'gaussian') {
      args.fail(name, `has no closed form for Gaussians; use KL, Jeffreys or H with N(...) / Normal(...)`);
    }
  }
}

function unitOf(args: CallArgs): ReturnType<typeof unitForBase> {
  const base = args.base();
  return base === undefined ? NATS : unitForBase(base);
}

function elementwise(name: string, usage: string, summary: string, f: (x: number) => number): Builtin {
  return {
    spec: { name, params: [{ name: 'X' }], usage, summary },
    call: (args) => tensorValue(map(args.tensor('X'), f)),
  };
}

function reduceAll(name: string, summary: string, f: (t: Tensor) => number): Builtin {
  return {
    spec: { name, params: [{ name: 'X' }], usage: `${name}(X)`, summary },
    call: (args) => {
      const t = args.tensor('X');
      if (t.data.length === 0) args.fail('X', `${name} of an empty array`);
      return tensorValue({ shape: [], data: Float64Array.of(f(t)) });
    },
  };
}

function estimatorBuiltin(k: Estimator, summary: string): Builtin {
  return {
    spec: {
      name: k,
      params: [{ name: 'logp' }, { name: 'logq' }, { name: 'base', optional: true }, { name: 'reduction', optional: true }],
      usage: `${k}(logp, logq, reduction="none")`,
      summary,
    },
    call: (args) => {
      const reduction = args.reduction();
      return result(
        estimate(k, k, args.tensorArg('logp'), args.tensorArg('logq'), {
          unit: unitOf(args),
          ...(reduction ? { reduction } : {}),
          span: args.call.span,
        }),
      );
    },
  };
}

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  KL: {
    spec: { name: 'KL', params: [...PQ, ...OPTIONS], bars: true, usage: 'KL(P || Q, base=e, reduction="none", normalize=true)', summary: 'Kullback–Leibler divergence Σ p log(p/q); Gaussians in closed form' },
    call: (args) => {
      const pair = gaussianPair(args);
      if (pair) return result(gaussianKl(pair[0], pair[1], gaussianOptions(args)));
      return streamed('KL', args, true) ?? result(kl(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args)));
    },
  },
  JS: {
    spec: { name: 'JS', params: [...PQ, ...OPTIONS], bars: true, usage: 'JS(P, Q, base=e)', summary: 'Jensen–Shannon divergence ½KL(P‖M) + ½KL(Q‖M), M = (P+Q)/2 (not the square-root distance)' },
    call: (args) => {
      discreteOnly(args);
      return streamed('JS', args, true) ?? result(js(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args)));
    },
  },
  H: {
    spec: { name: 'H', params: [{ name: 'P' }, { name: 'Q', optional: true }, ...OPTIONS], bars: true, usage: 'H(P) or H(P, Q)', summary: 'entropy −Σ p log p; with Q the cross-entropy −Σ p log q' },
    call: (args) => entropyCall(args),
  },
  CE: {
    spec: { name: 'CE', params: [...PQ, ...OPTIONS], bars: true, usage: 'CE(P, Q)', summary: 'cross-entropy −Σ p log q = H(P) + KL(P‖Q)' },
    call: (args) => entropyCall(args),
  },
  Jeffreys: {
    spec: { name: 'Jeffreys', params: [...PQ, ...OPTIONS], bars: true, usage: 'Jeffreys(P, Q)', summary: 'symmetrised KL: KL(P‖Q) + KL(Q‖P)' },
    call: (args) => {
      const pair = gaussianPair(args);
      if (pair) return result(gaussianJeffreys(pair[0], pair[1], gaussianOptions(args)));
      return streamed('Jeffreys', args, true) ?? result(jeffreys(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args)));
    },
  },
  TV: {
    spec: { name: 'TV', params: [...PQ, OPTIONS[1]!, OPTIONS[2]!], bars: true, usage: 'TV(P, Q)', summary: 'total variation distance ½Σ|p − q|' },
    call: (args) => {
      discreteOnly(args);
      return streamed('TV', args, true) ?? result(totalVariation(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args, false)));
    },
  },
  Hellinger: {
    spec: { name: 'Hellinger', params: [...PQ, OPTIONS[1]!, OPTIONS[2]!], bars: true, usage: 'Hellinger(P, Q)', summary: 'Hellinger distance √(½Σ(√p − √q)²)' },
    call: (args) => {
      discreteOnly(args);
      return streamed('Hellinger', args, true) ?? result(hellinger(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args, false)));
    },
  },
  W1: {
    spec: { name: 'W1', params: [...PQ, OPTIONS[1]!, OPTIONS[2]!], bars: true, usage: 'W1(P, Q)', summary: '1-D Wasserstein-1 distance over positions 0..n−1' },
    call: (args) => {
      discreteOnly(args);
      return result(wasserstein1Call(args));
    },
  },
  MI: {
    spec: { name: 'MI', params: [{ name: 'J' }, OPTIONS[0]!, OPTIONS[2]!], usage: 'MI(J, base=e)', summary: 'mutual information of a 2-D joint table: KL(J ‖ rowsums ⊗ colsums)' },
    call: (args) => {
      discreteOnly(args);
      return result(mutualInformation(args.tensorArg('J'), measureOptions(args)));
    },
  },
  softmax: {
    spec: { name: 'softmax', params: [{ name: 'X' }, { name: 'T', optional: true }], usage: 'softmax(X, T=1)', summary: 'softmax along the last axis with temperature T' },
    call: (args) => {
      const T = args.positive('T', 1);
      const big = args.lazyArg('X', STREAM_THRESHOLD);
      if (big) return { type: 'lazy', lazy: lazySoftmax(big.lazy, T, args.text) };
      return tensorValue(softmax(logitsOf(args), T));
    },
  },
  log_softmax: {
    spec: { name: 'log_softmax', params: [{ name: 'X' }, { name: 'T', optional: true }], usage: 'log_softmax(X, T=1)', summary: 'log-softmax along the last axis with temperature T' },
    call: (args) => {
      const T = args.positive('T', 1);
      const big = args.lazyArg('X', STREAM_THRESHOLD);
      if (big) return { type: 'lazy', lazy: lazyLogSoftmax(big.lazy, T, args.text) };
      return tensorValue(logSoftmax(logitsOf(args), T));
    },
  },
  N: {
    spec: { name: 'N', params: [{ name: 'mu' }, { name: 'var' }], usage: 'N(mu, var)', summary: 'Gaussian by variance: scalar, vector (diagonal) or matrix (full covariance)' },
    call: (args) => {
      const mu = args.required('mu');
      const v = args.required('var');
      const g = gaussianFromVariance(
        { name: 'mu', tensor: args.tensor('mu'), span: mu.span },
        { name: 'var', tensor: args.tensor('var'), span: v.span },
        args.text,
      );
      return { type: 'gaussian', gaussian: g };
    },
  },
  Normal: {
    spec: { name: 'Normal', params: [{ name: 'loc' }, { name: 'scale' }], usage: 'Normal(loc, scale)', summary: "Gaussian by standard deviation (PyTorch's convention)" },
    call: (args) => {
      const loc = args.required('loc');
      const scale = args.required('scale');
      const g = gaussianFromScale(
        { name: 'loc', tensor: args.tensor('loc'), span: loc.span },
        { name: 'scale', tensor: args.tensor('scale'), span: scale.span },
        args.text,
      );
      return { type: 'gaussian', gaussian: g };
    },
  },
  vae_kl: {
    spec: { name: 'vae_kl', params: [{ name: 'mu' }, { name: 'logvar' }, OPTIONS[0]!, OPTIONS[1]!], usage: 'vae_kl(mu, logvar)', summary: 'KL(N(mu, exp(logvar)) ‖ N(0, 1)) summed over the last axis' },
    call: (args) => {
      const reduction = args.reduction();
      return result(vaeKl(args.tensorArg('mu'), args.tensorArg('logvar'), { unit: unitOf(args), ...(reduction ? { reduction } : {}), span: args.call.span }));
    },
  },
  distill: {
    spec: {
      name: 'distill',
      params: [{ name: 'student' }, { name: 'teacher' }, { name: 'T', optional: true }, OPTIONS[0]!, OPTIONS[1]!],
      usage: 'distill(student, teacher, T=1)',
      summary: 'T² · batchmean KL(softmax(teacher/T) ‖ softmax(student/T)) on logits',
    },
    call: (args) => {
      const reduction = args.reduction();
      const big = args.lazyArg('student', STREAM_THRESHOLD) ?? args.lazyArg('teacher', STREAM_THRESHOLD);
      if (big) {
        const options = { temperature: args.positive('T', 1), unit: unitOf(args), ...(reduction ? { reduction } : {}), span: args.call.span };
        return result(streamDistill(args.asLazy('student'), args.asLazy('teacher'), options, args.runtime));
      }
      return result(
        distill(args.tensorArg('student'), args.tensorArg('teacher'), {
          temperature: args.positive('T', 1),
          unit: unitOf(args),
          ...(reduction ? { reduction } : {}),
          span: args.call.span,
        }),
      );
    },
  },
  k1: estimatorBuiltin('k1', 'per-sample KL estimate log p − log q (samples from p)'),
  k2: estimatorBuiltin('k2', 'per-sample KL estimate ½(log p − log q)²'),
  k3: estimatorBuiltin('k3', 'per-sample KL estimate r − 1 − log r, r = q/p (unbiased, ≥ 0)'),
  kl_penalty: {
    spec: {
      name: 'kl_penalty',
      params: [{ name: 'logp' }, { name: 'logref' }, { name: 'beta', optional: true }, { name: 'estimator', optional: true }, OPTIONS[1]!],
      usage: 'kl_penalty(logp, logref, beta=0.05, estimator="k1")',
      summary: 'per-token RLHF penalty β·k(logp, logref)',
    },
    call: (args) => {
      const estimator = args.string('estimator', 'k1', ESTIMATOR_NAMES) as Estimator;
      const beta = args.number('beta', 0.05);
      if (!Number.isFinite(beta)) args.fail('beta', `beta must be a finite number, got ${beta}`);
      const reduction = args.reduction();
      const logp = args.tensorArg('logp');
      const logref = args.tensorArg('logref');
      return result(estimate('kl_penalty', estimator, logp, logref, { unit: NATS, beta, ...(reduction ? { reduction } : {}), span: args.call.span }));
    },
  },
  load: {
    spec: { name: 'load', params: [{ name: 'path' }, { name: 'key', optional: true }], usage: 'load("PATH", "KEY")', summary: 'a tensor from a .npy/.npz/.safetensors/.pt/.csv/.json file (KEY picks one in a container)' },
    call: (args) => args.fail('path', 'load() needs file access, which this context does not have; bind the tensor as a variable instead'),
  },
  normalize: {
    spec: { name: 'normalize', params: [{ name: 'X' }], usage: 'normalize(X)', summary: 'divide each row (last axis) by its sum' },
    call: (args) => {
      const x = args.tensorArg('X');
      checkProbabilities('normalize', x);
      return tensorValue(normalizeRows('normalize', x, []).tensor);
    },
  },
  exp: elementwise('exp', 'exp(X)', 'element-wise eˣ', Math.exp),
  log: elementwise('log', 'log(X)', 'element-wise natural logarithm', Math.log),
  log2: elementwise('log2', 'log2(X)', 'element-wise base-2 logarithm', Math.log2),
  sqrt: elementwise('sqrt', 'sqrt(X)', 'element-wise square root', Math.sqrt),
  abs: elementwise('abs', 'abs(X)', 'element-wise absolute value', Math.abs),
  sum: reduceAll('sum', 'sum of all entries (compensated)', (t) => sum(t.data)),
  mean: reduceAll('mean', 'mean of all entries', (t) => sum(t.data) / t.data.length),
  max: reduceAll('max', 'largest entry', (t) => t.data.reduce((a, b) => Math.max(a, b), -Infinity)),
  min: reduceAll('min', 'smallest entry', (t) => t.data.reduce((a, b) => Math.min(a, b), Infinity)),
};

function entropyCall(args: CallArgs): Value {
  const g = gaussianOf(args, 'P');
  if (g && !args.has('Q')) return result(gaussianEntropy(g, gaussianOptions(args)));
  discreteOnly(args);
  const options = measureOptions(args);
  const pair = args.has('Q');
  const stream = streamed(pair ? 'CE' : 'H', args, pair);
  if (stream) return stream;
  if (pair) return result(crossEntropy(args.tensorArg('P'), args.tensorArg('Q'), options));
  return result(entropy(args.tensorArg('P'), options));
}

function wasserstein1Call(args: CallArgs) {
  return wasserstein1(args.tensorArg('P'), args.tensorArg('Q'), measureOptions(args, false));
}

function logitsOf(args: CallArgs): Tensor {
  const x: Arg = args.tensorArg('X');
  const bad = x.tensor.data.findIndex((v) => Number.isNaN(v) || v === Infinity);
  if (bad >= 0) args.fail('X', `argument X has ${x.tensor.data[bad]} at index ${bad}; logits must be finite or −∞`);
  if (x.tensor.data.length === 0) args.fail('X', 'argument X is empty');
  return x.tensor;
}

/** Names that evaluate to constants unless a program assigns them. */
export const CONSTANTS: Readonly<Record<string, Value>> = {
  e: tensorValue({ shape: [], data: Float64Array.of(Math.E) }),
  pi: tensorValue({ shape: [], data: Float64Array.of(Math.PI) }),
  inf: tensorValue({ shape: [], data: Float64Array.of(Infinity) }),
  nan: tensorValue({ shape: [], data: Float64Array.of(NaN) }),
  true: { type: 'bool', value: true },
  false: { type: 'bool', value: false },
  True: { type: 'bool', value: true },
  False: { type: 'bool', value: false },
};

