/**
 * Compaction: the head chunks (level 0, ~30 min each, fast compression) of a series within
 * one window of {@link BLOCK_WINDOW_MS} are re-encoded as one chunk (level 1, brotli at a
 * high quality). Larger chunks compress better and cost fewer rows; all series of a target
 * get identical timestamp blobs for a window, stored once.
 */
import type { Chunks, Samples } from './chunks.js';
import { BLOCK_MAX_SAMPLES, BLOCK_WINDOW_MS } from './head.js';
import type { Store } from './store.js';

/** Merges every chunk of a series in window `w` into level-1 chunks (one transaction). */
export function mergeWindow(store: Store, chunks: Chunks, seriesId: number, w: number): void {
  const start = w * BLOCK_WINDOW_MS;
  const rows = chunks.rows(seriesId, start, start + BLOCK_WINDOW_MS - 1);
  if (rows.length === 0 || (rows.length === 1 && rows[0]!.level === 1)) return;
  const parts: Samples[] = rows.map((r) => chunks.decode(r));
  const merged = concat(parts);
  store.tx(() => {
    for (const r of rows) chunks.delete(r.id);
    const n = merged.t.length;
    const pieces = Math.ceil(n / BLOCK_MAX_SAMPLES);
    const size = Math.ceil(n / pieces);
    for (let from = 0; from < n; from += size) {
      chunks.write(seriesId, merged.t, merged.v, from, Math.min(n, from + size), 1);
    }
  });
}

/** Concatenates chunks in time order, dropping any sample not later than the one before. */
export function concat(parts: readonly Samples[]): Samples {
  let n = 0;
  for (const p of parts) n += p.t.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let k = 0;
  let last = -Infinity;
  for (const p of parts) {
    let i = 0;
    while (i < p.t.length && p.t[i]! <= last) i++;
    if (i === p.t.length) continue;
    t.set(p.t.subarray(i), k);
    v.set(p.v.subarray(i), k);
    k += p.t.length - i;
    last = p.t[p.t.length - 1]!;
  }
  return k === n ? { t, v } : { t: t.slice(0, k), v: v.slice(0, k) };
}
