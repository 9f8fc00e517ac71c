import Database from 'better-sqlite3';

/** Version of the schema below, kept in SQLite's `user_version`. */
export const SCHEMA_VERSION = 1;

/**
 * The event store's tables.
 *
 * `events.rowid` is declared (an alias of SQLite's rowid) rather than left implicit because
 * an implicit rowid may be renumbered by `VACUUM`, which would break read cursors; the event
 * id is therefore `UNIQUE` instead of the primary key, which behaves the same for
 * `INSERT OR IGNORE`.
 *
 * `streams` keeps, per (namespace, author), the highest sequence number stored and how many
 * distinct sequence numbers are stored, so gaps are found without scanning `events`.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  rowid      INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  ns         TEXT    NOT NULL,
  author     TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  body       TEXT    NOT NULL,
  sig        TEXT    NOT NULL,
  backfilled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_stream ON events (ns, author, seq);
CREATE TABLE IF NOT EXISTS streams (
  ns      TEXT    NOT NULL,
  author  TEXT    NOT NULL,
  max_seq INTEGER NOT NULL,
  seqs    INTEGER NOT NULL,
  PRIMARY KEY (ns, author)
) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) the storage database at `path` (or `':memory:'`) in WAL mode
 * with `synchronous=NORMAL`: a commit is durable against a process crash, and against power
 * loss up to the last checkpoint — the usual trade for an event store that can backfill.
 *
 * Throws, with the path and the version found, for a database of a newer schema.
 *
 * @example const db = openDatabase('/var/lib/canopy/storage.db');
 */
export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new Error(
        `storage database ${path} has schema version ${version}, newer than this build's ` +
          `${SCHEMA_VERSION}: run a newer canopy or point --db at another file`,
      );
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
