/**
 * Reading a TSDB without touching it: a private copy in a temporary folder, opened as a TSDB.
 * Opening the original would write to it (replaying its WAL into chunks, cutting heads at
 * close), and the hub holds its database with an exclusive lock, so a running hub's store
 * can't be read at all; the copy is taken only when no hub has it open.
 */
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TSDB } from './tsdb.js';

/** A TSDB folder that can't be read; the message names it, says why and what to do. */
export class TsdbUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsdbUnavailable';
  }
}

/** A TSDB opened on a private copy; {@link TsdbSnapshot.close} closes and deletes the copy. */
export interface TsdbSnapshot {
  readonly db: TSDB;
  /** Bytes copied (database file and its SQLite write-ahead log). */
  readonly bytes: number;
  close(): void;
}

/** Options of {@link openSnapshot}. */
export interface SnapshotOptions {
  /** Folder for the copy. Default: the OS temporary folder (`TMPDIR`). */
  readonly tmpDir?: string;
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** Throws {@link TsdbUnavailable} if a process (a running hub) holds the database. */
function checkNotInUse(file: string, dir: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    const c = code(e);
    if (c === 'SQLITE_BUSY' || c === 'SQLITE_LOCKED')
      throw new TsdbUnavailable(
        `${dir} is in use by a running hub (${file} is locked): stop \`canopy hub\` / ` +
          '`canopy up` first, or copy the data folder while the hub is stopped and point at the copy',
      );
    throw new TsdbUnavailable(`${file} is not a readable TSDB (${(e as Error).message})`);
  } finally {
    db?.close();
  }
}

/**
 * Copies the TSDB in `dir` (the hub's `<data>/tsdb`) to a temporary folder and opens the
 * copy, so the caller may read it (and the TSDB may replay its WAL) without changing the
 * original. Retention is off on the copy. Throws {@link TsdbUnavailable} when `dir` is
 * missing, holds no TSDB, can't be read or copied, or is open in a running hub.
 *
 * @example
 * const snap = openSnapshot('.canopy/tsdb');
 * try { snap.db.select(matchers, from, to); } finally { snap.close(); }
 */
export function openSnapshot(dir: string, o: SnapshotOptions = {}): TsdbSnapshot {
  const file = join(dir, 'tsdb.sqlite');
  try {
    if (!statSync(dir).isDirectory()) throw new TsdbUnavailable(`${dir} is not a folder`);
  } catch (e) {
    if (e instanceof TsdbUnavailable) throw e;
    throw new TsdbUnavailable(
      code(e) === 'ENOENT'
        ? `${dir} does not exist: no hub has stored data there`
        : `cannot read ${dir} (${code(e) ?? (e as Error).message})`,
    );
  }
  if (!existsSync(file))
    throw new TsdbUnavailable(
      `${dir} holds no TSDB (${file} is missing): no hub has stored data there`,
    );
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    throw new TsdbUnavailable(`cannot read ${file} (${code(e) ?? (e as Error).message})`);
  }
  const wal = `${file}-wal`;
  // A hub has a SQLite write-ahead log from its first commit until it closes; without one,
  // none is running, and probing would leave a new log and index in the folder.
  const hasWal = existsSync(wal);
  if (hasWal) checkNotInUse(file, dir);
  let tmp: string;
  try {
    tmp = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'canopy-tsdb-snapshot-'));
  } catch (e) {
    throw new TsdbUnavailable(
      `cannot create a temporary folder for a copy of ${dir} (${code(e) ?? (e as Error).message}): set TMPDIR to a writable folder`,
    );
  }
  let bytes = 0;
  try {
    copyFileSync(file, join(tmp, 'tsdb.sqlite'));
    bytes += statSync(file).size;
    if (hasWal) {
      copyFileSync(wal, join(tmp, 'tsdb.sqlite-wal'));
      bytes += statSync(wal).size;
    } else if (existsSync(wal)) {
      throw new TsdbUnavailable(
        `${dir} was opened by a hub while it was being copied: stop the hub and try again`,
      );
    }
    const db = TSDB.open({ dir: tmp, retentionMs: 0 });
    let closed = false;
    return {
      db,
      bytes,
      close() {
        if (closed) return;
        closed = true;
        try {
          db.close();
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof TsdbUnavailable) throw e;
    const c = code(e);
    if (c === 'ENOSPC')
      throw new TsdbUnavailable(
        `no space left in ${o.tmpDir ?? tmpdir()} for a copy of ${file}: set TMPDIR to a folder with more room`,
      );
    throw new TsdbUnavailable(`cannot open a copy of ${file}: ${(e as Error).message}`);
  }
}
