/**
 * Histogram bucket bounds, chosen so every SLO threshold is a bound: a latency SLO can only
 * be computed exactly at a bucket boundary.
 */

/** Peer dial latency (seconds). Holds the 2 s dial p95 SLO threshold. */
export const DIAL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] as const;

/** SQLite write latency (seconds). Holds the 100 ms write p99 SLO threshold. */
export const WRITE_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

/** SLO thresholds that must be bucket bounds, checked by the catalog tests. */
export const SLO_BOUNDS = {
  relay_dial_duration_seconds: 2,
  storage_write_duration_seconds: 0.1,
} as const;
