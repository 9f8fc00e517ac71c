/**
 * The chunk codec: a run of samples of one series → a few hundred bytes.
 *
 * Timestamps are delta-of-delta zig-zag varints. Values are converted, where that is exact,
 * to integers with one decimal exponent shared by the chunk (as VictoriaMetrics does, but
 * lossless: a value is converted only if it converts back to the same bits), then written as
 * zig-zag varint deltas or deltas of deltas, whichever is shorter; values that do not convert
 * (NaN, the staleness marker, ±Inf, -0, floats with too many digits) are kept as raw bytes
 * beside the integers. A chunk where over a quarter of the values don't convert is XORs of
 * consecutive float64s instead (Gorilla's idea), split into byte planes. The result is then
 * compressed as a whole with brotli, which removes what the varints leave: runs of equal
 * deltas, repeated patterns, skewed byte distributions.
 *
 * Timestamps and values are separate blobs so that series scraped together (same target,
 * same timestamps) can share one timestamps blob in the store.
 */
import { brotliCompressSync, brotliDecompressSync, constants as zc } from 'node:zlib';
import { ByteReader, ByteWriter, uvarintLength, zigzag } from './varint.js';

/** Integers that values convert to are kept within ±2^51 so deltas of deltas stay exact. */
const MAX_MANTISSA = 2 ** 51;
/** Most decimal digits after the point a value may have to be converted. */
const MAX_EXPONENT = 15;
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

const VALUES_DECIMAL = 0;
const VALUES_XOR = 1;
const ORDER_DELTA = 1;
const ORDER_DELTA2 = 2;

const CODEC_RAW = 0;
const CODEC_BROTLI = 1;

/**
 * Digits after the decimal point that `v` needs to be an exact integer ratio `m / 10^e` with
 * |m| ≤ 2^51, or -1 when there is none (NaN, ±Inf, -0, too many digits, too large).
 */
export function decimalExponent(v: number): number {
  if (Number.isInteger(v)) return Math.abs(v) <= MAX_MANTISSA && !Object.is(v, -0) ? 0 : -1;
  if (!Number.isFinite(v)) return -1;
  for (let e = 1; e <= MAX_EXPONENT; e++) {
    const p = POW10[e]!;
    const m = Math.round(v * p);
    if (Math.abs(m) > MAX_MANTISSA) return -1;
    // m and 10^e are exact doubles, so the division is correctly rounded: equality means
    // decoding m / 10^e gives back exactly v.
    if (m / p === v) return e;
  }
  return -1;
}

/** Writes timestamps `t[from..to)` (integers, strictly increasing) as delta-of-delta varints. */
export function writeTimestamps(w: ByteWriter, t: Float64Array, from: number, to: number): void {
  const n = to - from;
  w.uvarint(n);
  if (n === 0) return;
  let prev = t[from]!;
  w.varint(prev);
  let delta = 0;
  for (let i = from + 1; i < to; i++) {
    const cur = t[i]!;
    const d = cur - prev;
    w.varint(d - delta);
    delta = d;
    prev = cur;
  }
}

/** Reads what {@link writeTimestamps} wrote. */
export function readTimestamps(r: ByteReader): Float64Array {
  const n = readCount(r);
  const t = new Float64Array(n);
  if (n === 0) return t;
  let prev = r.varint();
  t[0] = prev;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    delta += r.varint();
    prev += delta;
    t[i] = prev;
  }
  return t;
}

/** A sample count, checked against the bytes left (every sample takes at least one). */
function readCount(r: ByteReader): number {
  const n = r.uvarint();
  if (n > r.buf.length - r.pos + 1) throw new RangeError('chunk corrupt: bad sample count');
  return n;
}

