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
import type { ChunkRef, ChunkRow, Store } from './store.js';
import { digest } from './store.js';

/** Decoded timestamps blobs kept for reuse across series and queries. */
const TIMESTAMP_CACHE_ENTRIES = 4096;
/**
 * Values of chunks kept decoded, in samples (8 bytes each: 16 MiB). Dashboards re-run the
 * same range queries every few seconds, and a chunk row never changes: ids are not reused
 * while the TSDB is open, and {@link Chunks.delete} drops a deleted chunk's entry. Head
 * chunks (the last few hours until compaction merges them) are cached too: a 24 h query
 * reads a quarter of its chunks from them, and decoding those was a tenth of its time.
 */
const VALUE_CACHE_SAMPLES = 2 * 1024 * 1024;

/**
 * Chunk refs (a row without its blob) kept per series, in refs. Listing a series' chunks
 * in SQLite cost a tenth of a 24 h query; the list only changes when a chunk of that series
 * is written or deleted, which goes through {@link Chunks} and drops the series' entry.
 */
const REFS_CACHE_REFS = 65_536;

/** A positive 48-bit integer from the first bytes of a digest. */
function idOf(hash: Uint8Array): number {
  let id = 0;
  for (let i = 0; i < 6; i++) id = id * 256 + hash[i]!;
  return id + 1;
}

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
  private readonly valueCache = new Map<number, Float64Array>();
  private valueCacheSamples = 0;
  /** All chunk refs of a series, oldest first; the Map's order is the LRU order. */
  private readonly refsCache = new Map<number, ChunkRef[]>();
  private refsCacheRefs = 0;
  /** Next ids: head chunks count down from -1, compacted ones up from 1. */
  private nextHeadId: number;
  private nextBlockId: number;

  constructor(private readonly store: Store) {
    const totals = store.chunkTotals.get()!;
    this.count = totals.chunks;
    this.samples = totals.samples ?? 0;
    const ids = store.chunkIdRange.get()!;
    this.nextHeadId = Math.min(ids.min ?? 0, 0) - 1;
    this.nextBlockId = Math.max(ids.max ?? 0, 0) + 1;
  }

  /**
   * Writes samples `[from, to)` of one series as a chunk (call inside a transaction).
   * Level 0 is a head chunk (fast compression), level 1 a compacted one (small). `values`,
   * when given, is the already compressed values blob.
   */
  write(
    seriesId: number,
    t: Float64Array,
    v: Float64Array,
    from: number,
    to: number,
    level: 0 | 1,
    values?: Uint8Array,
  ): void {
    const how: CompressionLevel = level === 0 ? 'fast' : 'small';
    const tsId = this.intern(encodeTimestamps(t, from, to), how);
    const data = values ?? compress(encodeValues(v, from, to), how);
    const id = level === 0 ? this.nextHeadId-- : this.nextBlockId++;
    this.store.insertChunk.run(id, seriesId, t[from]!, t[to - 1]!, to - from, tsId, data);
    this.forgetRefs(seriesId);
    this.count++;
    this.samples += to - from;
  }

  /** Deletes one chunk row and releases its timestamps (call inside a transaction). */
  delete(id: number): void {
    const row = this.store.chunkMeta.get(id);
    if (row === undefined) return;
    this.store.deleteChunk.run(id);
    this.release(row.ts_id);
    this.forgetValues(id);
    this.forgetRefs(row.series_id);
    this.count--;
    this.samples -= row.n;
  }

  /** Chunk rows of a series that overlap `[mint, maxt]`, oldest first. */
  rows(seriesId: number, mint: number, maxt: number): ChunkRow[] {
    return this.store.chunksInRange.all(seriesId, mint, maxt);
  }

  /**
   * As {@link Chunks.rows} without the values blobs, which {@link Chunks.decode} reads if
   * needed; from the cache of each series' chunk list.
   */
  refs(seriesId: number, mint: number, maxt: number): ChunkRef[] {
    let all = this.refsCache.get(seriesId);
    if (all !== undefined) {
      this.refsCache.delete(seriesId);
      this.refsCache.set(seriesId, all);
    } else {
      all = this.store.chunkRefsOfSeries.all(seriesId);
      while (this.refsCacheRefs + all.length > REFS_CACHE_REFS && this.refsCache.size > 0) {
        this.forgetRefs(this.refsCache.keys().next().value!);
      }
      this.refsCache.set(seriesId, all);
      this.refsCacheRefs += all.length;
    }
    const out: ChunkRef[] = [];
    for (const r of all) if (r.maxt >= mint && r.mint <= maxt) out.push(r);
    return out;
  }

  private forgetRefs(seriesId: number): void {
    const refs = this.refsCache.get(seriesId);
    if (refs === undefined) return;
    this.refsCache.delete(seriesId);
    this.refsCacheRefs -= refs.length;
  }

  /**
   * Decodes a chunk row. Throws a RangeError when it is corrupt. `cache: false` for rows
   * about to be deleted (compaction), which would only push others out of the cache.
   */
  decode(row: ChunkRef | ChunkRow, cache = true): Samples {
    const t = this.timestamps(row.ts_id);
    const v = cache ? this.values(row) : (this.valueCache.get(row.id) ?? this.decodeValues(row));
    if (t.length !== v.length || t.length !== row.n) {
      throw new RangeError(`chunk ${row.id} corrupt: ${t.length} timestamps, ${v.length} values`);
    }
    return { t, v };
  }

  private decodeValues(row: ChunkRef | ChunkRow): Float64Array {
    const data = 'data' in row ? row.data : this.store.chunkData.get(row.id)?.data;
    if (data === undefined) throw new RangeError(`chunk ${row.id} missing`);
    return decodeValues(data);
  }

  private values(row: ChunkRef | ChunkRow): Float64Array {
    let v = this.valueCache.get(row.id);
    if (v !== undefined) {
      this.valueCache.delete(row.id);
      this.valueCache.set(row.id, v);
      return v;
    }
    v = this.decodeValues(row);
    while (this.valueCacheSamples + v.length > VALUE_CACHE_SAMPLES && this.valueCache.size > 0) {
      this.forgetValues(this.valueCache.keys().next().value!);
    }
    this.valueCache.set(row.id, v);
    this.valueCacheSamples += v.length;
    return v;
  }

  private forgetValues(id: number): void {
    const v = this.valueCache.get(id);
    if (v === undefined) return;
    this.valueCache.delete(id);
    this.valueCacheSamples -= v.length;
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
    // The id is 48 bits of the digest; a different blob already there moves us one up.
    for (let id = idOf(hash); ; id++) {
      const row = this.store.timestampsHash.get(id);
      if (row === undefined) {
        this.store.insertTimestamps.run(id, hash, compress(raw, how));
        return id;
      }
      if (Buffer.compare(row.hash, hash) === 0) {
        this.store.refTimestamps.run(id);
        return id;
      }
    }
  }

  private release(tsId: number): void {
    const left = this.store.unrefTimestamps.get(tsId);
    if (left !== undefined && left.refs <= 0) {
      this.store.deleteTimestamps.run(tsId);
      this.tsCache.delete(tsId);
    }
  }
}
