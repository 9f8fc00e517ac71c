/**
 * Prometheus remote_write 1.0 `WriteRequest` messages (prompb/remote.proto, types.proto):
 * decoding what vmagent, Prometheus and Alloy push, and encoding what the hub sends. Only
 * the wire format lives here; what is acceptable (names, times, limits) is decided in
 * validate.ts.
 *
 * ```proto
 * message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2;
 *                      repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 * message Label { string name = 1; string value = 2; }
 * message Sample { double value = 1; int64 timestamp = 2; }
 * message MetricMetadata { MetricType type = 1; string metric_family_name = 2;
 *                          string help = 4; string unit = 5; }
 * ```
 *
 * Values are kept in Float64Arrays and copied as doubles, never through a JavaScript array,
 * so the staleness marker's NaN payload (0x7ff0000000000002) survives both ways.
 */
import type { Labels } from '../model.js';
import { ProtoError, ProtoReader, ProtoWriter, WireType } from '../wire/protobuf.js';

/** One series of a WriteRequest: its labels and its samples in wire order. */
export interface WriteSeries {
  /**
   * Label set as sent, frozen, empty values dropped (names are unique: a repeated name is a
   * decode error).
   */
  readonly labels: Labels;
  /** Sample timestamps, ms. */
  readonly t: Float64Array;
  /** Sample values (bit-exact, staleness markers included). */
  readonly v: Float64Array;
  /** Native histogram samples sent with the series (Canopy stores none). */
  readonly histograms?: number;
  /** Exemplars sent with the series (ignored). */
  readonly exemplars?: number;
}

/** `MetricMetadata.type`, by enum number. */
export const METRIC_TYPES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
] as const;

/** One metric family's metadata in a WriteRequest. */
export interface WriteMetadata {
  /** One of {@link METRIC_TYPES}. */
  readonly type: (typeof METRIC_TYPES)[number];
  readonly metricFamilyName: string;
  readonly help: string;
  readonly unit: string;
}

/** A decoded (or to be encoded) WriteRequest. */
export interface WriteRequest {
  readonly timeseries: readonly WriteSeries[];
  readonly metadata: readonly WriteMetadata[];
}

/**
 * Label sets decoded before, by the bytes of their label fields: a sender repeats the same
 * bytes for a series in every request, so decoding them is a map lookup, and the same
 * frozen {@link Labels} object comes back each time (the TSDB finds its series by it).
 * Cleared when it reaches `max` entries.
 *
 * @example const cache = new LabelsCache(); decodeWriteRequest(raw, cache);
 */
export class LabelsCache {
  private readonly map = new Map<string, Labels>();
  constructor(private readonly max = 200_000) {}

  /** @internal */
  get(key: string): Labels | undefined {
    return this.map.get(key);
  }

  /** @internal */
  set(key: string, labels: Labels): void {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, labels);
  }

  /** Entries held. */
  get size(): number {
    return this.map.size;
  }
}

/**
 * Decodes a WriteRequest (already snappy-decompressed). Throws a {@link ProtoError} naming
 * the byte offset when the body is not a valid WriteRequest: truncated, wrong wire types,
 * invalid UTF-8, a label name repeated in one series, an unknown metadata type. Label values
 * that are empty are dropped (an empty label is an absent one). With a `cache`, label sets
 * seen before are not decoded again (see {@link LabelsCache}).
 *
 * @example
 * const wr = decodeWriteRequest(snappy.uncompress(body));
 * wr.timeseries[0].labels.__name__; // 'up'
 */
export function decodeWriteRequest(buf: Uint8Array, cache?: LabelsCache): WriteRequest {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const r = new ProtoReader(b);
  const parts: Part[] = [];
  const metadata: WriteMetadata[] = [];
  used = 0;
  while (r.next()) {
    if (r.field === 1) {
      const sub = r.bytes();
      const s = sub.byteOffset - b.byteOffset;
      parts.push(
        decodeSeriesFast(b, view, s, s + sub.length, cache) ??
          decodeSeries(new ProtoReader(b, s, s + sub.length), b, cache),
      );
    } else if (r.field === 3) {
      const at = r.offset;
      metadata.push(decodeMetadata(r.message(), at));
    } else r.skip();
  }
  // One copy of every sample of the request; each series gets views of it (allocating an
  // array pair per series was a quarter of the receiver's time, in the collector).
  const allT = scratchT.slice(0, used);
  const allV = scratchV.slice(0, used);
  const timeseries: WriteSeries[] = new Array<WriteSeries>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const ws: {
      labels: Labels;
      t: Float64Array;
      v: Float64Array;
      histograms?: number;
      exemplars?: number;
    } = {
      labels: p.labels,
      t: allT.subarray(p.from, p.from + p.n),
      v: allV.subarray(p.from, p.from + p.n),
    };
    if (p.histograms > 0) ws.histograms = p.histograms;
    if (p.exemplars > 0) ws.exemplars = p.exemplars;
    timeseries[i] = ws;
  }
  return { timeseries, metadata };
}

