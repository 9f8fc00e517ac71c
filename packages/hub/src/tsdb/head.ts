/**
 * The head: per series, the samples appended since its last chunk was cut, in typed arrays.
 * A series holds at most one open chunk; it is cut when a sample falls in the next head
 * window (aligned to {@link HEAD_WINDOW_MS}) or when it holds {@link HEAD_MAX_SAMPLES}.
 */
import type { Labels } from '../model.js';

/** Head chunks are cut at multiples of this (30 min: 120 samples at a 15 s interval). */
export const HEAD_WINDOW_MS = 30 * 60_000;
/** A head chunk is cut at this many samples whatever the window (fast scrape intervals). */
export const HEAD_MAX_SAMPLES = 240;
/** Compaction merges a series' chunks over windows this long (aligned to the epoch). */
export const BLOCK_WINDOW_MS = 6 * 3_600_000;
/** A merged chunk holds at most this many samples (a window of a 1 s series is split). */
export const BLOCK_MAX_SAMPLES = 8192;

/** One series in memory: identity, bounds, and its open head chunk. */
export class MemSeries {
  /** Smallest stored timestamp (chunks or head), Infinity when none. */
  firstT = Infinity;
  /** Largest committed timestamp, -Infinity when none: appends must be later. */
  lastT = -Infinity;
  /** Whether its row exists in the `series` table. */
  persisted: boolean;
  /** Set when retention removed the series; caches must not hand it out again. */
  deleted = false;
  /** Appender that buffered the latest uncommitted sample, and that sample's time. */
  pendingOwner: object | undefined = undefined;
  pendingT = -Infinity;

  /** Head samples `[0, n)`. */
  t: Float64Array = EMPTY;
  v: Float64Array = EMPTY;
  n = 0;
  /** Head window (index) of the open chunk. */
  window = 0;
  /** WAL row holding the head's first sample: rows before the smallest are obsolete. */
  walFrom = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    readonly key: string,
    persisted: boolean,
  ) {
    this.persisted = persisted;
  }

  /** Whether appending a sample at `t` must first cut the open chunk. */
  mustCut(t: number): boolean {
    return this.n > 0 && (this.n >= HEAD_MAX_SAMPLES || headWindow(t) !== this.window);
  }

  /** Appends one sample (t later than lastT, and the chunk not due to be cut). */
  push(t: number, v: number, walId: number): void {
    if (this.n === 0) {
      this.window = headWindow(t);
      this.walFrom = walId;
    }
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
    this.lastT = t;
    if (t < this.firstT) this.firstT = t;
  }

  /** Empties the head after its samples were written as a chunk. */
  reset(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = Math.min(HEAD_MAX_SAMPLES, Math.max(8, this.t.length * 2));
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t.subarray(0, this.n));
    // set() copies bytes, so NaN payloads (the staleness marker) survive.
    v.set(this.v.subarray(0, this.n));
    this.t = t;
    this.v = v;
  }
}

const EMPTY = new Float64Array(0);

/** Index of the head window holding `t`. */
export function headWindow(t: number): number {
  return Math.floor(t / HEAD_WINDOW_MS);
}

/** Index of the compaction window holding `t`. */
export function blockWindow(t: number): number {
  return Math.floor(t / BLOCK_WINDOW_MS);
}
