/**
 * Inputs shared by every library in a case, so each one sees exactly the same values in
 * the same order. Sequences are 1024 long and indexed with `i & MASK`.
 */

/** Index mask for the input sequences. */
export const MASK = 1023;

/** The label values of the labelled cases: a small, closed set. */
export const DIRECTIONS = ['in', 'out'] as const;

/** A label value of {@link DIRECTIONS}. */
export type Direction = (typeof DIRECTIONS)[number];

/** Histogram bounds of the observe cases (prom-client's defaults, seconds). */
export const BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A small deterministic generator (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An irregular in/out sequence, so no library profits from a trivially predictable pattern. */
export const DIRECTION_SEQ: readonly Direction[] = (() => {
  const r = random(1);
  return Array.from({ length: MASK + 1 }, () => DIRECTIONS[r() < 0.5 ? 0 : 1]);
})();

/** Latencies spread log-uniformly over 1 ms .. 20 s, so every bucket gets hits. */
export const OBSERVATIONS: Float64Array = (() => {
  const r = random(2);
  const lo = Math.log(0.001);
  const hi = Math.log(20);
  return Float64Array.from({ length: MASK + 1 }, () => Math.exp(lo + (hi - lo) * r()));
})();