/** Writes values `v[from..to)` bit-exactly, choosing the decimal or the XOR form. */
export function writeValues(w: ByteWriter, v: Float64Array, from: number, to: number): void {
  const n = to - from;
  w.uvarint(n);
  if (n === 0) return;
  const exps = new Int8Array(n);
  const hist = new Uint32Array(MAX_EXPONENT + 1);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const e = decimalExponent(v[from + i]!);
    exps[i] = e;
    if (e < 0) bad++;
    else hist[e]!++;
  }
  // The shared exponent is the largest one that doesn't leave most values as exceptions; a
  // lone value with many digits becomes an exception instead of widening every integer.
  let exp = 0;
  let covered = 0;
  for (let e = 0; e <= MAX_EXPONENT; e++) {
    covered += hist[e]!;
    if (hist[e]! > 0) exp = e;
    if (covered >= (n - bad) * 0.99) break;
  }
  const mant = new Float64Array(n);
  const isException = new Uint8Array(n);
  let exceptions = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const e = exps[i]!;
    let m = NaN;
    if (e >= 0 && e <= exp) {
      m = Math.round(v[from + i]! * POW10[e]!) * POW10[exp - e]!;
      if (Math.abs(m) > MAX_MANTISSA) m = NaN;
    }
    if (Number.isNaN(m)) {
      isException[i] = 1;
      exceptions++;
      m = prev; // keeps the integer stream smooth around the exception
    }
    mant[i] = m;
    prev = m;
  }
  if (exceptions * 4 > n) {
    writeXor(w, v, from, to);
    return;
  }
  w.byte(VALUES_DECIMAL);
  w.uvarint(exp);
  w.uvarint(exceptions);
  if (exceptions > 0) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let last = 0;
    for (let i = 0; i < n; i++) {
      if (isException[i] === 0) continue;
      w.uvarint(i - last);
      last = i;
      w.bytes(bytes.subarray((from + i) * 8, (from + i) * 8 + 8));
    }
  }
  // Counters grow steadily (deltas of deltas are small), gauges wander (deltas are small):
  // measure both and keep the shorter.
  let len1 = 0;
  let len2 = 0;
  let d = 0;
  for (let i = 1; i < n; i++) {
    const di = mant[i]! - mant[i - 1]!;
    len1 += uvarintLength(zigzag(di));
    len2 += uvarintLength(zigzag(di - d));
    d = di;
  }
  const order = len2 < len1 ? ORDER_DELTA2 : ORDER_DELTA;
  w.byte(order);
  w.varint(mant[0]!);
  d = 0;
  for (let i = 1; i < n; i++) {
    const di = mant[i]! - mant[i - 1]!;
    w.varint(order === ORDER_DELTA ? di : di - d);
    d = di;
  }
}

function writeXor(w: ByteWriter, v: Float64Array, from: number, to: number): void {
  const n = to - from;
  w.byte(VALUES_XOR);
  const words = new Uint32Array(v.buffer, v.byteOffset + from * 8, n * 2);
  const planes = new Uint8Array(n * 8);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const xl = words[2 * i]! ^ lo;
    const xh = words[2 * i + 1]! ^ hi;
    lo = words[2 * i]!;
    hi = words[2 * i + 1]!;
    // Plane k holds byte k (most significant first) of every XOR: sign and exponent bytes,
    // nearly always zero, end up in long runs the compressor removes.
    planes[i] = xh >>> 24;
    planes[n + i] = (xh >>> 16) & 0xff;
    planes[2 * n + i] = (xh >>> 8) & 0xff;
    planes[3 * n + i] = xh & 0xff;
    planes[4 * n + i] = xl >>> 24;
    planes[5 * n + i] = (xl >>> 16) & 0xff;
    planes[6 * n + i] = (xl >>> 8) & 0xff;
    planes[7 * n + i] = xl & 0xff;
  }
  w.bytes(planes);
}

