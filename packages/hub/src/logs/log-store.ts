/**
 * Recent log lines in SQLite (`<data>/logs.sqlite`, WAL) with an FTS5 index over the message
 * and the other fields' text. Bounded by rows and by bytes: past either bound the oldest
 * lines are deleted. Indexes on time, service and trace id serve the log view's filters.
 */

import Database from 'better-sqlite3';
import { BadData } from '../api/params.js';
import { levelName, type LogRecord } from './log-line.js';

/** Options of {@link LogStore}. */
export interface LogStoreOptions {
  /** Lines kept. Default 500,000. */
  readonly maxRows?: number;
  /** Bytes of line text (message and fields) kept. Default 128 MiB. */
  readonly maxBytes?: number;
}

/** Filters of {@link LogStore.search}. */
export interface LogQuery {
  /** FTS5 query over message and fields (`timeout`, `"write failed"`, `dial AND NOT retry`). */
  readonly query?: string | undefined;
  readonly service?: string | undefined;
  /** Lowest pino level shown (30 = info). */
  readonly minLevel?: number | undefined;
  readonly traceId?: string | undefined;
  /** Time bounds, ms since the epoch (inclusive). */
  readonly startMs?: number | undefined;
  readonly endMs?: number | undefined;
  /** Default 200. */
  readonly limit?: number | undefined;
}

/** A line as `/api/v1/logs` shows it. */
export interface LogView {
  readonly timeMs: number;
  readonly service: string;
  readonly level: string;
  readonly msg: string;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly fields: Record<string, unknown>;
}

/** What the store counts, for the hub's self-metrics. */
export interface LogStoreStats {
  rows: number;
  bytes: number;
  appended: number;
  evicted: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  id       INTEGER PRIMARY KEY,
  time_ms  INTEGER NOT NULL,
  service  TEXT NOT NULL,
  level    INTEGER NOT NULL,
  msg      TEXT NOT NULL,
  trace_id TEXT,
  span_id  TEXT,
  fields   TEXT NOT NULL,
  bytes    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_time ON logs (time_ms);
CREATE INDEX IF NOT EXISTS logs_service_time ON logs (service, time_ms);
CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id) WHERE trace_id IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5 (
  msg, fields, content = 'logs', content_rowid = 'id'
);
CREATE TRIGGER IF NOT EXISTS logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts (rowid, msg, fields) VALUES (new.id, new.msg, new.fields);
END;
CREATE TRIGGER IF NOT EXISTS logs_fts_delete AFTER DELETE ON logs BEGIN
  INSERT INTO logs_fts (logs_fts, rowid, msg, fields) VALUES ('delete', old.id, old.msg, old.fields);
