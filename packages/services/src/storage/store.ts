import type Database from 'better-sqlite3';
import { eventId, type SignedEvent } from '../protocol/event.js';
import { openDatabase } from './schema.js';

/** Outcome of writing one batch. */
export interface WriteResult {
  /** Events newly stored. */
  readonly stored: number;
  /** Events already present (by event id), ignored. */
  readonly duplicates: number;
}

/** An event read back by cursor, with its position. */
export interface StoredEvent {
  /** Position in write order; pass as `after` to continue. */
  readonly rowid: number;
  readonly event: SignedEvent;
}

/** A (namespace, author) stream with at least one missing sequence number. */
export interface GappyStream {
  readonly ns: string;
  readonly author: string;
  /** Highest sequence number stored. */
  readonly maxSeq: number;
}

interface StreamKey {
  ns: string;
  author: string;
}

interface EventRow {
  rowid: number;
  ns: string;
  author: string;
  seq: number;
  ts: number;
  body: string;
  sig: string;
}

function toEvent(r: EventRow): SignedEvent {
  return { ns: r.ns, author: r.author, seq: r.seq, ts: r.ts, body: r.body, sig: r.sig };
}

/**
 * The SQLite event store: statements prepared once, each batch one transaction. Only the
 * `storage_writer` actor calls {@link EventStore.write}; reads may come from anywhere on the
 * same thread (better-sqlite3 is synchronous, so a read never sees half a batch).
 *
 * @example
 * const store = new EventStore(':memory:');
 * store.write([ev], false); // { stored: 1, duplicates: 0 }
 * store.readAfter(0, 100);
 */
export class EventStore {
  /** The open database. */
  readonly db: Database.Database;
  private total: number;
  private readonly writeTx: (events: readonly SignedEvent[], backfilled: boolean) => WriteResult;
  private readonly q: {
    insert: Database.Statement<[string, string, string, number, number, string, string, number]>;
    seqCount: Database.Statement<[string, string, number], number>;
    bumpStream: Database.Statement<[StreamKey & { seq: number }]>;
    after: Database.Statement<[number, number], EventRow>;
    stream: Database.Statement<[string, string, number, number], EventRow>;
    gappy: Database.Statement<
      [string, string, number],
      { ns: string; author: string; max_seq: number }
    >;
    hasSeq: Database.Statement<[string, string, number], number>;
    runEnd: Database.Statement<[StreamKey], number>;
  };

  /** Opens the store at `path` (a file, or `':memory:'`). */
  constructor(readonly path: string) {
    this.db = openDatabase(path);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO events (id, ns, author, seq, ts, body, sig, backfilled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      seqCount: db
        .prepare<[string, string, number], number>(
          'SELECT COUNT(*) FROM events WHERE ns = ? AND author = ? AND seq = ?',
        )
        .pluck(),
      bumpStream: db.prepare(
        `INSERT INTO streams (ns, author, max_seq, seqs) VALUES (@ns, @author, @seq, 1)
         ON CONFLICT (ns, author) DO UPDATE SET max_seq = MAX(max_seq, @seq), seqs = seqs + 1`,
      ),
      after: db.prepare(
        'SELECT rowid, ns, author, seq, ts, body, sig FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?',
      ),
      stream: db.prepare(
        `SELECT rowid, ns, author, seq, ts, body, sig FROM events
         WHERE ns = ? AND author = ? AND seq > ? ORDER BY seq, rowid LIMIT ?`,
      ),
      gappy: db.prepare(
        `SELECT ns, author, max_seq FROM streams
         WHERE seqs < max_seq AND (ns, author) > (?, ?) ORDER BY ns, author LIMIT ?`,
      ),
      hasSeq: db
        .prepare<[string, string, number], number>(
          'SELECT EXISTS (SELECT 1 FROM events WHERE ns = ? AND author = ? AND seq = ?)',
        )
        .pluck(),
      // The last sequence number of the first contiguous run: the first present `seq`
      // whose successor is missing (walks the stream index from the start).
      runEnd: db
        .prepare<[StreamKey], number>(
          `SELECT e.seq FROM events e WHERE e.ns = @ns AND e.author = @author AND NOT EXISTS
             (SELECT 1 FROM events f WHERE f.ns = @ns AND f.author = @author AND f.seq = e.seq + 1)
           ORDER BY e.seq LIMIT 1`,
        )
        .pluck(),
    };
    this.total = db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
    this.writeTx = db.transaction((events: readonly SignedEvent[], backfilled: boolean) => {
      const q = this.q;
      const flag = backfilled ? 1 : 0;
      let stored = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const r = q.insert.run(eventId(e), e.ns, e.author, e.seq, e.ts, e.body, e.sig, flag);
        if (r.changes === 0) continue;
        stored++;
        // A second event with the same seq (an equivocating author) is not a new seq.
        if (q.seqCount.get(e.ns, e.author, e.seq) === 1)
          q.bumpStream.run({ ns: e.ns, author: e.author, seq: e.seq });
      }
      return { stored, duplicates: events.length - stored };
    });
  }

  /** Events stored. */
  get count(): number {
    return this.total;
  }

  /**
   * Writes a batch in one transaction; events already present are counted as duplicates.
   * Events must already be checked (shape and signature).
   */
  write(events: readonly SignedEvent[], backfilled: boolean): WriteResult {
    const r = this.writeTx(events, backfilled);
    this.total += r.stored;
    return r;
  }

  /** Up to `limit` events with rowid > `after`, in write order. */
  readAfter(after: number, limit: number): StoredEvent[] {
    const rows = this.q.after.all(after, limit);
    const out = new Array<StoredEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { rowid: r.rowid, event: toEvent(r) };
    }
    return out;
  }

  /** Up to `limit` events of one (namespace, author) stream with seq > `afterSeq`, by seq. */
  readStream(ns: string, author: string, afterSeq: number, limit: number): SignedEvent[] {
    const rows = this.q.stream.all(ns, author, afterSeq, limit);
    const out = new Array<SignedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = toEvent(rows[i]!);
    return out;
  }

  /**
   * Up to `limit` streams with a gap, in (ns, author) order after the given position (pass
   * `''`, `''` to start over): lets callers go round-robin over all gappy streams.
   */
  gappyStreams(afterNs: string, afterAuthor: string, limit: number): GappyStream[] {
    const rows = this.q.gappy.all(afterNs, afterAuthor, limit);
    const out = new Array<GappyStream>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { ns: r.ns, author: r.author, maxSeq: r.max_seq };
    }
    return out;
  }

  /**
   * The sequence number just before the first missing one of a stream (0 if seq 1 is
   * missing): everything up to it is stored, the next one is not.
   */
  firstGapAfter(ns: string, author: string): number {
    if (this.q.hasSeq.get(ns, author, 1) !== 1) return 0;
    return this.q.runEnd.get({ ns, author }) ?? 0;
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
