/**
 * Units of information. Every divergence is computed in nats and converted once at the end,
 * dividing by ln(base), so terms, rows and totals always share a unit.
 */
export interface Unit {
  readonly base: number;
  /** `nats`, `bits`, `hartleys`, or `log base b units`. */
  readonly name: string;
}

export const NATS: Unit = { base: Math.E, name: 'nats' };

export function unitForBase(base: number): Unit {
  if (base === Math.E) return NATS;
  if (base === 2) return { base, name: 'bits' };
  if (base === 10) return { base, name: 'hartleys' };
  return { base, name: `log base ${base} units` };
}

const NAMED_BASES: Record<string, number> = {
  e: Math.E,
  nat: Math.E,
  nats: Math.E,
  bit: 2,
  bits: 2,
  shannon: 2,
  shannons: 2,
  hartley: 10,
  hartleys: 10,
  ban: 10,
  bans: 10,
  dit: 10,
  dits: 10,
};

/** The base a `base=` option names: a number b > 0, b ≠ 1, or a unit name ("bits"); undefined if invalid. */
export function parseBase(value: number | string): number | undefined {
  if (typeof value === 'string') return NAMED_BASES[value.toLowerCase()];
  return value > 0 && value !== 1 && Number.isFinite(value) ? value : undefined;
}

/** Factor that turns nats into `unit`. */
export function natsTo(unit: Unit): number {
  return unit.base === Math.E ? 1 : 1 / Math.log(unit.base);
}
