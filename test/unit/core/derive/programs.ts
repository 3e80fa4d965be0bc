/**
 * Programs and results that exercise every derivation: every builtin that returns a result, every
 * option combination the derive tests use, large and per-row inputs, and streamed operands.
 * Shared by the KaTeX test and by any suite that wants to run over all derivations.
 */
import type { DeriveOptions } from '../../../../src/core/derive/step';
import { streamMeasure, type LazyArg, type StreamMeasure } from '../../../../src/core/divergence/stream';
import type { Result, Value } from '../../../../src/core/index';
import { lazyOf } from '../../../../src/core/lazy';
import { streamDistill } from '../../../../src/core/ml/distill';
import type { Tensor } from '../../../../src/core/tensor';
import { NATS, unitForBase } from '../../../../src/core/units';
import { result } from '../../../helpers/values';

/** Programs over literals: each builtin, each option, the edge cases by name. */
export const PROGRAMS: readonly string[] = [
  // KL
  'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])',
  'KL([0.5, 0.3, 0.2] ‖ [0.4, 0.4, 0.2])',
  'KL([1] || [1])',
  'KL([0.5, 0.5, 0] || [0.25, 0.25, 0.5])',
  'KL([0.5, 0.5, 0] || [0.5, 0, 0.5])',
  'KL([0.5, 0.25, 0.25] || [1, 0, 0])',
  'KL([1, 0] || [0, 1])',
  'p = [5, 3, 2]; q = [4, 4, 2]; KL(p || q, base=2)',
  'KL([5, 3, 2] || [4, 4, 2], base=10)',
  'KL([5, 3, 2] || [4, 4, 2], base=3)',
  'KL([5, 3, 2] || [4, 4, 2], base="bits")',
  'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2], reduction="batchmean")',
  'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2], reduction="sum")',
  'KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2], reduction="mean")',
  'KL([2, 3, 5] || [1, 1, 1], normalize=false)',
  'KL([[0.5, 0.5], [0.9, 0.1], [1, 0]] || [[0.4, 0.6], [0.5, 0.5], [0.5, 0.5]])',
  'KL([[0.5, 0.5], [0.9, 0.1], [1, 0]] || [[0.4, 0.6], [0.5, 0.5], [0.5, 0.5]], reduction="mean")',
  'KL([[0.5, 0.5], [0.9, 0.1]] || [[0.4, 0.6], [0.5, 0.5]], reduction="sum", base=2)',
  'KL(softmax([[1, 2, 3], [3, 2, 1]]) || softmax([[1, 1, 1], [2, 2, 2]]), reduction="batchmean")',
  'KL([[1, 0], [0.5, 0.5]] || [[1, 0], [1, 0]])',
  'KL([[[1, 2], [3, 4]], [[5, 6], [7, 8]]] || [[1, 1], [1, 1]], reduction="batchmean")',
  'KL([1e-300, 1] || [1, 1e-300])',
  'KL([0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3] || [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])',
  // JS
  'JS([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  'JS([0.5, 0.5, 0], [0.5, 0, 0.5])',
  'JS([1, 0], [0, 1], base=2)',
  'JS([1, 0], [0, 1], base=5)',
  'JS([[1, 0], [0.5, 0.5]], [[0, 1], [0.5, 0.5]], reduction="mean")',
  'JS([0.5, 0.3, 0.2], [0.4, 0.4, 0.2], reduction="batchmean")',
  // Entropy and cross-entropy
  'H([0.5, 0.3, 0.2])',
  'H([1])',
  'H([0.5, 0.5, 0], base=2)',
  'H([[0.5, 0.5], [0.9, 0.1]], reduction="sum")',
  'H([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  'CE([0.5, 0.3, 0.2], [0.4, 0.4, 0.2], base=2)',
  'CE([0.5, 0.5], [1, 0])',
  'CE([[0.5, 0.5], [0.9, 0.1]], [[0.4, 0.6], [0.5, 0.5]])',
  // Jeffreys
  'Jeffreys([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  'Jeffreys([0.5, 0.5, 0], [0.5, 0.25, 0.25])',
  'Jeffreys([[0.5, 0.5], [0.9, 0.1]], [[0.4, 0.6], [0.5, 0.5]], base=2)',
  // Distances
  'TV([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  'TV([1, 0], [0, 1])',
  'TV([[0.5, 0.5], [0.9, 0.1]], [[0.4, 0.6], [0.5, 0.5]], reduction="batchmean")',
  'Hellinger([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  'Hellinger([[0.5, 0.5], [0.9, 0.1]], [[0.4, 0.6], [0.5, 0.5]])',
  'W1([1, 0, 0], [0, 0, 1])',
  'W1([0.2, 0.3, 0.5], [0.5, 0.3, 0.2])',
  'W1([1], [1])',
  'W1([[1, 0], [0, 1]], [[0, 1], [0, 1]])',
  // Mutual information
  'MI([[0.4, 0.1], [0.1, 0.4]])',
  'MI([[1, 2], [3, 4]], base=2)',
  'MI([[0.5, 0], [0, 0.5]])',
  'MI([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [1, 1, 1, 1, 1]])',
  // Gaussians
  'KL(N(0, 1) || N(1, 2))',
  'KL(N(0, 1) || N(1, 2), base=2)',
  'KL(Normal(0, 1) || Normal(1, 2))',
  'KL(Normal([0, 0], [1, 1]) || Normal(0, 2))',
  'KL(N([0, 0], [[1, 0.5], [0.5, 1]]) || N([1, 0], [[2, 0], [0, 2]]))',
  'KL(N([0, 0], [[1, 0.5], [0.5, 1]]) || N([1, 0], [[2, 0], [0, 2]]), base=2)',
  'KL(N([0, 1, 2], [1, 2, 3]) || N(0, 1), reduction="none")',
  'KL(N([0, 1, 2], [1, 2, 3]) || N(0, 1), reduction="mean")',
  'KL(N([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) || N(0, 1))',
  'KL(N([0, 0, 0, 0, 0, 0, 0], [[2, 0, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0, 0], [0, 0, 2, 0, 0, 0, 0], [0, 0, 0, 2, 0, 0, 0], [0, 0, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, 2, 0], [0, 0, 0, 0, 0, 0, 2]]) || N(0, 1))',
  'H(N(0, 1))',
  'H(N(0, 0.01))',
  'H(N([0, 0], [[1, 0.5], [0.5, 1]]), base=2)',
  'H(Normal([0, 0, 0], [1, 2, 3]), reduction="none")',
  'Jeffreys(N(0, 1), N(1, 2))',
  'Jeffreys(N([0, 0], [1, 2]), N([1, 1], [2, 1]), reduction="none")',
  'Jeffreys(N([0, 0], [[1, 0.5], [0.5, 1]]), N([1, 0], [[2, 0], [0, 2]]), base=2)',
  // ML losses
  'vae_kl([0.3, -0.1], [-0.2, 0.1])',
  'vae_kl([0], [0])',
  'vae_kl([0.3, -0.1], [-0.2, 0.1], base=2)',
  'vae_kl([[0.3, -0.1], [1, 2]], [[-0.2, 0.1], [0, 0]], reduction="batchmean")',
  'vae_kl([[0.3, -0.1], [1, 2]], [[-0.2, 0.1], [0, 0]], reduction="mean")',
  'vae_kl([1e-7, 2e6, 0, 1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1e-9])',
  'distill([[1.0, 2.0, 0.5]], [[2.0, 1.0, 0.1]], T=4)',
  'distill([1.0, 2.0, 0.5], [2.0, 1.0, 0.1], T=2, base=2)',
  'distill([[1.0, 2.0, 0.5], [0, 0, 0]], [[2.0, 1.0, 0.1], [1, 2, 3]], T=4, reduction="mean")',
  'distill([[1.0, 2.0, 0.5], [0, 0, 0]], [[2.0, 1.0, 0.1], [1, 2, 3]], reduction="sum")',
  'distill([[1.0, 2.0, 0.5], [0, 0, 0]], [[2.0, 1.0, 0.1], [1, 2, 3]], T=3, reduction="none")',
  'distill([[1, 2, 3], [3, 2, 1], [0, 0, 0], [1, 1, 1], [5, 5, 5]], [[2, 1, 0], [0, 1, 2], [1, 0, 0], [0, 0, 0], [0, 5, 0]], T=2)',
  'k1([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0])',
  'k1([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], reduction="mean")',
  'k2([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], reduction="sum")',
  'k2([[-1.2, -0.7], [-2.3, -1]], [[-1.0, -0.9], [-2.0, -1]], base=2)',
  'k3([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], reduction="batchmean")',
  'k3(-1, -1)',
  'k3([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10], -5)',
  'kl_penalty([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0])',
  'kl_penalty([-1.2, -0.7, -2.3], [-1.0, -0.9, -2.0], beta=0.1, estimator="k3")',
  'kl_penalty([[-1.2, -0.7], [-2.3, -1]], [[-1.0, -0.9], [-2.0, -1]], beta=0.2, estimator="k2", reduction="mean")',
];

