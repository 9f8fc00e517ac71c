import { statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Registry } from '@canopy/telemetry';
import { storage } from '@canopy/catalog';

/** Bytes of a file, 0 if it does not exist. */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Whether a better-sqlite3 path names a file on disk (not `:memory:` or an anonymous temp db). */
export function isFileDatabase(path: string): boolean {
  return path !== '' && path !== ':memory:' && !path.startsWith('file::memory:');
}

/**
 * Registers `storage_db_size_bytes` (main file + `-wal`), `storage_disk_free_bytes` and
 * `storage_disk_size_bytes` (of the volume holding the database, via `statfs`: free is what
 * an unprivileged process may still use) and returns a function that refreshes them. They
 * are also refreshed at every scrape. For an in-memory database they stay at 0.
 *
 * @example const refresh = registerDiskMetrics(registry, '/var/lib/canopy/storage.db');
 * setInterval(refresh, 1000).unref();
 */
export function registerDiskMetrics(registry: Registry, dbPath: string): () => void {
  const file = isFileDatabase(dbPath) ? resolve(dbPath) : undefined;
  const dir = file !== undefined ? dirname(file) : undefined;
  let refresh = (): void => {};
  const collect = (): void => refresh();
  const dbSize = registry.gauge(storage.dbSize, { collect }).labels();
  const diskFree = registry.gauge(storage.diskFree).labels();
  const diskSize = registry.gauge(storage.diskSize).labels();
  if (file === undefined || dir === undefined) return refresh;
  refresh = () => {
    dbSize.set(fileSize(file) + fileSize(file + '-wal'));
    try {
      const s = statfsSync(dir);
      diskFree.set(s.bavail * s.bsize);
      diskSize.set(s.blocks * s.bsize);
    } catch {
      // The volume went away or is unreadable: keep the last values rather than report 0 free.
    }
  };
  refresh();
  return refresh;
}
