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
  /** Label set as sent (names are unique: a repeated name is a decode error). */
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
 * Decodes a WriteRequest (already snappy-decompressed). Throws a {@link ProtoError} naming
 * the byte offset when the body is not a valid WriteRequest: truncated, wrong wire types,
 * invalid UTF-8, a label name repeated in one series, an unknown metadata type.
 *
 * @example
 * const wr = decodeWriteRequest(snappy.uncompress(body));
 * wr.timeseries[0].labels.__name__; // 'up'
 */
export function decodeWriteRequest(buf: Uint8Array): WriteRequest {
  const r = new ProtoReader(buf);
  const timeseries: WriteSeries[] = [];
  const metadata: WriteMetadata[] = [];
  while (r.next()) {
    if (r.field === 1) timeseries.push(decodeSeries(r.message()));
    else if (r.field === 3) {
      const at = r.offset;
      metadata.push(decodeMetadata(r.message(), at));
    } else r.skip();
  }
  return { timeseries, metadata };
}

/** Scratch columns reused across series; a series' samples are copied out at its end. */
let scratchT = new Float64Array(64);
let scratchV = new Float64Array(64);

function decodeSeries(r: ProtoReader): WriteSeries {
  const labels: Record<string, string> = {};
  let n = 0;
  let histograms = 0;
  let exemplars = 0;
  while (r.next()) {
    switch (r.field) {
      case 1: {
        const at = r.offset;
        const lr = r.message();
        let name = '';
        let value = '';
        while (lr.next()) {
          if (lr.field === 1) name = lr.string();
          else if (lr.field === 2) value = lr.string();
          else lr.skip();
        }
        if (Object.prototype.hasOwnProperty.call(labels, name))
          throw new ProtoError(`label name "${name}" repeated in one series`, at);
        labels[name] = value;
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
  const out: {
    labels: Labels;
    t: Float64Array;
    v: Float64Array;
    histograms?: number;
    exemplars?: number;
  } = { labels, t: scratchT.slice(0, n), v: scratchV.slice(0, n) };
  if (histograms > 0) out.histograms = histograms;
  if (exemplars > 0) out.exemplars = exemplars;
  return out;
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
      for (let i = 0; i < t.length; i++) {
        m.message(2, (x) => {
          x.double(1, v[i]!);
          if (t[i] !== 0) x.int64(2, t[i]!);
        });
      }
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
