/**
 * Backfill import: samples parsed from a file or request body are grouped by series, sorted,
 * checked as Prometheus would (names; within retention and not from the future; a second
 * sample at a timestamp is ignored when its value is the same and refused as a "duplicate
 * sample for timestamp" when it differs, against the file and what is stored), and written
 * with {@link TSDB.backfill}, so history older than the live data fits in. Samples are
 * buffered and written in batches; a summary counts what went where.
 */
import type { Labels } from '../model.js';
import { labelsKey } from '../model.js';
import type { MetricMetadata, TSDB } from '../tsdb/index.js';
import {
  iso,
  labelProblem,
  sameValue,
  timeProblem,
  type TimeBounds,
} from '../remote-write/validate.js';
import type { ImportSample, ImportSink } from './text-lines.js';

/** A refused line and why. */
export interface RejectedLine {
  readonly line: number;
  readonly reason: string;
}

/** What an import did. */
export interface ImportSummary {
  /** Series that received samples. */
  series: number;
  /** Samples written. */
  samples: number;
  /** Samples that repeated a stored (or earlier) sample exactly: ignored. */
  duplicates: number;
  /** Oldest and newest sample written, ms (undefined when none). */
  minT: number | undefined;
  maxT: number | undefined;
  /** Lines refused (a line counts once however many of its samples were refused). */
  rejected: number;
  /** The first refused lines with their reasons, in line order. */
  rejectedLines: RejectedLine[];
}

/** Options of {@link Importer}. */
export interface ImporterOptions {
  /** Accepted timestamps. */
  readonly bounds: TimeBounds;
  /** How many refused lines the summary lists (all are counted). Default 100. */
  readonly listRejected?: number;
}

interface Pending {
  labels: Labels;
  t: number[];
  /** Values `[0, t.length)`; a typed array keeps staleness markers' NaN payload. */
  v: Float64Array;
  line: number[];
}

/**
 * Collects samples ({@link ImportSink}), then writes them with {@link Importer.flush}.
 *
 * @example
 * const imp = new Importer(db, { bounds: { oldest: -Infinity, newest: Date.now() + 600_000 } });
 * parseTextLines(text, false, 1, imp);
 * imp.flush();
 * imp.summary().samples;
 */
export class Importer implements ImportSink {
  private pendingSeries = new Map<string, Pending>();
  private pendingSamples = 0;
  /** The series of the previous sample (see {@link Importer.sample}). */
  private last: Pending | undefined;
  private readonly stored = new Set<string>();
  private readonly badLines = new Map<number, string>();
  private readonly meta = new Map<string, MetricMetadata>();
  private readonly sum: ImportSummary = {
    series: 0,
    samples: 0,
    duplicates: 0,
    minT: undefined,
    maxT: undefined,
    rejected: 0,
    rejectedLines: [],
  };

  constructor(
    private readonly db: TSDB,
    private readonly o: ImporterOptions,
  ) {}

  /** Samples buffered, not yet written. */
  get pending(): number {
    return this.pendingSamples;
  }

  sample(s: ImportSample): void {
    // A JSON line hands every sample of its series with the same labels object: key it once.
    let p = s.labels === this.last?.labels ? this.last : undefined;
    if (p === undefined) {
      const key = labelsKey(s.labels);
      p = this.pendingSeries.get(key);
      if (p === undefined) {
        p = { labels: s.labels, t: [], v: new Float64Array(4), line: [] };
        this.pendingSeries.set(key, p);
      }
      this.last = p;
    }
    const n = p.t.length;
    if (n === p.v.length) {
      const v = new Float64Array(n * 2);
      v.set(p.v);
      p.v = v;
    }
    p.v[n] = s.v;
    p.t.push(s.t);
    p.line.push(s.line);
    this.pendingSamples++;
  }

  rejected(line: number, reason: string): void {
    if (!this.badLines.has(line)) this.badLines.set(line, reason);
  }

