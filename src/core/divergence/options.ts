import type { Span } from '../errors';
import type { Reduction } from '../result';
import { NATS, natsTo, unitForBase, type Unit } from '../units';

/** The options every discrete measure takes (`base=`, `reduction=`, `normalize=`). */
export interface MeasureOptions {
  readonly base?: number;
  readonly reduction?: Reduction;
  readonly normalize?: boolean;
  /** Span of the whole call, for warnings. */
  readonly span?: Span;
}

export function resolveUnit(options: MeasureOptions): { unit: Unit; factor: number } {
  const unit = options.base === undefined ? NATS : unitForBase(options.base);
  return { unit, factor: natsTo(unit) };
}