/** Option sets every program is derived with. */
export const OPTION_SETS: readonly DeriveOptions[] = [{}, { digits: 3 }, { digits: 12 }, { maxTerms: 2 }, { maxTerms: 1, digits: 1 }, { maxTerms: 20 }];

/** One derivation input: a result and the options to derive it with. */
export interface DeriveCase {
  readonly name: string;
  readonly result: Result;
  readonly options?: DeriveOptions;
}

/** A deterministic positive vector of length n (no randomness: failures reproduce). */
export function positive(n: number, phase = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 1 + Math.sin(i * 0.37 + phase) ** 2;
  return out;
}

function env(entries: Record<string, Tensor>): Map<string, Value> {
  return new Map(Object.entries(entries).map(([k, t]) => [k, { type: 'tensor', tensor: t } as Value]));
}

/** Inputs too large to write as literals: 50,000 elements, 10,000 rows. */
export function largeEnv(): Map<string, Value> {
  const n = 50_000;
  const p = positive(n);
  const q = positive(n, 1);
  return env({
    p: { shape: [n], data: p },
    q: { shape: [n], data: q },
    rp: { shape: [100, 100, 5], data: p },
    rq: { shape: [100, 100, 5], data: q },
    logits: { shape: [10_000, 5], data: p },
    target: { shape: [10_000, 5], data: q },
  });
}

