/**
 * A loopback OTLP/HTTP traces receiver for tests: decodes the protobuf body of
 * `POST /v1/traces` with a small wire-format reader and keeps the spans. Test helper only;
 * it reads the fields Canopy's tests look at (ids, parent, name, service, attributes, links).
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One received span, ids as lowercase hex. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** `''` for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** Linked span contexts as `traceId/spanId`. */
  readonly links: readonly string[];
}

/** A running receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT/v1/traces`. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Requests by content type (only `application/x-protobuf` is decoded). */
  readonly requests: Map<string, number>;
  stop(): Promise<void>;
}

type Field = { no: number; wire: number; int: bigint; bytes: Uint8Array | undefined };

/** The fields of one protobuf message, in order. */
function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; p < b.length && shift < 70n; shift += 7n) {
      const x = b[p++]!;
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
    }
    throw new Error('protobuf: truncated varint');
  };
  while (p < b.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, int: varint(), bytes: undefined });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      out.push({ no, wire, int: 0n, bytes: b.subarray(p, p + n) });
      p += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (p + n > b.length) throw new Error('protobuf: length past the end');
      out.push({ no, wire, int: 0n, bytes: b.subarray(p, p + n) });
      p += n;
    } else throw new Error(`protobuf: wire type ${wire} not supported`);
  }
  return out;
}

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
const str = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('utf8');

/** AnyValue: string 1, bool 2, int 3, double 4. */
function anyValue(b: Uint8Array): string | number | boolean {
  for (const f of fields(b)) {
    if (f.no === 1) return str(f.bytes);
    if (f.no === 2) return f.int !== 0n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.int));
    if (f.no === 4) return Buffer.from(f.bytes!).readDoubleLE(0);
  }
  return '';
}

/** Repeated KeyValue (key 1, value 2). */
function keyValues(list: Field[], no: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const f of list) {
    if (f.no !== no) continue;
    let k = '';
    let v: string | number | boolean = '';
    for (const kv of fields(f.bytes!)) {
      if (kv.no === 1) k = str(kv.bytes);
      else if (kv.no === 2) v = anyValue(kv.bytes!);
    }
    out[k] = v;
  }
  return out;
}

/**
 * Decodes an `ExportTraceServiceRequest`: resource_spans 1 → (resource 1 → attributes 1,
 * scope_spans 2 → spans 2 → trace_id 1, span_id 2, parent_span_id 4, name 5,
 * attributes 9, links 13 → trace_id 1, span_id 2).
 */
export function decodeTraces(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1) continue;
    const parts = fields(rs.bytes!);
    let service = '';
    for (const p of parts)
      if (p.no === 1) service = String(keyValues(fields(p.bytes!), 1)['service.name'] ?? '');
    for (const ss of parts) {
      if (ss.no !== 2) continue;
      for (const sp of fields(ss.bytes!)) {
        if (sp.no !== 2) continue;
        const f = fields(sp.bytes!);
        const one = (no: number) => f.find((x) => x.no === no)?.bytes;
        const links = f
          .filter((x) => x.no === 13)
          .map((l) => {
            const lf = fields(l.bytes!);
            return `${hex(lf.find((x) => x.no === 1)?.bytes)}/${hex(lf.find((x) => x.no === 2)?.bytes)}`;
          });
        out.push({
          service,
          traceId: hex(one(1)),
          spanId: hex(one(2)),
          parentSpanId: hex(one(4)),
          name: str(one(5)),
          attributes: keyValues(f, 9),
          links,
        });
      }
    }
  }
  return out;
}

/**
 * Starts a receiver on a free loopback port. Answers 200 with an empty
 * `ExportTraceServiceResponse`, 400 to a body it cannot decode.
 *
 * @example const rx = await startOtlpReceiver(); … rx.spans.filter((s) => s.service === 'relay')
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        requests.set(type, (requests.get(type) ?? 0) + 1);
        if (type !== 'application/x-protobuf') throw new Error(`content type ${type}`);
        spans.push(...decodeTraces(body));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (e) {
        res.writeHead(400).end((e as Error).message);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