/** A decoded series whose samples are `[from, from + n)` of the request's scratch columns. */
interface Part {
  readonly labels: Labels;
  readonly from: number;
  readonly n: number;
  readonly histograms: number;
  readonly exemplars: number;
}

/** Scratch columns of a request's samples, `[0, used)`, copied out at its end. */
let scratchT = new Float64Array(1024);
let scratchV = new Float64Array(1024);
let used = 0;
/** Byte spans of one series' label fields. */
const spanStart: number[] = [];
const spanEnd: number[] = [];

/** A varint at `p` in `b` (< end); sets {@link varPos}. Returns -1 for a 10-byte (negative) one. */
let varPos = 0;
function varint(b: Uint8Array, p: number, end: number): number {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) throw new ProtoError('truncated varint', p);
    const c = b[p++]!;
    x += (c & 0x7f) * mul;
    mul *= 128;
    if (c < 0x80) {
      varPos = p;
      return i === 9 ? -1 : x;
    }
  }
  throw new ProtoError('varint longer than 10 bytes', p);
}

/**
 * The common shape of a TimeSeries (labels, then samples of a double and an int64), by hand
 * over the bytes; undefined for anything else (exemplars, histograms, unknown fields,
 * negative timestamps), which {@link decodeSeries} reads instead.
 */
function decodeSeriesFast(
  b: Buffer,
  view: DataView,
  start: number,
  end: number,
  cache: LabelsCache | undefined,
): Part | undefined {
  let p = start;
  let n = used;
  spanStart.length = 0;
  spanEnd.length = 0;
  while (p < end) {
    const tag = b[p]!;
    if (tag === 0x0a) {
      const len = varint(b, p + 1, end);
      const e = varPos + len;
      if (e > end) throw new ProtoError('label runs past the end of its series', p);
      spanStart.push(p);
      spanEnd.push(e);
      p = e;
    } else if (tag === 0x12) {
      const len = varint(b, p + 1, end);
      const e = varPos + len;
      if (e > end) throw new ProtoError('sample runs past the end of its series', p);
      let q = varPos;
      let t = 0;
      let v = 0;
      while (q < e) {
        const st = b[q]!;
        if (st === 0x09 && q + 9 <= e) {
          v = view.getFloat64(q + 1, true);
          q += 9;
        } else if (st === 0x10) {
          t = varint(b, q + 1, e);
          if (t < 0) return undefined;
          q = varPos;
        } else return undefined;
      }
      if (n === scratchT.length) growScratch();
      scratchT[n] = t;
      scratchV[n] = v;
      n++;
      p = e;
    } else return undefined;
  }
  const labels = labelsOf(b, cache);
  const from = used;
  used = n;
  return { labels, from, n: n - from, histograms: 0, exemplars: 0 };
}

/** The label set of the spans in {@link spanStart}/{@link spanEnd}, from the cache if there. */
function labelsOf(b: Buffer, cache: LabelsCache | undefined): Labels {
  let key = '';
  if (cache !== undefined) {
    let contiguous = true;
    for (let i = 1; i < spanStart.length; i++)
      if (spanStart[i] !== spanEnd[i - 1]) contiguous = false;
    if (spanStart.length > 0 && contiguous)
      key = b.toString('latin1', spanStart[0], spanEnd[spanEnd.length - 1]);
    else
      for (let i = 0; i < spanStart.length; i++)
        key += b.toString('latin1', spanStart[i], spanEnd[i]);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
  }
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  for (let i = 0; i < spanStart.length; i++) {
    const r = new ProtoReader(b, spanStart[i], spanEnd[i]);
    r.next();
    const lr = r.message();
    let name = '';
    let value = '';
    while (lr.next()) {
      if (lr.field === 1) name = lr.string();
      else if (lr.field === 2) value = lr.string();
      else lr.skip();
    }
    if (seen.has(name))
      throw new ProtoError(`label name "${name}" repeated in one series`, spanStart[i]!);
    seen.add(name);
    if (value !== '') labels[name] = value;
  }
  const frozen = Object.freeze(labels);
  if (cache !== undefined) cache.set(key, frozen);
  return frozen;
}

