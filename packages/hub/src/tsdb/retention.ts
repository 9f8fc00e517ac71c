/**
 * Retention: by time (chunks whose newest sample is older than the cutoff go) and by size
 * (the oldest chunks go until the database file fits). Only chunks are deleted: the head and
 * the WAL rows behind it hold the newest data.
 */
import type { Chunks } from './chunks.js';
import type { Store } from './store.js';

/** Size retention deletes at most this many layers of chunks per call. */
const MAX_SIZE_ROUNDS = 1000;

/** What retention needs to know of a series. */
export interface SeriesExtent {
  readonly id: number;
  /** Smallest stored timestamp (Infinity when none). */
  readonly firstT: number;
}

/**
 * Deletes every chunk whose samples are all before `cutoff` (ms), one transaction. Returns
 * the ids of the series that lost chunks.
 */
export function expireBefore(
  store: Store,
  chunks: Chunks,
  series: Iterable<SeriesExtent>,
  cutoff: number,
): Set<number> {
  const touched = new Set<number>();
  store.tx(() => {
    for (const s of series) {
      if (s.firstT >= cutoff) continue;
      for (const r of store.chunksBefore.all(s.id, cutoff)) {
        chunks.delete(r.id);
        touched.add(s.id);
      }
    }
  });
  return touched;
}

/**
 * Deletes the oldest chunks until the database file plus its log is at most `maxBytes`:
 * repeatedly the layer of chunks that end first across all series (series are scraped
 * together, so that is about one window of every series), returning pages to the file
 * system after each. `refresh` is called with the series that lost chunks, so their
 * extents are current for the next round. Stops when no chunk is left.
 */
export function expireBySize(
  store: Store,
  chunks: Chunks,
  series: () => Iterable<SeriesExtent>,
  maxBytes: number,
  refresh: (touched: ReadonlySet<number>) => void,
): boolean {
  let deleted = false;
  store.shrink();
  for (let round = 0; round < MAX_SIZE_ROUNDS && store.bytesOnDisk() > maxBytes; round++) {
    let oldestEnd = Infinity;
    for (const s of series()) {
      if (s.firstT === Infinity) continue;
      const end = store.seriesMinT.get(s.id)?.maxt ?? null;
      if (end !== null && end < oldestEnd) oldestEnd = end;
    }
    if (oldestEnd === Infinity) break;
    const touched = expireBefore(store, chunks, series(), oldestEnd + 1);
    if (touched.size === 0) break;
    deleted = true;
    refresh(touched);
    store.shrink();
  }
  return deleted;
}
