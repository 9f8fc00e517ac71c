/**
 * The notification log: one SQLite row per (receiver, alert fingerprint, status, startsAt).
 * A row is written `pending` before sending and marked `sent` once the chat service
 * acknowledged it, so a restart resends exactly the unacknowledged ones (at-least-once,
 * no duplicates of acknowledged notifications).
 * @module
 */
import Database from 'better-sqlite3';
import { type Alert, alertFingerprint, dedupeKey } from './alert.js';

/** Delivery state of one logged notification. */
export type LogState = 'pending' | 'sent' | 'failed';

/** A pending notification read back from the log. */
export interface PendingEntry {
  key: string;
  receiver: string;
  alert: Alert;
  attempts: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notification_log (
  dedupe_key  TEXT PRIMARY KEY,
  receiver    TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      TEXT NOT NULL,
  starts_at   INTEGER NOT NULL,
  alert_json  TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  reason      TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notification_log_pending ON notification_log (state, receiver);
`;

/** The SQLite-backed notification log. */
export class NotificationLog {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #insert: Database.Statement;
  readonly #mark: Database.Statement;
  readonly #pending: Database.Statement;
  readonly #state: Database.Statement;

  /** Opens (or creates) the log at `path` (`:memory:` for tests). */
  constructor(path: string, opts: { now?: () => number } = {}) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#now = opts.now ?? Date.now;
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO notification_log
         (dedupe_key, receiver, fingerprint, status, starts_at, alert_json, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.#mark = this.#db.prepare(
      `UPDATE notification_log SET state = ?, reason = ?, attempts = attempts + ?, updated_at = ?
       WHERE dedupe_key = ?`,
    );
    this.#pending = this.#db.prepare(
      `SELECT dedupe_key, receiver, alert_json, attempts FROM notification_log
       WHERE state = 'pending' ORDER BY created_at, dedupe_key`,
    );
    this.#state = this.#db.prepare(`SELECT state FROM notification_log WHERE dedupe_key = ?`);
  }

  /**
   * Records `alerts` as pending for `receiver` and returns only those not logged before
   * (in any state); one transaction.
   */
  claim(receiver: string, alerts: readonly Alert[]): Alert[] {
    const now = this.#now();
    const fresh: Alert[] = [];
    this.#db.transaction(() => {
      for (const a of alerts) {
        const r = this.#insert.run(
          dedupeKey(receiver, a),
          receiver,
          alertFingerprint(a.labels),
          a.status,
          a.startsAt,
          JSON.stringify(a),
          now,
          now,
        );
        if (r.changes === 1) fresh.push(a);
      }
    })();
    return fresh;
  }

  /** Marks the given alerts' rows as `state`, counting one attempt. */
  mark(receiver: string, alerts: readonly Alert[], state: LogState, reason?: string): void {
    const now = this.#now();
    this.#db.transaction(() => {
      for (const a of alerts) this.#mark.run(state, reason ?? null, 1, now, dedupeKey(receiver, a));
    })();
  }

  /** The state of one alert's row, or undefined when it was never logged. */
  stateOf(receiver: string, alert: Alert): LogState | undefined {
    const row = this.#state.get(dedupeKey(receiver, alert)) as { state: LogState } | undefined;
    return row?.state;
  }

  /** Every pending (unacknowledged) notification, oldest first. */
  pending(): PendingEntry[] {
    const rows = this.#pending.all() as {
      dedupe_key: string;
      receiver: string;
      alert_json: string;
      attempts: number;
    }[];
    return rows.map((r) => ({
      key: r.dedupe_key,
      receiver: r.receiver,
      alert: JSON.parse(r.alert_json) as Alert,
      attempts: r.attempts,
    }));
  }

  /** Deletes rows last updated before `cutoffMs`; returns how many. */
  prune(cutoffMs: number): number {
    return this.#db
      .prepare(`DELETE FROM notification_log WHERE state != 'pending' AND updated_at < ?`)
      .run(cutoffMs).changes;
  }

  close(): void {
    this.#db.close();
  }
}
