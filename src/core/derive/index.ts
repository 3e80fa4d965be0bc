/**
 * Step-by-step derivations of results: the formula, the user's numbers put in, the terms, the
 * total, and what the number means — as TeX for KaTeX and a plain-text twin.
 */
import type { Result } from '../result';
import { context } from './common';
import { deriveDiscrete } from './discrete';
import { deriveDistill } from './distill';
import { deriveEstimator } from './estimator';
import { deriveGaussian } from './gaussian';
import type { DeriveOptions, Step } from './step';
import { deriveVae } from './vae';

export type { DeriveOptions, Step } from './step';

/**
 * The derivation of a result. Large inputs stay short: at most `maxTerms` terms are written out
 * (the largest, with the rest summed) and per-row results are summarized, never listed.
 * @example derive(result('KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])')).map((s) => s.title)
 * // ['Definition', 'Substitution', 'Terms', 'Total', 'Reverse direction', 'Asymmetry']
 */
export function derive(result: Result, options: DeriveOptions = {}): Step[] {
  const ctx = context(options);
  switch (result.kind) {
    case 'discrete':
      return deriveDiscrete(result, ctx);
    case 'gaussian':
      return deriveGaussian(result, ctx);
    case 'vae':
      return deriveVae(result, ctx);
    case 'distill':
      return deriveDistill(result, ctx);
    case 'estimator':
      return deriveEstimator(result, ctx);
  }
}
