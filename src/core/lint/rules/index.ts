/** Every KL rule, in id order. */
import type { Rule } from '../rule';
import { distillMissingT2 } from './distillMissingT2';
import { distillTemperatureOneSide } from './distillTemperatureOneSide';
import { epsilonClippedKl } from './epsilonClippedKl';
import { klDivArgumentOrder } from './klDivArgumentOrder';
import { klDivInputNotLog } from './klDivInputNotLog';
import { klDivLogTarget } from './klDivLogTarget';
import { klDivMeanReduction } from './klDivMeanReduction';
import { logOfSoftmax } from './logOfSoftmax';
import { rlhfKlEstimator } from './rlhfKlEstimator';
import { vaeKlReduction } from './vaeKlReduction';

export const RULES: readonly Rule[] = [
  klDivInputNotLog,
  klDivLogTarget,
  klDivMeanReduction,
  klDivArgumentOrder,
  distillMissingT2,
  distillTemperatureOneSide,
  logOfSoftmax,
  epsilonClippedKl,
  vaeKlReduction,
  rlhfKlEstimator,
];
