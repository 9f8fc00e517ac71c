/**
 * OTLP/HTTP protobuf (`application/x-protobuf`) ExportTraceServiceRequest → spans, read with
 * the shared wire reader. Field numbers are those of opentelemetry-proto's
 * `collector/trace/v1`, `trace/v1`, `resource/v1` and `common/v1`; unknown fields are
 * skipped, a known field with the wrong wire type is an error.
 */

import { ProtoError, ProtoReader } from '../wire/protobuf.js';
import {
  checkSpan,
  OtlpError,
  toHex,
  tooManySpans,
  type SpanEvent,
  type SpanRecord,
} from './span.js';

/** AnyValue → plain JSON (bytes as base64). */
function anyValue(r: ProtoReader, depth: number): unknown {
  if (depth > 16) throw new OtlpError('attribute values nested deeper than 16 levels');
  let v: unknown = null;
  while (r.next()) {
    switch (r.field) {
      case 1:
        v = r.string();
        break;
      case 2:
        v = r.bool();
        break;
      case 3:
        v = r.int64();
        break;
      case 4: {
        const d = r.double();
        v = Number.isFinite(d) ? d : String(d);
        break;
      }
      case 5: {
        const a: unknown[] = [];
        const ar = r.message();
        while (ar.next()) {
          if (ar.field === 1) a.push(anyValue(ar.message(), depth + 1));
          else ar.skip();
        }
        v = a;
        break;
      }
      case 6: {
        const o: Record<string, unknown> = {};
        const kr = r.message();
        while (kr.next()) {
          if (kr.field === 1) keyValue(kr.message(), o, depth + 1);
          else kr.skip();
        }
        v = o;
        break;
      }
      case 7:
        v = Buffer.from(r.bytes()).toString('base64');
        break;
      default:
        r.skip();
    }
  }
  return v;
}

/** KeyValue into `out`. */
function keyValue(r: ProtoReader, out: Record<string, unknown>, depth: number): void {
  let key = '';
  let value: unknown = null;
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = anyValue(r.message(), depth);
    else r.skip();
  }
  out[key] = value;
}

function event(r: ProtoReader): SpanEvent {
  let name = '';
  let timeNs = 0n;
  const attributes: Record<string, unknown> = {};
  while (r.next()) {
    if (r.field === 1) timeNs = r.fixed64();
    else if (r.field === 2) name = r.string();
    else if (r.field === 3) keyValue(r.message(), attributes, 0);
    else r.skip();
  }
  return { name, timeNs, attributes };
}

function span(r: ProtoReader, service: string, where: string): SpanRecord {
  let traceId = '';
  let spanId = '';
  let parent = '';
  let name = '';
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  let statusCode = 0;
  let statusMessage = '';
  const attributes: Record<string, unknown> = {};
  const events: SpanEvent[] = [];
  while (r.next()) {
    switch (r.field) {
      case 1:
        traceId = toHex(r.bytes());
        break;
      case 2:
        spanId = toHex(r.bytes());
        break;
      case 4:
        parent = toHex(r.bytes());
        break;
      case 5:
        name = r.string();
        break;
      case 6:
        kind = r.uint();
        break;
      case 7:
        startNs = r.fixed64();
        break;
      case 8:
        endNs = r.fixed64();
        break;
      case 9:
        keyValue(r.message(), attributes, 0);
        break;
      case 11:
        events.push(event(r.message()));
        break;
      case 15: {
        const sr = r.message();
        while (sr.next()) {
          if (sr.field === 2) statusMessage = sr.string();
          else if (sr.field === 3) statusCode = sr.uint();
          else sr.skip();
        }
        break;
      }
      default:
        r.skip();
    }
  }
  const rec: SpanRecord = {
    traceId,
    spanId,
    parentSpanId: parent === '' ? null : parent,
    service,
    name,
    kind,
    startNs,
    endNs,
    statusCode,
    statusMessage,
    attributes,
    events,
  };
  checkSpan(rec, where);
  return rec;
}

/**
 * Decodes an OTLP protobuf trace export body. Throws {@link OtlpError}: 400 for bad wire
 * data (truncated, wrong wire types, bad UTF-8) or bad spans, 413 past `maxSpans` spans.
 *
 * @example decodeTracesProto(new Uint8Array(0), 10000) // [] (an empty request)
 */
export function decodeTracesProto(body: Uint8Array, maxSpans: number): SpanRecord[] {
  const out: SpanRecord[] = [];
  try {
    const req = new ProtoReader(body);
    let ri = 0;
    while (req.next()) {
      if (req.field !== 1) {
        req.skip();
        continue;
      }
      const rw = `resourceSpans[${ri++}]`;
      // The resource may follow the scope spans on the wire: read it first.
      const rs = req.message();
      let service = 'unknown_service';
      const scopes: ProtoReader[] = [];
      while (rs.next()) {
        if (rs.field === 1) {
          const res = rs.message();
          const attrs: Record<string, unknown> = {};
          while (res.next()) {
            if (res.field === 1) keyValue(res.message(), attrs, 0);
            else res.skip();
          }
          const sn = attrs['service.name'];
          if (typeof sn === 'string' && sn !== '') service = sn;
        } else if (rs.field === 2) scopes.push(rs.message());
        else rs.skip();
      }
      for (let si = 0; si < scopes.length; si++) {
        const ss = scopes[si]!;
        let i = 0;
        while (ss.next()) {
          if (ss.field !== 2) {
            ss.skip();
            continue;
          }
          if (out.length >= maxSpans) tooManySpans(out.length + 1, maxSpans);
          out.push(span(ss.message(), service, `${rw}.scopeSpans[${si}].spans[${i++}]`));
        }
      }
    }
  } catch (e) {
    if (e instanceof ProtoError) throw new OtlpError(`malformed protobuf: ${e.message}`);
    throw e;
  }
  return out;
}
