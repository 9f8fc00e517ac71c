/**
 * The TSDB's appender: buffers samples, checks their order per series, and hands the batch
 * to the TSDB at commit, which makes it durable in one SQLite transaction.
 */
import type { Appender, Labels } from '../model.js';
import type { MemSeries } from './head.js';

/** Samples buffered by one appender, column-wise, `[0, n)`. */
export interface Batch {
  readonly series: MemSeries[];
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly n: number;
}

/** What an appender needs from the TSDB. */
export interface BatchSink {
  seriesFor(labels: Labels): MemSeries;
  commitBatch(b: Batch): void;
}

/**
 * Appends samples for a later commit. Nothing is visible to queries until `commit()`.
 *
 * @example
 * const app = db.appender();
 * app.append({ __name__: 'up' }, 1000, 1); // true
 * app.append({ __name__: 'up' }, 1000, 1); // false: not later than the last sample
 * app.commit();
 */
export class TsdbAppender implements Appender {
  private series: MemSeries[] = [];
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private n = 0;

  constructor(private readonly sink: BatchSink) {}

  append(labels: Labels, t: number, v: number): boolean {
    if (!Number.isSafeInteger(t)) {
      throw new RangeError(`sample timestamp must be an integer number of ms, got ${t}`);
    }
    const s = this.sink.seriesFor(labels);
    if (t <= s.lastT || (s.pendingOwner === this && t <= s.pendingT)) return false;
    s.pendingOwner = this;
    s.pendingT = t;
    if (this.n === this.t.length) this.grow();
    this.series.push(s);
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
    return true;
  }

  commit(): void {
    if (this.n === 0) return;
    try {
      this.sink.commitBatch({ series: this.series, t: this.t, v: this.v, n: this.n });
    } finally {
      for (const s of this.series) if (s.pendingOwner === this) s.pendingOwner = undefined;
      this.series = [];
      this.n = 0;
    }
  }

  private grow(): void {
    const t = new Float64Array(this.t.length * 2);
    const v = new Float64Array(this.v.length * 2);
    t.set(this.t);
    // set() copies bytes, so NaN payloads (the staleness marker) survive.
    v.set(this.v);
    this.t = t;
    this.v = v;
  }
}
