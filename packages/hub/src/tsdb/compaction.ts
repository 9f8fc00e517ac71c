/**
 * Compaction: the head chunks (level 0, ~30 min each, fast compression) of a series within
 * one window of {@link BLOCK_WINDOW_MS} are re-encoded as one chunk (level 1, brotli at a
 * high quality). Larger chunks compress better and cost fewer rows; all series of a target
 * get identical timestamp blobs for a window, stored once.
 */
import type { Chunks, Samples } from './chunks.js';
import { compress, encodeValues } from './encoding.js';
import { BLOCK_MAX_SAMPLES, BLOCK_WINDOW_MS } from './head.js';
import type { Store } from './store.js';

/**
 * Values blobs larger than this are split into 2, 4, 8… chunks: SQLite packs rows into pages
 * whole, so a few big rows leave large holes in the 16 KiB pages (measured on catalog-like
 * data: 10% of the chunks table unsplit, 5% split at 3 KiB).
 */
const MAX_ROW_BYTES = 3072;

/** Merges every chunk of a series in window `w` into level-1 chunks (one transaction). */
export function mergeWindow(store: Store, chunks: Chunks, seriesId: number, w: number): void {
  const start = w * BLOCK_WINDOW_MS;
  const rows = chunks.rows(seriesId, start, start + BLOCK_WINDOW_MS - 1);
  if (rows.length === 0 || (rows.length === 1 && rows[0]!.id > 0)) return;
  const parts: Samples[] = rows.map((r) => chunks.decode(r, false));
  const merged = concat(parts);
  const n = merged.t.length;
  let pieces = pow2(Math.ceil(n / BLOCK_MAX_SAMPLES));
  let whole: Uint8Array | undefined;
  if (pieces === 1) {
    whole = compress(encodeValues(merged.v), 'small');
    if (whole.length > MAX_ROW_BYTES) {
      pieces = pow2(Math.ceil(whole.length / MAX_ROW_BYTES));
      whole = undefined;
    }
  }
  store.tx(() => {
    for (const r of rows) chunks.delete(r.id);
    // Piece boundaries depend only on the sample count, so series scraped together still
    // get identical timestamp blobs.
    for (let j = 0; j < pieces; j++) {
      const from = Math.floor((j * n) / pieces);
      const to = Math.floor(((j + 1) * n) / pieces);
      if (to > from) chunks.write(seriesId, merged.t, merged.v, from, to, 1, whole);
    }
  });
}

/** Smallest power of two ≥ n. */
function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
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