export const LARGE_PROGRAMS: readonly string[] = [
  'KL(p || q)',
  'KL(p || q, base=2)',
  'JS(p, q)',
  'H(p)',
  'CE(p, q)',
  'Jeffreys(p, q)',
  'TV(p, q)',
  'Hellinger(p, q)',
  'W1(p, q)',
  'vae_kl(p, q)',
  'k3(p, q)',
  'kl_penalty(p, q, beta=0.1)',
  'KL(rp || rq)',
  'KL(rp || rq, reduction="batchmean")',
  'KL(rp || rq, reduction="mean")',
  'JS(rp, rq, reduction="sum")',
  'H(rp)',
  'distill(logits, target, T=2)',
  'vae_kl(logits, target, reduction="mean")',
  'k1(rp, rq, reduction="mean")',
];

/** A lazy (file-backed) argument over an in-memory tensor, as the streamed path receives it. */
export function lazyArg(role: string, t: Tensor, label: string): LazyArg {
  return { role, text: role.toLowerCase(), span: undefined, lazy: lazyOf(t, label) };
}

const t = (shape: number[], xs: number[]): Tensor => ({ shape, data: Float64Array.from(xs) });

/** Results whose operands were streamed from files (labels with characters TeX must escape). */
export function streamedCases(): DeriveCase[] {
  const label = 'dir/my_file%#&{x}~^$\\ ‖ é 日本 😀.npy';
  const measures: StreamMeasure[] = ['KL', 'JS', 'H', 'CE', 'Jeffreys', 'TV', 'Hellinger'];
  const cases: DeriveCase[] = [];
  for (const m of measures) {
    const single = m === 'H';
    cases.push({
      name: `streamed ${m}`,
      result: streamMeasure(m, lazyArg('P', t([3], [5, 3, 2]), label), single ? undefined : lazyArg('Q', t([3], [4, 4, 0]), 'q.npy'), { base: 2 }),
    });
    cases.push({
      name: `streamed ${m} rows`,
      result: streamMeasure(m, lazyArg('P', t([2, 3], [5, 3, 2, 1, 1, 1]), 'p.npy'), single ? undefined : lazyArg('Q', t([2, 3], [4, 4, 2, 1, 2, 3]), label), { reduction: 'mean', normalize: m !== 'TV' }),
    });
  }
  cases.push({
    name: 'streamed distill',
    result: streamDistill(lazyArg('student', t([2, 3], [1, 2, 0.5, 0, 0, 0]), 's.npy'), lazyArg('teacher', t([2, 3], [2, 1, 0.1, 1, 2, 3]), label), { temperature: 4, unit: NATS }, {}),
  });
  cases.push({
    name: 'streamed distill 1-D, bits',
    result: streamDistill(lazyArg('student', t([3], [1, 2, 0.5]), 's.npy'), lazyArg('teacher', t([3], [2, 1, 0.1]), 't.npy'), { temperature: 2, unit: unitForBase(2) }, {}),
  });
  return cases;
}

/** Every case: each program with each option set, the large inputs, and the streamed results. */
export function allCases(): DeriveCase[] {
  const cases: DeriveCase[] = [];
  for (const program of PROGRAMS) {
    const r = result(program);
    for (const options of OPTION_SETS) cases.push({ name: `${program} ${JSON.stringify(options)}`, result: r, options });
  }
  const big = largeEnv();
  for (const program of LARGE_PROGRAMS) cases.push({ name: program, result: result(program, { env: big }) });
  for (const c of streamedCases()) for (const options of OPTION_SETS) cases.push({ ...c, name: `${c.name} ${JSON.stringify(options)}`, options });
  return cases;
}
