/**
 * An in-memory {@link Appender} for tests: it keeps what was committed, applies the
 * contract's ordering rule (a sample at or before its series' last timestamp is refused)
 * and counts commits. Not a TSDB.
 */

import type { Appender, Labels } from '../model.js';
import { isStale, labelsKey } from '../model.js';

/** One appended sample. */
export interface AppendedSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/**
 * Appender that records samples in memory; only committed samples are visible.
 *
 * @example
 * const app = new MemAppender();
 * app.append({ __name__: 'up' }, 1000, 1); app.commit();
 * app.find({ __name__: 'up' }) // [{ labels: { __name__: 'up' }, t: 1000, v: 1 }]
 */
export class MemAppender implements Appender {
  /** Committed samples in append order. */
  readonly committed: AppendedSample[] = [];
  /** Number of commit() calls. */
  commits = 0;
  /** Samples refused for being out of order. */
  rejected = 0;
  private pending: AppendedSample[] = [];
  private readonly last = new Map<string, number>();

  append(labels: Labels, t: number, v: number): boolean {
    const k = labelsKey(labels);
    const l = this.last.get(k);
    if (l !== undefined && t <= l) {
      this.rejected++;
      return false;
    }
    this.last.set(k, t);
    this.pending.push({ labels, t, v });
    return true;
  }

  commit(): void {
    for (const s of this.pending) this.committed.push(s);
    this.pending = [];
    this.commits++;
  }

  /** Committed samples whose labels include every pair of `match`. */
  find(match: Readonly<Record<string, string>>): AppendedSample[] {
    const out: AppendedSample[] = [];
    for (const s of this.committed) {
      let ok = true;
      for (const k in match)
        if (s.labels[k] !== match[k]) {
          ok = false;
          break;
        }
      if (ok) out.push(s);
    }
    return out;
  }

  /** Committed samples at time `t` (all series). */
  at(t: number): AppendedSample[] {
    return this.committed.filter((s) => s.t === t);
  }

  /** Committed staleness markers at time `t`. */
  staleAt(t: number): AppendedSample[] {
    return this.committed.filter((s) => s.t === t && isStale(s.v));
  }
}
