/**
 * Write-ahead records: the samples of one commit, stored as one row so a commit costs one
 * small insert. Records live only until the head chunks holding their samples are cut.
 *
 * Layout: count, then per sample the series id and the timestamp as zig-zag deltas from the
 * previous sample of the record, and the value as its 8 raw bytes (bit-exact).
 */
import { ByteReader, ByteWriter } from './varint.js';

/** Samples of one commit, column-wise. */
export interface WalRecord {
  readonly ids: Float64Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/**
 * Encodes samples `[0, n)` of the given columns.
 *
 * @example decodeWal(encodeWal(ids, t, v, n)).t // equals t.subarray(0, n)
 */
export function encodeWal(
  ids: Float64Array,
  t: Float64Array,
  v: Float64Array,
  n: number,
): Uint8Array {
  const w = new ByteWriter(16 + n * 12);
  w.uvarint(n);
  const bytes = new Uint8Array(v.buffer, v.byteOffset, n * 8);
  let prevId = 0;
  let prevT = 0;
  for (let i = 0; i < n; i++) {
    w.varint(ids[i]! - prevId);
    w.varint(t[i]! - prevT);
    prevId = ids[i]!;
    prevT = t[i]!;
    w.bytes(bytes.subarray(i * 8, i * 8 + 8));
  }
  return w.finish();
}

/** Decodes a record made by {@link encodeWal}. Throws a RangeError when it is corrupt. */
export function decodeWal(buf: Uint8Array): WalRecord {
  const r = new ByteReader(buf);
  const n = r.uvarint();
  if (n > buf.length) throw new RangeError('wal record corrupt: bad count');
  const ids = new Float64Array(n);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const vb = new Uint8Array(v.buffer);
  let id = 0;
  let ts = 0;
  for (let i = 0; i < n; i++) {
    id += r.varint();
    ts += r.varint();
    ids[i] = id;
    t[i] = ts;
    vb.set(r.bytes(8), i * 8);
  }
  if (!r.done) throw new RangeError('wal record corrupt: trailing bytes');
  return { ids, t, v };
}