  metadata(metric: string, m: MetricMetadata): void {
    this.meta.set(metric, m);
  }

  /**
   * Checks the buffered samples and writes the good ones in one transaction. With
   * `atomic`, nothing is written when any line (parsed so far) was refused; returns whether
   * anything was written.
   */
  flush(atomic = false): boolean {
    const batch: Array<{ key: string; labels: Labels; t: Float64Array; v: Float64Array }> = [];
    for (const [key, p] of this.pendingSeries) {
      const ok = this.check(p);
      if (ok !== undefined) batch.push({ key, labels: p.labels, ...ok });
    }
    this.pendingSeries = new Map();
    this.last = undefined;
    this.pendingSamples = 0;
    if (atomic && this.badLines.size > 0) return false;
    if (batch.length === 0) return false;
    this.db.backfill(batch);
    for (const b of batch) {
      this.stored.add(b.key);
      this.sum.samples += b.t.length;
      const lo = b.t[0]!;
      const hi = b.t[b.t.length - 1]!;
      if (this.sum.minT === undefined || lo < this.sum.minT) this.sum.minT = lo;
      if (this.sum.maxT === undefined || hi > this.sum.maxT) this.sum.maxT = hi;
    }
    for (const [name, m] of this.meta) this.db.setMetadata(name, m);
    this.meta.clear();
    return true;
  }

  /** The summary so far. */
  summary(): ImportSummary {
    const lines = [...this.badLines].sort((a, b) => a[0] - b[0]);
    const max = this.o.listRejected ?? 100;
    return {
      ...this.sum,
      series: this.stored.size,
      rejected: lines.length,
      rejectedLines: lines.slice(0, max).map(([line, reason]) => ({ line, reason })),
    };
  }

  /** The samples of one series that may be written (sorted, unique), refusing the others. */
  private check(p: Pending): { t: Float64Array; v: Float64Array } | undefined {
    const problem = labelProblem(p.labels);
    if (problem !== undefined) {
      for (const line of p.line) this.rejected(line, problem);
      return undefined;
    }
    const n = p.t.length;
    const order = Array.from({ length: n }, (_, i) => i);
    // Stable: among equal timestamps the earlier line comes first and wins.
    order.sort((a, b) => p.t[a]! - p.t[b]! || p.line[a]! - p.line[b]!);
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of order) {
      const tp = timeProblem(p.t[i]!, this.o.bounds);
      if (tp !== undefined) continue;
      if (p.t[i]! < lo) lo = p.t[i]!;
      if (p.t[i]! > hi) hi = p.t[i]!;
    }
    const have = lo <= hi ? this.db.samplesOf(p.labels, lo, hi) : undefined;
    let h = 0;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let k = 0;
    let keptLine = 0;
    for (const i of order) {
      const ti = p.t[i]!;
      const vi = p.v[i]!;
      const tp = timeProblem(ti, this.o.bounds);
      if (tp !== undefined) {
        this.rejected(p.line[i]!, tp);
        continue;
      }
      if (k > 0 && t[k - 1] === ti) {
        if (sameValue(v[k - 1]!, vi)) this.sum.duplicates++;
        else
          this.rejected(
            p.line[i]!,
            `duplicate sample for timestamp ${iso(ti)}: ${vi}, but line ${keptLine} has ${v[k - 1]}`,
          );
        continue;
      }
      if (have !== undefined) {
        while (h < have.t.length && have.t[h]! < ti) h++;
        if (h < have.t.length && have.t[h] === ti) {
          if (sameValue(have.v[h]!, vi)) this.sum.duplicates++;
          else
            this.rejected(
              p.line[i]!,
              `duplicate sample for timestamp ${iso(ti)}: ${vi}, but the hub has ${have.v[h]}`,
            );
          continue;
        }
      }
      t[k] = ti;
      v[k] = vi;
      keptLine = p.line[i]!;
      k++;
    }
    if (k === 0) return undefined;
    return { t: t.subarray(0, k), v: v.subarray(0, k) };
  }
}
