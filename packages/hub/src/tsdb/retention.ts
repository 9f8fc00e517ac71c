/**
 * Retention: by time (chunks whose newest sample is older than the cutoff go) and by size
 * (oldest chunks go until the database file fits). Only chunks are deleted: the head and
 * the WAL rows behind it hold the newest data.
 */
import type { Chunks } from './chunks.js';
import type { Store } from './store.js';

/** Size retention deletes at most this many batches per call before giving up. */
const MAX_SIZE_ROUNDS = 64;

/**
 * Deletes every chunk with all samples before `cutoff` (ms). Returns the ids of the series
 * that lost chunks.
 */
export function expireByTime(store: Store, chunks: Chunks, cutoff: number): Set<number> {
  const touched = new Set<number>();
  const rows = store.expiredChunks.all(cutoff);
  if (rows.length === 0) return touched;
  store.tx(() => {
    for (const r of rows) {
      chunks.delete(r.id);
      touched.add(r.series_id);
    }
  });
  return touched;
}

/**
 * Deletes the oldest chunks (by newest sample) until the database file plus its log is at
 * most `maxBytes`, returning pages to the file system as it goes. Returns the ids of the
 * series that lost chunks. Stops when no chunk is left.
 */
export function expireBySize(store: Store, chunks: Chunks, maxBytes: number): Set<number> {
  const touched = new Set<number>();
  store.shrink();
  for (let round = 0; round < MAX_SIZE_ROUNDS; round++) {
    const excess = store.bytesOnDisk() - maxBytes;
    if (excess <= 0) break;
    // Deleting chunks frees somewhat less than their blob bytes (pages stay partly used),
    // so each round overshoots a little and the loop re-measures.
    const batch = store.oldestChunks.all(4096);
    if (batch.length === 0) break;
    let freed = 0;
    store.tx(() => {
      for (const r of batch) {
        chunks.delete(r.id);
        touched.add(r.series_id);
        freed += r.bytes + 48;
        if (freed >= excess * 1.1) break;
      }
    });
    store.shrink();
  }
  return touched;
}
