/**
 * An endpoint's durable queue: `<data>/remote-write/<name>/queue.sqlite`, one row per
 * committed batch of samples (a snappy-compressed WriteRequest, ready to concatenate with
 * its neighbours). Rows survive restarts; the queue is bounded in bytes, and when a new row
 * would pass the bound the oldest rows go (counted as dropped).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** One queued row. */
export interface QueuedBatch {
  readonly id: number;
  readonly samples: number;
  readonly body: Uint8Array;
}

/**
 * A bounded, durable FIFO of encoded batches.
 *
 * @example
 * const q = new DurableQueue('.canopy/remote-write/vm', 256 * 2 ** 20);
 * q.push(body, 120); q.peek(2000); q.ack(lastId); q.close();
 */
export class DurableQueue {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[Uint8Array, number]>;
  private readonly oldest: Database.Statement<
    [number],
    { id: number; samples: number; bytes: number }
  >;
  private readonly upTo: Database.Statement<
    [number],
    { samples: number | null; bytes: number | null }
  >;
  private readonly deleteUpTo: Database.Statement<[number]>;
  private readonly read: Database.Statement<[number, number], QueuedBatch>;
  /** Samples queued. */
  pendingSamples = 0;
  /** Bytes queued (compressed bodies). */
  bytes = 0;
  /** Samples dropped because the queue was full. */
  droppedSamples = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'queue.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL: a committed row survives a killed process; only a power cut may lose the last ones.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY AUTOINCREMENT, samples INTEGER NOT NULL, body BLOB NOT NULL)',
    );
    this.insert = this.db.prepare('INSERT INTO batches (body, samples) VALUES (?, ?)');
    this.oldest = this.db.prepare(
      'SELECT id, samples, length(body) AS bytes FROM batches ORDER BY id LIMIT ?',
    );
    this.upTo = this.db.prepare(
      'SELECT sum(samples) AS samples, sum(length(body)) AS bytes FROM batches WHERE id <= ?',
    );
    this.deleteUpTo = this.db.prepare('DELETE FROM batches WHERE id <= ?');
    this.read = this.db.prepare(
      'SELECT id, samples, body FROM batches WHERE id > ? ORDER BY id LIMIT ?',
    );
    const t = this.db
      .prepare('SELECT sum(samples) AS samples, sum(length(body)) AS bytes FROM batches')
      .get() as { samples: number | null; bytes: number | null };
    this.pendingSamples = t.samples ?? 0;
    this.bytes = t.bytes ?? 0;
  }

  /** Appends a batch; drops the oldest batches while the queue is over its bound. */
  push(body: Uint8Array, samples: number): void {
    this.insert.run(body, samples);
    this.pendingSamples += samples;
    this.bytes += body.length;
    if (this.bytes > this.maxBytes) this.trim();
  }

  private trim(): void {
    // Drop whole rows from the front until under the bound (at least one row, never the last).
    let over = this.bytes - this.maxBytes;
    let last = -1;
    for (const r of this.oldest.iterate(1_000_000)) {
      if (over <= 0) break;
      over -= r.bytes;
      last = r.id;
    }
    if (last >= 0) this.droppedSamples += this.remove(last);
  }

  /** Removes every batch up to `id`; returns the samples removed. */
  private remove(id: number): number {
    let samples = 0;
    this.db.transaction(() => {
      const r = this.upTo.get(id)!;
      samples = r.samples ?? 0;
      this.deleteUpTo.run(id);
      this.pendingSamples -= samples;
      this.bytes -= r.bytes ?? 0;
    })();
    return samples;
  }

  /** The oldest batches, together at least `samples` samples (or all there are). */
  peek(samples: number): QueuedBatch[] {
    const out: QueuedBatch[] = [];
    let n = 0;
    let after = 0;
    while (n < samples) {
      const rows = this.read.all(after, 64);
      if (rows.length === 0) break;
      for (const r of rows) {
        if (n >= samples) break;
        out.push(r);
        n += r.samples;
        after = r.id;
      }
    }
    return out;
  }

  /** Removes every batch up to `id` (sent, or refused for good); returns their samples. */
  ack(id: number): number {
    return this.remove(id);
  }

  /** Closes the database; the rows stay for the next start. */
  close(): void {
    this.db.close();
  }
}
