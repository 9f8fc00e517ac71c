/**
 * The notification log: per (receiver, alert group), which alerts the receiver was last told
 * about — the firing and the resolved fingerprints — and when. It is written only after the
 * chat service acknowledged the message, in SQLite, so:
 *
 * - a restart does not resend what was acknowledged (the dispatcher compares a group's alerts
 *   with this entry, as Alertmanager's nflog does);
 * - what was not acknowledged (a crash mid-send, retries exhausted) is sent again at the
 *   group's next flush: delivery is at-least-once.
 * @module
 */
import Database from 'better-sqlite3';

/** What a receiver was last told about one alert group. */
export interface LogEntry {
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  /** When that notification was acknowledged (ms). */
  readonly sentAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notification_groups (
  receiver   TEXT NOT NULL,
  group_key  TEXT NOT NULL,
  firing     TEXT NOT NULL,
  resolved   TEXT NOT NULL,
  sent_at    INTEGER NOT NULL,
  PRIMARY KEY (receiver, group_key)
) WITHOUT ROWID;
`;

/** The SQLite-backed notification log. */
export class NotificationLog {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;

  /**
   * Opens (or creates) the log at `path` (`:memory:` for tests).
   *
   * @example const log = new NotificationLog('.canopy/alerting.sqlite');
   */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#get = this.#db.prepare(
      'SELECT firing, resolved, sent_at FROM notification_groups WHERE receiver = ? AND group_key = ?',
    );
    this.#put = this.#db.prepare(
      `INSERT INTO notification_groups (receiver, group_key, firing, resolved, sent_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (receiver, group_key) DO UPDATE SET
         firing = excluded.firing, resolved = excluded.resolved, sent_at = excluded.sent_at`,
    );
  }

  /** The last acknowledged notification of a group, or undefined. */
  get(receiver: string, groupKey: string): LogEntry | undefined {
    const row = this.#get.get(receiver, groupKey) as
      { firing: string; resolved: string; sent_at: number } | undefined;
    if (row === undefined) return undefined;
    return {
      firing: new Set(JSON.parse(row.firing) as string[]),
      resolved: new Set(JSON.parse(row.resolved) as string[]),
      sentAt: row.sent_at,
    };
  }

  /** Records an acknowledged notification of a group (durable when this returns). */
  record(
    receiver: string,
    groupKey: string,
    firing: Iterable<string>,
    resolved: Iterable<string>,
    sentAt: number,
  ): void {
    this.#put.run(
      receiver,
      groupKey,
      JSON.stringify([...firing].sort()),
      JSON.stringify([...resolved].sort()),
      sentAt,
    );
  }

  /** Deletes entries last sent before `cutoffMs` (groups long gone); returns how many. */
  prune(cutoffMs: number): number {
    return this.#db.prepare('DELETE FROM notification_groups WHERE sent_at < ?').run(cutoffMs)
      .changes;
  }

  close(): void {
    this.#db.close();
  }
}
