/**
 * The VAE regulariser KL(N(μ, σ²) ‖ N(0, I)) = −½Σ(1 + log σ² − μ² − σ²) = Σ ½(μ² + σ² − 1 − log σ²),
 * dimension by dimension with the user's μ and log σ², or summarized per row for batches.
 */
import type { VaeResult } from '../result';
import { type Ctx, leftoverWarnings, streamedSteps } from './common';
import { sumSteps } from './frame';
import type { Step } from './step';
import { texFactor, textFactor } from './tex';

/** The derivation of vae_kl(mu, logvar). */
export function deriveVae(r: VaeResult, ctx: Ctx): Step[] {
  const [mu, logvar] = r.operands;
  const steps = sumSteps(r, ctx, {
    name: (row) => ({
      tex: `D_{\\mathrm{KL}}\\left(\\mathcal{N}(\\mu${row ? '_r' : ''}, \\sigma${row ? '_r' : ''}^2) \\,\\|\\, \\mathcal{N}(0, I)\\right)`,
      text: `KL(N(μ${row ? '_r' : ''}, σ${row ? '_r' : ''}²) ‖ N(0, I))`,
    }),
    formula: (s) => ({
      tex: `-\\tfrac{1}{2} \\sum_{j} \\left(1 + \\log\\sigma_{${s.replace('i', 'j')}}^2 - \\mu_{${s.replace('i', 'j')}}^2 - \\sigma_{${s.replace('i', 'j')}}^2\\right) = \\sum_{j} \\tfrac{1}{2}\\left(\\mu_{${s.replace('i', 'j')}}^2 + \\sigma_{${s.replace('i', 'j')}}^2 - 1 - \\log\\sigma_{${s.replace('i', 'j')}}^2\\right)`,
      text: `−½ Σ_j (1 + log σ² − μ² − σ²) = Σ_j ½(μ_j² + σ_j² − 1 − log σ_j²)`,
    }),
    convention: `σ² = exp(logvar); μ = ${mu?.text ?? 'mu'}, logvar = ${logvar?.text ?? 'logvar'}`,
    piece: (i) => {
      const m = mu?.tensor?.data[i] ?? NaN;
      const l = logvar?.tensor?.data[i] ?? NaN;
      const lt = texFactor(l, ctx.digits);
      return {
        tex: `\\tfrac{1}{2}\\left(${texFactor(m, ctx.digits)}^2 + e^{${ctx.num(l).tex}} - 1 - ${lt}\\right)`,
        text: `½(${textFactor(m, ctx.digits)}² + e^${textFactor(l, ctx.digits)} − 1 − ${textFactor(l, ctx.digits)})`,
      };
    },
  });
  return [...streamedSteps(r.operands), ...steps, ...leftoverWarnings(r.warnings, new Set())];
}