/** Reads what {@link writeValues} wrote. */
export function readValues(r: ByteReader): Float64Array {
  const n = readCount(r);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const kind = r.byte();
  if (kind === VALUES_XOR) {
    const planes = r.bytes(n * 8);
    const words = new Uint32Array(out.buffer);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      hi ^=
        ((planes[i]! << 24) |
          (planes[n + i]! << 16) |
          (planes[2 * n + i]! << 8) |
          planes[3 * n + i]!) >>>
        0;
      lo ^=
        ((planes[4 * n + i]! << 24) |
          (planes[5 * n + i]! << 16) |
          (planes[6 * n + i]! << 8) |
          planes[7 * n + i]!) >>>
        0;
      words[2 * i] = lo;
      words[2 * i + 1] = hi;
    }
    return out;
  }
  if (kind !== VALUES_DECIMAL) throw new RangeError(`unknown value encoding ${kind}`);
  const exp = r.uvarint();
  if (exp > MAX_EXPONENT) throw new RangeError(`bad decimal exponent ${exp}`);
  const exceptions = r.uvarint();
  if (exceptions > n) throw new RangeError('chunk corrupt: too many exceptions');
  const excIndex = new Uint32Array(exceptions);
  const excBytes = exceptions > 0 ? new Uint8Array(exceptions * 8) : undefined;
  let idx = 0;
  for (let k = 0; k < exceptions; k++) {
    idx += r.uvarint();
    if (idx >= n) throw new RangeError('exception index out of range');
    excIndex[k] = idx;
    excBytes!.set(r.bytes(8), k * 8);
  }
  const order = r.byte();
  if (order !== ORDER_DELTA && order !== ORDER_DELTA2) throw new RangeError(`bad order ${order}`);
  const p = POW10[exp]!;
  let m = r.varint();
  out[0] = exp === 0 ? m : m / p;
  let d = 0;
  for (let i = 1; i < n; i++) {
    if (order === ORDER_DELTA) m += r.varint();
    else {
      d += r.varint();
      m += d;
    }
    out[i] = exp === 0 ? m : m / p;
  }
  if (excBytes !== undefined) {
    // Copied as bytes so NaN payloads (the staleness marker) survive exactly.
    const outBytes = new Uint8Array(out.buffer);
    for (let k = 0; k < exceptions; k++) {
      outBytes.set(excBytes.subarray(k * 8, k * 8 + 8), excIndex[k]! * 8);
    }
  }
  return out;
}

/** How hard {@link compress} works: `fast` on the ingest path, `small` when compacting. */
export type CompressionLevel = 'fast' | 'small';

const BROTLI_QUALITY: Readonly<Record<CompressionLevel, number>> = { fast: 5, small: 10 };

/**
 * Compresses encoded samples with brotli; a one-byte header says how, and blobs that brotli
 * can't shrink are stored as they are.
 */
export function compress(raw: Uint8Array, level: CompressionLevel): Uint8Array {
  if (raw.length < 16) return withHeader(CODEC_RAW, raw);
  const packed = brotliCompressSync(raw, {
    params: {
      [zc.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[level],
      [zc.BROTLI_PARAM_LGWIN]: 18,
      [zc.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  if (packed.length >= raw.length) return withHeader(CODEC_RAW, raw);
  return withHeader(CODEC_BROTLI, packed);
}

/** Inverse of {@link compress}. Throws a RangeError on a corrupt blob. */
export function decompress(buf: Uint8Array): Uint8Array {
  const codec = buf[0];
  const body = buf.subarray(1);
  if (codec === CODEC_RAW) return body;
  if (codec === CODEC_BROTLI) {
    let out: Buffer;
    try {
      out = brotliDecompressSync(body);
    } catch (e) {
      throw new RangeError(`chunk corrupt: ${(e as Error).message}`);
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
  throw new RangeError(`chunk corrupt: unknown codec ${String(codec)}`);
}

function withHeader(codec: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = codec;
  out.set(body, 1);
  return out;
}

/**
 * Encodes timestamps `t[from..to)` (uncompressed; see {@link compress}).
 *
 * @example decodeTimestamps(compress(encodeTimestamps(new Float64Array([1000, 16000])), 'fast'))
 */
export function encodeTimestamps(t: Float64Array, from = 0, to: number = t.length): Uint8Array {
  const w = new ByteWriter(Math.max(16, (to - from) * 2));
  writeTimestamps(w, t, from, to);
  return w.finish();
}

/** Encodes values `v[from..to)` bit-exactly (uncompressed; see {@link compress}). */
export function encodeValues(v: Float64Array, from = 0, to: number = v.length): Uint8Array {
  const w = new ByteWriter(Math.max(16, (to - from) * 3));
  writeValues(w, v, from, to);
  return w.finish();
}

/** Decodes a compressed timestamps blob. Throws a RangeError when it is corrupt. */
export function decodeTimestamps(blob: Uint8Array): Float64Array {
  const r = new ByteReader(decompress(blob));
  const t = readTimestamps(r);
  if (!r.done) throw new RangeError('chunk corrupt: trailing bytes after timestamps');
  return t;
}

/** Decodes a compressed values blob. Throws a RangeError when it is corrupt. */
export function decodeValues(blob: Uint8Array): Float64Array {
  const r = new ByteReader(decompress(blob));
  const v = readValues(r);
  if (!r.done) throw new RangeError('chunk corrupt: trailing bytes after values');
  return v;
}