/** Any TimeSeries, field by field. */
function decodeSeries(r: ProtoReader, b: Buffer, cache: LabelsCache | undefined): Part {
  let n = used;
  let histograms = 0;
  let exemplars = 0;
  spanStart.length = 0;
  spanEnd.length = 0;
  for (;;) {
    const fieldAt = r.offset;
    if (!r.next()) break;
    switch (r.field) {
      case 1: {
        r.expect(WireType.Bytes);
        r.skip();
        spanStart.push(fieldAt);
        spanEnd.push(r.offset);
        break;
      }
      case 2: {
        const sr = r.message();
        let t = 0;
        let v = 0;
        while (sr.next()) {
          if (sr.field === 1) v = sr.double();
          else if (sr.field === 2) t = sr.int64();
          else sr.skip();
        }
        if (n === scratchT.length) growScratch();
        scratchT[n] = t;
        scratchV[n] = v;
        n++;
        break;
      }
      case 3:
        r.expect(WireType.Bytes);
        r.skip();
        exemplars++;
        break;
      case 4:
        r.expect(WireType.Bytes);
        r.skip();
        histograms++;
        break;
      default:
        r.skip();
    }
  }
  const from = used;
  const labels = labelsOf(b, cache);
  used = n;
  return { labels, from, n: n - from, histograms, exemplars };
}

function growScratch(): void {
  const t = new Float64Array(scratchT.length * 2);
  const v = new Float64Array(scratchV.length * 2);
  t.set(scratchT);
  // set() copies bytes: NaN payloads survive.
  v.set(scratchV);
  scratchT = t;
  scratchV = v;
}

function decodeMetadata(r: ProtoReader, at: number): WriteMetadata {
  let type = 0;
  let name = '';
  let help = '';
  let unit = '';
  while (r.next()) {
    if (r.field === 1) type = r.uint();
    else if (r.field === 2) name = r.string();
    else if (r.field === 4) help = r.string();
    else if (r.field === 5) unit = r.string();
    else r.skip();
  }
  const t = METRIC_TYPES[type];
  if (t === undefined) throw new ProtoError(`unknown metadata type ${type}`, at);
  return { type: t, metricFamilyName: name, help, unit };
}

/**
 * Encodes a WriteRequest (not yet snappy-compressed). Labels are written sorted by name, as
 * remote_write 1.0 asks; empty label values are left out (an empty label is an absent one).
 *
 * @example
 * const body = snappy.compress(encodeWriteRequest({
 *   timeseries: [{ labels: { __name__: 'up', job: 'relay' }, t: Float64Array.of(Date.now()), v: Float64Array.of(1) }],
 *   metadata: [],
 * }));
 */
export function encodeWriteRequest(
  wr: WriteRequest,
  w: ProtoWriter = new ProtoWriter(4096),
): Uint8Array {
  w.reset();
  for (const s of wr.timeseries) {
    w.message(1, (m) => {
      const names = Object.keys(s.labels).sort();
      for (const name of names) {
        const value = s.labels[name]!;
        if (value === '') continue;
        m.message(1, (l) => l.string(1, name).string(2, value));
      }
      const t = s.t;
      const v = s.v;
      // One closure per series, not one per sample (this runs on every sample sent out).
      let i = 0;
      const sample = (x: ProtoWriter): void => {
        x.double(1, v[i]!);
        if (t[i] !== 0) x.int64(2, t[i]!);
      };
      for (; i < t.length; i++) m.message(2, sample);
    });
  }
  for (const md of wr.metadata) {
    w.message(3, (m) => {
      const type = METRIC_TYPES.indexOf(md.type);
      if (type > 0) m.uint(1, type);
      m.string(2, md.metricFamilyName);
      if (md.help !== '') m.string(4, md.help);
      if (md.unit !== '') m.string(5, md.unit);
    });
  }
  return w.finish().slice();
}
