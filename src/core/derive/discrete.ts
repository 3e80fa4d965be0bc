/**
 * Derivations of discrete measures: the steps every one shares (streamed input, normalization,
 * normalize=false) around the measure's own steps, then any warning not yet explained.
 */
import type { DiscreteResult, WarningCode } from '../result';
import { type Ctx, leftoverWarnings, normalizationSteps, notNormalizedSteps, streamedSteps } from './common';
import { deriveHellinger, deriveTv, deriveW1 } from './distances';
import { deriveCrossEntropy, deriveEntropy } from './entropy';
import { deriveJeffreys } from './jeffreys';
import { deriveJs } from './js';
import { deriveKl } from './kl';
import { deriveMi } from './mi';
import type { Step } from './step';

/** The derivation of a DiscreteResult (KL, JS, H, CE, Jeffreys, TV, Hellinger, W1, MI). */
export function deriveDiscrete(r: DiscreteResult, ctx: Ctx): Step[] {
  const covered = new Set<WarningCode>(['normalized', 'not-normalized', 'mean-reduction', 'batchmean-1d']);
  const symbols = r.measure === 'MI' ? ['j'] : ['p', 'q'];
  const normalization = normalizationSteps(ctx, r.operands, symbols);
  if (normalization.length === 0) covered.delete('normalized');
  const steps: Step[] = [...streamedSteps(r.operands), ...normalization, ...notNormalizedSteps(r.warnings)];
  switch (r.measure) {
    case 'KL':
      steps.push(...deriveKl(r, ctx, covered));
      break;
    case 'JS':
      steps.push(...deriveJs(r, ctx));
      break;
    case 'H':
      steps.push(...deriveEntropy(r, ctx));
      break;
    case 'CE':
      steps.push(...deriveCrossEntropy(r, ctx, covered));
      break;
    case 'Jeffreys':
      steps.push(...deriveJeffreys(r, ctx, covered));
      break;
    case 'TV':
      steps.push(...deriveTv(r, ctx));
      break;
    case 'Hellinger':
      steps.push(...deriveHellinger(r, ctx));
      break;
    case 'W1':
      steps.push(...deriveW1(r, ctx));
      break;
    case 'MI':
      steps.push(...deriveMi(r, ctx));
      break;
  }
  return [...steps, ...leftoverWarnings(r.warnings, coveredBy(r, covered))];
}

/** Warning codes the steps explained: reductions only when their step was shown. */
function coveredBy(r: DiscreteResult, covered: Set<WarningCode>): Set<WarningCode> {
  const out = new Set(covered);
  if (r.reduction !== 'mean' || r.rows.shape.length === 0) out.delete('mean-reduction');
  if (r.reduction !== 'batchmean' || r.rows.shape.length > 0) out.delete('batchmean-1d');
  return out;
}
