/**
 * The embedded time-series store: series in memory (label index, open head chunks), samples
 * in SQLite (compressed chunks, a per-commit WAL for the head). See store.ts for the schema,
 * encoding.ts for the chunk format.
 */
import type { Appender, Labels, Matcher, Querier, SeriesData } from '../model.js';
import { labelsKey } from '../model.js';
import { matchesAll } from '../matchers.js';
import { TsdbAppender } from './appender.js';
import type { Batch, BatchSink } from './appender.js';
import { Chunks } from './chunks.js';
import { backfillChunks, type BackfillSeries } from './backfill.js';
import { mergeWindow } from './compaction.js';
import { HEAD_WINDOW_MS, MemSeries, blockWindow } from './head.js';
import { Postings } from './postings.js';
import { readSeries } from './read.js';
import { expireBefore, expireBySize } from './retention.js';
import { Store } from './store.js';
import { decodeWal, encodeWal } from './wal.js';

/** Where and how long the TSDB keeps data. */
export interface TSDBOptions {
  /** Directory of the database (created if missing). */
  dir: string;
  /**
   * Chunks whose newest sample is older than the newest stored sample minus this go
   * (default 15 d; 0 keeps everything).
   */
  retentionMs?: number;
  /** Oldest chunks go until the database is at most this big; 0 = no limit (default). */
  retentionBytes?: number;
}

/** TYPE, HELP and UNIT of a metric, as the Prometheus metadata API returns them. */
export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/** What {@link TSDB.stats} reports. */
export interface TSDBStats {
  /** Series known (with data on disk or in the head). */
  series: number;
  /** Series with an open head chunk. */
  headSeries: number;
  /** Samples stored, head included. */
  samples: number;
  /** Database file plus its write-ahead log, bytes. */
  bytesOnDisk: number;
  /** Chunk rows on disk. */
  chunks: number;
  /** Oldest sample's timestamp, ms; undefined when empty. */
  oldestMs: number | undefined;
}

/** Default time retention: 15 days, as Prometheus. */
export const DEFAULT_RETENTION_MS = 15 * 86_400_000;
/** How long one {@link TSDB.compact} call merges by default, ms. */
export const DEFAULT_COMPACT_BUDGET_MS = 500;

/**
 * A time-series database in one SQLite file. Appends go to an in-memory head that is made
 * durable at every commit (one transaction: a killed process loses only what was not yet
 * committed); full head chunks are compressed into rows; {@link TSDB.compact} merges them
 * into larger chunks and applies retention.
 *
 * @example
 * const db = TSDB.open({ dir: 'data/tsdb' });
 * const app = db.appender();
 * app.append({ __name__: 'up', job: 'relay' }, Date.now(), 1);
 * app.commit();
 * db.select([{ name: '__name__', type: '=', value: 'up' }], 0, Date.now());
 * db.close();
 */
export class TSDB implements Querier, BatchSink {
  private readonly store: Store;
  private chunks!: Chunks;
  private postings!: Postings;
  private byId!: Map<number, MemSeries>;
  private byKey!: Map<string, MemSeries>;
  private byLabels!: WeakMap<Labels, MemSeries>;
  private meta!: Map<string, MetricMetadata>;
  private nextId = 1;
  /** Largest committed timestamp: "now" for retention and for flushing idle heads. */
  private maxT = -Infinity;
  private headSamples = 0;
  private closed = false;
  /** Windows whose chunks failed to decode ("series:window"): not retried. */
  private readonly unmergeable = new Set<string>();
  private readonly retentionMs: number;
  private readonly retentionBytes: number;