END;
`;

// Ids, numbers and index entries beside the text, roughly.
const ROW_OVERHEAD = 64;

interface Row {
  time_ms: number;
  service: string;
  level: number;
  msg: string;
  trace_id: string | null;
  span_id: string | null;
  fields: string;
}

/**
 * The log store. `append` is one transaction.
 *
 * @example
 * const logs = new LogStore('.canopy/logs.sqlite');
 * logs.append([parseCapturedLine(line, 'relay-a', Date.now())]);
 * logs.search({ query: 'timeout', minLevel: 40 });
 */
export class LogStore {
  readonly #db: Database.Database;
  readonly #maxRows: number;
  readonly #maxBytes: number;
  readonly #insert: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #deleteUpTo: Database.Statement;
  readonly #appendTx: (lines: readonly LogRecord[]) => void;
  /** Counters for the self-metrics. */
  readonly stats: LogStoreStats;

  /** Opens (or creates) the store at `path` (`:memory:` for tests). */
  constructor(path: string, o: LogStoreOptions = {}) {
    this.#maxRows = o.maxRows ?? 500_000;
    this.#maxBytes = o.maxBytes ?? 128 * 1024 * 1024;
    const db = new Database(path);
    this.#db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    this.#insert = db.prepare(
      `INSERT INTO logs (time_ms, service, level, msg, trace_id, span_id, fields, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#oldest = db.prepare('SELECT id, bytes FROM logs ORDER BY id LIMIT ?');
    this.#deleteUpTo = db.prepare('DELETE FROM logs WHERE id <= ?');
    const t = db
      .prepare('SELECT count(*) AS rows, coalesce(sum(bytes), 0) AS bytes FROM logs')
      .get() as { rows: number; bytes: number };
    this.stats = { rows: t.rows, bytes: t.bytes, appended: 0, evicted: 0 };
    this.#appendTx = db.transaction((lines: readonly LogRecord[]) => {
      for (const l of lines) {
        const fields = JSON.stringify(l.fields);
        const bytes = ROW_OVERHEAD + l.service.length + l.msg.length + fields.length;
        this.#insert.run(
          Math.round(l.timeMs),
          l.service,
          l.level,
          l.msg,
          l.traceId ?? null,
          l.spanId ?? null,
          fields,
          bytes,
        );
        this.stats.bytes += bytes;
      }
      this.stats.rows += lines.length;
      this.stats.appended += lines.length;
      this.#evict();
    });
  }

  /** Stores lines in one transaction, then deletes the oldest past the bounds. */
  append(lines: readonly LogRecord[]): void {
    if (lines.length > 0) this.#appendTx(lines);
  }

  #evict(): void {
    // Down to 90% of the bound that was passed, so a full store does not pay an eviction on
    // every append.
    while (this.stats.rows > this.#maxRows || this.stats.bytes > this.#maxBytes) {
      const rowsOver =
        this.stats.rows > this.#maxRows ? this.stats.rows - Math.floor(this.#maxRows * 0.9) : 0;
      const bytesOver =
        this.stats.bytes > this.#maxBytes ? this.stats.bytes - this.#maxBytes * 0.9 : 0;
      const rows = this.#oldest.all(Math.max(rowsOver, 1000)) as Array<{
        id: number;
        bytes: number;
      }>;
      if (rows.length === 0) return;
      let n = 0;
      let bytes = 0;
      for (const r of rows) {
        n++;
        bytes += r.bytes;
        if (n >= rowsOver && bytes >= bytesOver) break;
      }
      this.#deleteUpTo.run(rows[n - 1]!.id);
      this.stats.rows -= n;
      this.stats.bytes -= bytes;
      this.stats.evicted += n;
    }
  }

  /**
   * Lines matching `q`, newest first. Throws {@link BadData} for an FTS5 syntax error in
   * `q.query`.
   */
  search(q: LogQuery): LogView[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const fts = q.query !== undefined && q.query.trim() !== '';
    if (fts) {
      where.push('logs_fts MATCH ?');
      args.push(q.query!);
    }
    if (q.service !== undefined && q.service !== '') {
      where.push('service = ?');
      args.push(q.service);
    }
    if (q.minLevel !== undefined) {
      where.push('level >= ?');
      args.push(q.minLevel);
    }
    if (q.traceId !== undefined && q.traceId !== '') {
      where.push('trace_id = ?');
      args.push(q.traceId.toLowerCase());
    }
    if (q.startMs !== undefined && Number.isFinite(q.startMs)) {
      where.push('time_ms >= ?');
      args.push(Math.floor(q.startMs));
    }
    if (q.endMs !== undefined && Number.isFinite(q.endMs)) {
      where.push('time_ms <= ?');
      args.push(Math.ceil(q.endMs));
    }
    args.push(q.limit ?? 200);
    let rows: Row[];
    try {
      // With a text query, the newest matches by arrival (the FTS index walks rowids
      // backwards and stops at the limit; ordering all matches by time would sort them
      // all), then that page by time. Lines arrive in time order when captured.
      rows = this.#db
        .prepare(
          fts
            ? `SELECT logs.time_ms, logs.service, logs.level, logs.msg, logs.trace_id,
                 logs.span_id, logs.fields
               FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
               WHERE ${where.join(' AND ')} ORDER BY logs_fts.rowid DESC LIMIT ?`
            : `SELECT time_ms, service, level, msg, trace_id, span_id, fields FROM logs
               ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
               ORDER BY time_ms DESC, id DESC LIMIT ?`,
        )
        .all(...args) as Row[];
      if (fts) rows.sort((a, b) => b.time_ms - a.time_ms);
    } catch (e) {
      if (q.query !== undefined && (e as { code?: string }).code === 'SQLITE_ERROR')
        throw new BadData(
          `invalid parameter "query": ${(e as Error).message} (FTS5 syntax: words, "a phrase", prefix*, AND, OR, NOT, parentheses)`,
        );
      throw e;
    }
    return rows.map((r) => {
      const v: {
        timeMs: number;
        service: string;
        level: string;
        msg: string;
        traceId?: string;
        spanId?: string;
        fields: Record<string, unknown>;
      } = {
        timeMs: r.time_ms,
        service: r.service,
        level: levelName(r.level),
        msg: r.msg,
        fields: JSON.parse(r.fields) as Record<string, unknown>,
      };
      if (r.trace_id !== null) v.traceId = r.trace_id;
      if (r.span_id !== null) v.spanId = r.span_id;
      return v;
    });
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }
}
