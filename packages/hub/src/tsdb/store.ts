/**
 * The SQLite side of the TSDB: schema, pragmas and prepared statements. Everything durable is
 * here; the in-memory head and index are rebuilt from it on open.
 *
 * - `series`: one row per series, labels as JSON.
 * - `chunks`: compressed values of one series over a time range. Negative ids are head
 *   chunks (level 0) cut on ingest, positive ones were re-encoded by compaction over a whole
 *   window (level 1): compaction finds its work with a rowid range scan, without an index.
 * - `timestamps`: compressed timestamp blobs, shared by every chunk with the same timestamps
 *   (all series of one target scraped together), reference-counted. The id is taken from a
 *   digest of the blob (probing on the rare collision), so no index on the digest is needed.
 * - `wal`: one row per commit with that commit's samples, until they are in chunks.
 * - `metadata`: TYPE/HELP/UNIT per metric name.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';

const SCHEMA_VERSION = 1;
/** Page size of a new database, bytes (only applies before the first table is created). */
const PAGE_SIZE = 16384;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, labels TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timestamps (
  id INTEGER PRIMARY KEY, hash BLOB NOT NULL, refs INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, mint INTEGER NOT NULL,
  maxt INTEGER NOT NULL, n INTEGER NOT NULL, ts_id INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_series ON chunks (series_id, maxt);
CREATE TABLE IF NOT EXISTS wal (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS metadata (
  metric TEXT PRIMARY KEY, type TEXT NOT NULL, help TEXT NOT NULL, unit TEXT NOT NULL) WITHOUT ROWID;
`;

/** A chunk row without its values blob, as a query lists them (the values may be cached). */
export interface ChunkRef {
  id: number;
  mint: number;
  maxt: number;
  n: number;
  ts_id: number;
}

/** A chunk row as read for a compaction. */
export interface ChunkRow extends ChunkRef {
  data: Uint8Array;
}

/** Per-series bounds of the stored chunks, read on open. */
export interface SeriesBounds {
  series_id: number;
  mint: number;
  maxt: number;
}

/** The database file and its statements. */
export class Store {
  readonly db: Database.Database;
  /** Path of the SQLite file. */
  readonly path: string;
  readonly insertSeries: Statement<[number, string]>;
  readonly deleteSeries: Statement<[number]>;
  readonly allSeries: Statement<[], { id: number; labels: string }>;
  readonly insertChunk: Statement<[number, number, number, number, number, number, Uint8Array]>;
  readonly chunkIdRange: Statement<[], { min: number | null; max: number | null }>;
  readonly deleteChunk: Statement<[number]>;
  readonly chunksInRange: Statement<[number, number, number], ChunkRow>;
  readonly chunkRefsOfSeries: Statement<[number], ChunkRef>;
  readonly chunkData: Statement<[number], { data: Uint8Array } | undefined>;
  readonly seriesBounds: Statement<[], SeriesBounds>;
  readonly chunkTotals: Statement<[], { chunks: number; samples: number | null }>;
  readonly level0Chunks: Statement<[], { series_id: number; mint: number }>;
  readonly chunkMeta: Statement<
    [number],
    { id: number; series_id: number; n: number; ts_id: number } | undefined
  >;
  readonly chunksBefore: Statement<[number, number], { id: number }>;
  readonly seriesMinT: Statement<[number], { mint: number | null; maxt: number | null }>;
  readonly timestampsHash: Statement<[number], { hash: Uint8Array } | undefined>;
  readonly timestampsById: Statement<[number], { data: Uint8Array } | undefined>;
  readonly insertTimestamps: Statement<[number, Uint8Array, Uint8Array]>;
  readonly refTimestamps: Statement<[number]>;
  readonly unrefTimestamps: Statement<[number], { refs: number } | undefined>;
  readonly deleteTimestamps: Statement<[number]>;
  readonly insertWal: Statement<[Uint8Array]>;
  readonly allWal: Statement<[], { id: number; data: Uint8Array }>;
  readonly truncateWal: Statement<[number]>;
  readonly upsertMetadata: Statement<[string, string, string, string]>;
  readonly allMetadata: Statement<[], { metric: string; type: string; help: string; unit: string }>;

  /** Opens (creating if needed) `dir/tsdb.sqlite`. */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'tsdb.sqlite');
    // A short busy timeout: the only other user of the file would be a second TSDB.
    const db = new Database(this.path, { timeout: 1000 });
    this.db = db;
    try {
      // Both only take effect before the first table exists (page_size must come first).
      // Chunks are around a kilobyte: 4 KiB pages would leave a fifth of every page unused.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      // Lets retention give pages back to the file system without a full VACUUM.
      db.pragma('auto_vacuum = INCREMENTAL');
      // One writer owns the head: a second process on the same directory fails here.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL survives a killed process (kill -9); only a power loss can drop
      // the last commits, and never corrupts the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -16000');
      db.exec(SCHEMA);
    } catch (e) {
      db.close();
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        throw new Error(`TSDB ${dir} is in use by another process (${this.path} is locked)`);
      }
      throw e;
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    else if (version !== SCHEMA_VERSION) {
      db.close();
      throw new Error(
        `TSDB ${this.path} has schema version ${version}, this build reads ${SCHEMA_VERSION}`,
      );
    }
    this.insertSeries = db.prepare('INSERT INTO series (id, labels) VALUES (?, ?)');
    this.deleteSeries = db.prepare('DELETE FROM series WHERE id = ?');
    this.allSeries = db.prepare('SELECT id, labels FROM series ORDER BY id');
    this.insertChunk = db.prepare(
      'INSERT INTO chunks (id, series_id, mint, maxt, n, ts_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.chunkIdRange = db.prepare('SELECT min(id) AS min, max(id) AS max FROM chunks');
    this.deleteChunk = db.prepare('DELETE FROM chunks WHERE id = ?');
    this.chunksInRange = db.prepare(
      'SELECT id, mint, maxt, n, ts_id, data FROM chunks ' +
        'WHERE series_id = ? AND maxt >= ? AND mint <= ? ORDER BY mint',
    );
    // Without the blobs (half of the time of reading the rows): queries mostly find the
    // values in the cache and fetch the few others by id.
    this.chunkRefsOfSeries = db.prepare(
      'SELECT id, mint, maxt, n, ts_id FROM chunks WHERE series_id = ? ORDER BY mint',
    );
    this.chunkData = db.prepare('SELECT data FROM chunks WHERE id = ?');
    this.seriesBounds = db.prepare(
      'SELECT series_id, min(mint) AS mint, max(maxt) AS maxt FROM chunks GROUP BY series_id',
    );
    this.chunkTotals = db.prepare('SELECT count(*) AS chunks, sum(n) AS samples FROM chunks');
    this.level0Chunks = db.prepare('SELECT series_id, mint FROM chunks WHERE id < 0');
    this.chunkMeta = db.prepare('SELECT id, series_id, n, ts_id FROM chunks WHERE id = ?');
    this.chunksBefore = db.prepare('SELECT id FROM chunks WHERE series_id = ? AND maxt < ?');
    // min(maxt) is the end of the series' oldest chunk (chunks of a series don't overlap).
    this.seriesMinT = db.prepare(
      'SELECT min(mint) AS mint, min(maxt) AS maxt FROM chunks WHERE series_id = ?',
    );
    this.timestampsHash = db.prepare('SELECT hash FROM timestamps WHERE id = ?');
    this.timestampsById = db.prepare('SELECT data FROM timestamps WHERE id = ?');
    this.insertTimestamps = db.prepare(
      'INSERT INTO timestamps (id, hash, refs, data) VALUES (?, ?, 1, ?)',
    );
    this.refTimestamps = db.prepare('UPDATE timestamps SET refs = refs + 1 WHERE id = ?');
    this.unrefTimestamps = db.prepare(
      'UPDATE timestamps SET refs = refs - 1 WHERE id = ? RETURNING refs',
    );
    this.deleteTimestamps = db.prepare('DELETE FROM timestamps WHERE id = ?');
    this.insertWal = db.prepare('INSERT INTO wal (data) VALUES (?)');
    this.allWal = db.prepare('SELECT id, data FROM wal ORDER BY id');
    this.truncateWal = db.prepare('DELETE FROM wal WHERE id < ?');
    this.upsertMetadata = db.prepare(
      'INSERT INTO metadata (metric, type, help, unit) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (metric) DO UPDATE SET type = excluded.type, help = excluded.help, unit = excluded.unit',
    );
    this.allMetadata = db.prepare('SELECT metric, type, help, unit FROM metadata');
  }

  /** Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT, rolled back if it throws). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Size of the database file plus its write-ahead log, bytes. */
  bytesOnDisk(): number {
    let n = 0;
    for (const p of [this.path, `${this.path}-wal`]) {
      try {
        n += statSync(p).size;
      } catch {
        // no -wal file right after a truncating checkpoint
      }
    }
    return n;
  }

  /** Returns free pages to the file system and empties the SQLite write-ahead log. */
  shrink(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}

/** A 16-byte digest naming a timestamps blob (equal digests are taken as equal blobs). */
export function digest(raw: Uint8Array): Uint8Array {
  return createHash('sha256').update(raw).digest().subarray(0, 16);
}
