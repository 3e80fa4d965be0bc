// A small seeded generator of uniform numbers, so that the benchmark's inputs and the randomized
// tests are the same on every run and every machine.

/**
 * mulberry32: uniform numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * const rand = mulberry32(1);
 * rand(); // 0.6270739405881613, the same on every run
 */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
