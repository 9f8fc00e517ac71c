/**
 * Chunk rows: writing a head or a merged run of samples, reading a series' chunks over a
 * range, deleting. Timestamp blobs are interned (one row per distinct blob, counted
 * references) and their decoded form is cached, since a target's series share them.
 */
import {
  compress,
  decodeTimestamps,
  decodeValues,
  encodeTimestamps,
  encodeValues,
} from './encoding.js';
import type { CompressionLevel } from './encoding.js';
import type { ChunkRow, Store } from './store.js';
import { digest } from './store.js';

/** Decoded timestamps blobs kept for reuse across series and queries. */
const TIMESTAMP_CACHE_ENTRIES = 4096;

/** A decoded chunk. */
export interface Samples {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Chunk storage over a {@link Store}; keeps running totals for stats. */
export class Chunks {
  /** Chunk rows stored. */
  count = 0;
  /** Samples in stored chunks. */
  samples = 0;
  private readonly tsCache = new Map<number, Float64Array>();

  constructor(private readonly store: Store) {
    const totals = store.chunkTotals.get()!;
    this.count = totals.chunks;
    this.samples = totals.samples ?? 0;
  }

  /**
   * Writes samples `[from, to)` of one series as a chunk (call inside a transaction).
   * Level 0 is a head chunk (fast compression), level 1 a compacted one (small).
   */
  write(
    seriesId: number,
    t: Float64Array,
    v: Float64Array,
    from: number,
    to: number,
    level: 0 | 1,
  ): void {
    const how: CompressionLevel = level === 0 ? 'fast' : 'small';
    const tsId = this.intern(encodeTimestamps(t, from, to), how);
    const data = compress(encodeValues(v, from, to), how);
    this.store.insertChunk.run(seriesId, t[from]!, t[to - 1]!, to - from, level, tsId, data);
    this.count++;
    this.samples += to - from;
  }

  /** Deletes one chunk row and releases its timestamps (call inside a transaction). */
  delete(id: number): void {
    const row = this.store.chunkMeta.get(id);
    if (row === undefined) return;
    this.store.deleteChunk.run(id);
    this.release(row.ts_id);
    this.count--;
    this.samples -= row.n;
  }

  /** Chunk rows of a series that overlap `[mint, maxt]`, oldest first. */
  rows(seriesId: number, mint: number, maxt: number): ChunkRow[] {
    return this.store.chunksInRange.all(seriesId, mint, maxt);
  }

  /** Decodes a chunk row. Throws a RangeError when it is corrupt. */
  decode(row: ChunkRow): Samples {
    const t = this.timestamps(row.ts_id);
    const v = decodeValues(row.data);
    if (t.length !== v.length || t.length !== row.n) {
      throw new RangeError(`chunk ${row.id} corrupt: ${t.length} timestamps, ${v.length} values`);
    }
    return { t, v };
  }

  /** Drops cached decoded timestamps (after a failed transaction rolled rows back). */
  clearCache(): void {
    this.tsCache.clear();
  }

  private timestamps(id: number): Float64Array {
    let t = this.tsCache.get(id);
    if (t !== undefined) {
      // Re-inserting moves the entry to the end: the Map's order is the LRU order.
      this.tsCache.delete(id);
      this.tsCache.set(id, t);
      return t;
    }
    const row = this.store.timestampsById.get(id);
    if (row === undefined) throw new RangeError(`chunk corrupt: timestamps ${id} missing`);
    t = decodeTimestamps(row.data);
    if (this.tsCache.size >= TIMESTAMP_CACHE_ENTRIES) {
      this.tsCache.delete(this.tsCache.keys().next().value!);
    }
    this.tsCache.set(id, t);
    return t;
  }

  private intern(raw: Uint8Array, how: CompressionLevel): number {
    const hash = digest(raw);
    const hit = this.store.timestampsByHash.get(hash);
    if (hit !== undefined) {
      this.store.refTimestamps.run(hit.id);
      return hit.id;
    }
    return Number(this.store.insertTimestamps.run(hash, compress(raw, how)).lastInsertRowid);
  }

  private release(tsId: number): void {
    const left = this.store.unrefTimestamps.get(tsId);
    if (left !== undefined && left.refs <= 0) {
      this.store.deleteTimestamps.run(tsId);
      this.tsCache.delete(tsId);
    }
  }
}