  private constructor(private readonly options: TSDBOptions) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.retentionBytes = options.retentionBytes ?? 0;
    this.store = new Store(options.dir);
    try {
      this.load();
    } catch (e) {
      this.store.close();
      throw e;
    }
  }

  /**
   * Opens (or creates) the TSDB in `o.dir`, replaying the WAL into the head. Throws when
   * another process has the directory open.
   */
  static open(o: TSDBOptions): TSDB {
    return new TSDB(o);
  }

  /** A new appender: append samples, then commit them in one transaction. */
  appender(): Appender {
    this.check();
    return new TsdbAppender(this);
  }

  /** @internal The series for a label set, created (in memory only) when new. */
  seriesFor(labels: Labels): MemSeries {
    const cached = this.byLabels.get(labels);
    if (cached !== undefined && !cached.deleted) return cached;
    const norm = normalize(labels);
    const key = labelsKey(norm);
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = new MemSeries(this.nextId++, norm, key, false);
      this.addSeries(s);
    }
    this.byLabels.set(labels, s);
    return s;
  }

  /** @internal Applies an appender's samples durably; see {@link TsdbAppender.commit}. */
  commitBatch(b: Batch): void {
    this.check();
    const ids = new Float64Array(b.n);
    let live = 0;
    for (let i = 0; i < b.n; i++) {
      let s = b.series[i]!;
      if (s.deleted) b.series[i] = s = this.seriesFor(s.labels);
      ids[i] = s.id;
      if (b.t[i]! > s.lastT) live++;
    }
    if (live === 0) return;
    this.guard(() =>
      this.store.tx(() => {
        for (let i = 0; i < b.n; i++) {
          const s = b.series[i]!;
          if (!s.persisted) {
            this.store.insertSeries.run(s.id, JSON.stringify(s.labels));
            s.persisted = true;
          }
        }
        const walId = Number(
          this.store.insertWal.run(encodeWal(ids, b.t, b.v, b.n)).lastInsertRowid,
        );
        let cut = false;
        for (let i = 0; i < b.n; i++) {
          if (this.apply(b.series[i]!, b.t[i]!, b.v[i]!, walId)) cut = true;
        }
        if (cut) this.truncateWal();
      }),
    );
  }

  /** Appends one committed sample to its head, cutting the head first if due. */
  private apply(s: MemSeries, t: number, v: number, walId: number): boolean {
    if (t <= s.lastT) return false;
    let cut = false;
    if (s.mustCut(t)) {
      this.cutHead(s);
      cut = true;
    }
    s.push(t, v, walId);
    this.headSamples++;
    if (t > this.maxT) this.maxT = t;
    return cut;
  }

  private cutHead(s: MemSeries): void {
    this.chunks.write(s.id, s.t, s.v, 0, s.n, 0);
    this.headSamples -= s.n;
    s.reset();
  }

  /** Deletes WAL rows older than every open head's first sample. */
  private truncateWal(): void {
    let min = Infinity;
    for (const s of this.byId.values()) if (s.n > 0 && s.walFrom < min) min = s.walFrom;
    if (min === Infinity) this.store.db.exec('DELETE FROM wal');
    else this.store.truncateWal.run(min);
  }

  /**
   * Newest committed timestamp of the series with exactly these labels (empty values
   * ignored), -Infinity when there is none. Appends must be later than this.
   *
   * @example db.lastTimestamp({ __name__: 'up', job: 'relay' }) // 1700000015000
   */
  lastTimestamp(labels: Labels): number {
    this.check();
    const cached = this.byLabels.get(labels);
    if (cached !== undefined && !cached.deleted) return cached.lastT;
    return this.byKey.get(labelsKey(normalize(labels)))?.lastT ?? -Infinity;
  }

  /**
   * Stored samples in `[mint, maxt]` of the series with exactly these labels (unlike
   * {@link TSDB.select}, a series with more labels does not match), or undefined.
   */
  samplesOf(labels: Labels, mint: number, maxt: number): SeriesData | undefined {
    this.check();
    const s = this.byKey.get(labelsKey(normalize(labels)));
    if (s === undefined || s.firstT > maxt || s.lastT < mint) return undefined;
    return readSeries(this.chunks, s, mint, maxt);
  }

  /** Newest committed timestamp of any series, ms; -Infinity when empty. */
  get newestTimestamp(): number {
    return this.maxT;
  }

  /**
   * Writes samples older than (or interleaved with) what a series already holds, in one
   * transaction: see backfill.ts. Each entry's timestamps must be sorted and unique; a
   * sample at a timestamp already stored is skipped (the stored one stays). Returns the
   * number of samples added.
   *
   * @example db.backfill([{ labels: { __name__: 'up' }, t: Float64Array.of(0, 1000), v: Float64Array.of(1, 1) }])
   */
  backfill(series: readonly BackfillSeries[]): number {
    this.check();
    let added = 0;
    this.guard(() =>
      this.store.tx(() => {
        let cut = false;
        for (const b of series) {
          const n = b.t.length;
          if (n === 0) continue;
          const s = this.seriesFor(b.labels);
          if (!s.persisted) {
            this.store.insertSeries.run(s.id, JSON.stringify(s.labels));
            s.persisted = true;
          }
          // The head holds only samples newer than every chunk: cut it if it overlaps.
          if (s.n > 0 && b.t[n - 1]! >= s.t[0]!) {
            this.cutHead(s);
            cut = true;
          }
          added += backfillChunks(this.chunks, s.id, b.t, b.v);
          if (b.t[0]! < s.firstT) s.firstT = b.t[0]!;
          if (b.t[n - 1]! > s.lastT) s.lastT = b.t[n - 1]!;
          if (b.t[n - 1]! > this.maxT) this.maxT = b.t[n - 1]!;
        }
        if (cut) this.truncateWal();
      }),
    );
    return added;
  }

  /**
   * Records a metric's TYPE/HELP/UNIT (written only when it changes).
   *
   * @example db.setMetadata('up', { type: 'gauge', help: 'Target is up.', unit: '' })
   */
  setMetadata(metric: string, m: MetricMetadata): void {
    this.check();
    const old = this.meta.get(metric);
    if (old !== undefined && old.type === m.type && old.help === m.help && old.unit === m.unit)
      return;
    this.store.upsertMetadata.run(metric, m.type, m.help, m.unit);
    this.meta.set(metric, { type: m.type, help: m.help, unit: m.unit });
  }

  /** Metadata by metric name (all, or just `metric`), shaped as `/api/v1/metadata`'s data. */
  metadata(metric?: string): Record<string, MetricMetadata[]> {
    this.check();
    const out: Record<string, MetricMetadata[]> = {};
    if (metric !== undefined) {
      const m = this.meta.get(metric);
      if (m !== undefined) out[metric] = [{ ...m }];
      return out;
    }
    for (const [name, m] of this.meta) out[name] = [{ ...m }];
    return out;
  }

  /** Sizes and counts, for the hub's self-metrics and status page. */
  stats(): TSDBStats {
    this.check();
    let headSeries = 0;
    let oldest = Infinity;
    for (const s of this.byId.values()) {
      if (s.n > 0) headSeries++;
      if (s.firstT < oldest) oldest = s.firstT;
    }
    return {
      series: this.byId.size,
      headSeries,
      samples: this.chunks.samples + this.headSamples,
      bytesOnDisk: this.store.bytesOnDisk(),
      chunks: this.chunks.count,
      oldestMs: oldest === Infinity ? undefined : oldest,
    };
  }

  /**
   * Housekeeping, called on a timer by the hub: cuts head chunks whose window has passed,
   * applies retention by time and by size, and merges finished windows of head chunks into
   * compact chunks. Merging stops after `budgetMs` (default 500 ms, so a timer never stalls
   * scrapes and queries for long; a window of 10,000 series takes some 30 s of CPU), and the
   * next call goes on. Returns whether everything was merged.
   *
   * @example while (!db.compact(Infinity)); // everything, now (tests, benchmarks)
   */
  compact(budgetMs = DEFAULT_COMPACT_BUDGET_MS): boolean {
    this.check();
    const started = performance.now();
    this.guard(() => this.flushIdleHeads());
    let deleted = false;
    if (this.retentionMs > 0 && this.maxT > -Infinity) {
      // "Now" is the newest sample, so old data loaded for tests or imports stays; but never
      // later than the clock, so one sample stamped in the future can't expire everything.
      const now = Math.min(this.maxT, Date.now());
      const gone = expireBefore(
        this.store,
        this.chunks,
        this.byId.values(),
        now - this.retentionMs,
      );
      this.refreshBounds(gone);
      deleted = gone.size > 0;
    }
    let done = false;
    this.guard(() => (done = this.mergeWindows(started, budgetMs)));
    if (this.retentionBytes > 0) {
      const bySize = expireBySize(
        this.store,
        this.chunks,
        () => this.byId.values(),
        this.retentionBytes,
        (touched) => this.refreshBounds(touched),
      );
      deleted ||= bySize;
    }
    if (deleted) this.store.shrink();
    else this.store.db.pragma('wal_checkpoint(TRUNCATE)');
    return done;
  }

  /** Cuts heads whose head window has ended (a later sample of any series was committed). */
  private flushIdleHeads(): void {
    let cut = false;
    this.store.tx(() => {
      for (const s of this.byId.values()) {
        if (s.n > 0 && (s.window + 1) * HEAD_WINDOW_MS <= this.maxT) {
          this.cutHead(s);
          cut = true;
        }
      }
      if (cut) this.truncateWal();
    });
  }

  /** Merges windows of head chunks until the budget is spent; true when none is left. */
  private mergeWindows(started: number, budgetMs: number): boolean {
    const todo = new Map<string, { id: number; w: number }>();
    for (const r of this.store.level0Chunks.iterate()) {
      const w = blockWindow(r.mint);
      const s = this.byId.get(r.series_id);
      // A window the head is still filling is merged once the head has moved on.
      if (s !== undefined && s.n > 0 && blockWindow(s.t[0]!) <= w) continue;
      const key = `${r.series_id}:${w}`;
      if (!this.unmergeable.has(key)) todo.set(key, { id: r.series_id, w });
    }
    for (const [key, { id, w }] of todo) {
      if (performance.now() - started > budgetMs) return false;
      try {
        mergeWindow(this.store, this.chunks, id, w);
      } catch (e) {
        // A chunk that doesn't decode stays as it is (queries over it report the error);
        // compaction goes on with the rest instead of failing on it at every call.
        if (!(e instanceof RangeError)) throw e;
        this.unmergeable.add(key);
      }
    }
    return true;
  }

  /** After retention: recomputes first timestamps, forgets series left without data. */
  private refreshBounds(touched: ReadonlySet<number>): void {
    if (touched.size === 0) return;
    const removed = new Map<number, Labels>();
    this.store.tx(() => {
      for (const id of touched) {
        const s = this.byId.get(id);
        if (s === undefined) continue;
        const mint = this.store.seriesMinT.get(id)?.mint ?? null;
        if (mint !== null) s.firstT = mint;
        else if (s.n > 0) s.firstT = s.t[0]!;
        else if (s.pendingOwner === undefined) {
          this.store.deleteSeries.run(id);
          removed.set(id, s.labels);
        }
      }
    });
    for (const id of removed.keys()) {
      const s = this.byId.get(id)!;
      s.deleted = true;
      this.byId.delete(id);
      this.byKey.delete(s.key);
    }
    if (removed.size > 0) this.postings.remove(removed);
  }

  /** Writes every open head as a chunk and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.guard(() =>
      this.store.tx(() => {
        for (const s of this.byId.values()) if (s.n > 0) this.cutHead(s);
        this.truncateWal();
      }),
    );
    this.store.db.pragma('wal_checkpoint(TRUNCATE)');
    this.store.close();
    this.closed = true;
  }

  // ---- Querier ----

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[] {
    this.check();
    const out: SeriesData[] = [];
    for (const s of this.matching(matchers, mint, maxt)) {
      const d = readSeries(this.chunks, s, mint, maxt);
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    this.check();
    const names = new Set<string>();
    for (const s of this.matching(matchers, mint, maxt)) for (const n in s.labels) names.add(n);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    this.check();
    const values = new Set<string>();
    for (const s of this.matching(matchers, mint, maxt)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    this.check();
    return this.matching(matchers, mint, maxt).map((s) => s.labels);
  }

  /** Series matching every matcher whose data range overlaps [mint, maxt], sorted by labels. */
  private matching(matchers: readonly Matcher[], mint: number, maxt: number): MemSeries[] {
    const sel = this.postings.select(matchers);
    const out: MemSeries[] = [];
    const consider = (s: MemSeries | undefined): void => {
      if (s === undefined || s.firstT > maxt || s.lastT < mint) return;
      if (sel.filters.length > 0 && !matchesAll(s.labels, sel.filters)) return;
      out.push(s);
    };
    if (sel.ids === undefined) for (const s of this.byId.values()) consider(s);
    else for (const id of sel.ids) consider(this.byId.get(id));
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---- loading ----

  private load(): void {
    // After a failed write the old objects may still sit in appenders: mark them so those
    // look their series up again.
    if (this.byId !== undefined) for (const s of this.byId.values()) s.deleted = true;
    this.chunks = new Chunks(this.store);
    this.postings = new Postings();
    this.byId = new Map();
    this.byKey = new Map();
    this.byLabels = new WeakMap();
    this.meta = new Map();
    this.headSamples = 0;
    this.maxT = -Infinity;
    this.nextId = 1;
    for (const row of this.store.allSeries.iterate()) {
      const labels = Object.freeze(JSON.parse(row.labels) as Record<string, string>);
      const s = new MemSeries(row.id, labels, labelsKey(labels), true);
      this.addSeries(s);
      if (row.id >= this.nextId) this.nextId = row.id + 1;
    }
    for (const b of this.store.seriesBounds.iterate()) {
      const s = this.byId.get(b.series_id);
      if (s === undefined) continue;
      s.firstT = b.mint;
      s.lastT = b.maxt;
      if (b.maxt > this.maxT) this.maxT = b.maxt;
    }
    for (const m of this.store.allMetadata.iterate()) {
      this.meta.set(m.metric, { type: m.type, help: m.help, unit: m.unit });
    }
    const wal = this.store.allWal.all();
    if (wal.length === 0) return;
    this.store.tx(() => {
      let cut = false;
      for (const row of wal) {
        let rec;
        try {
          rec = decodeWal(row.data);
        } catch (e) {
          throw new Error(
            `TSDB ${this.store.path}: WAL row ${row.id} is unreadable (${(e as Error).message})`,
          );
        }
        for (let i = 0; i < rec.t.length; i++) {
          const s = this.byId.get(rec.ids[i]!);
          if (s !== undefined && this.apply(s, rec.t[i]!, rec.v[i]!, row.id)) cut = true;
        }
      }
      if (cut) this.truncateWal();
    });
  }

  private addSeries(s: MemSeries): void {
    this.byId.set(s.id, s);
    this.byKey.set(s.key, s);
    this.postings.add(s.id, s.labels);
  }

  /**
   * Runs a write; if it throws, the transaction was rolled back but memory may be ahead of
   * the file, so the in-memory state is rebuilt from the file before rethrowing.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      try {
        this.load();
      } catch {
        // the original error says more than a failed reload
      }
      throw e;
    }
  }

  private check(): void {
    if (this.closed) throw new Error(`TSDB ${this.options.dir} is closed`);
  }
}

/** A frozen copy of a label set without empty values (an empty label is an absent one). */
function normalize(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n in labels) {
    const v = labels[n]!;
    if (v !== '') out[n] = v;
  }
  return Object.freeze(out);
}
