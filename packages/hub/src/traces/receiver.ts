/**
 * The OTLP/HTTP trace receiver: `POST /v1/traces` with a protobuf or JSON
 * ExportTraceServiceRequest, optionally gzipped. A request is stored whole or not at all.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, readBody } from '../api/read-body.js';
import { ProtoWriter } from '../wire/protobuf.js';
import { decodeTracesJson } from './otlp-json.js';
import { decodeTracesProto } from './otlp-proto.js';
import { OtlpError, type SpanRecord } from './span.js';
import type { TraceStore } from './trace-store.js';

/** Options of {@link otlpTraceReceiver}. */
export interface OtlpReceiverOptions {
  /** Largest body, before and after gunzip. Default 8 MiB. */
  readonly maxBodyBytes?: number;
  /** Most spans in one request. Default 10,000. */
  readonly maxSpansPerRequest?: number;
}

/** Request counters of the receiver, for the self-metrics. */
export interface OtlpReceiverStats {
  spansReceived: number;
  requestsRejected: number;
}

const PROTO = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** google.rpc.Status (code, message) in the request's encoding, as OTLP/HTTP answers errors. */
function sendStatus(
  res: ServerResponse,
  http: number,
  type: string,
  grpcCode: number,
  message: string,
): void {
  let body: Uint8Array | string;
  if (type === PROTO) body = new ProtoWriter().uint(1, grpcCode).string(2, message).finish();
  else if (type === JSON_TYPE) body = JSON.stringify({ code: grpcCode, message });
  else {
    type = 'text/plain; charset=utf-8';
    body = message + '\n';
  }
  res.writeHead(http, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A handler for `POST /v1/traces` storing into `store`; returns false for other paths.
 * Answers 200 with an empty ExportTraceServiceResponse, 400 (malformed body, with the
 * reason), 405, 413 (body or span count over the limit), 415 (other content types).
 *
 * @example
 * const receive = otlpTraceReceiver(store, stats);
 * createServer((req, res) => receive(req, res) || notFound(res));
 */
export function otlpTraceReceiver(
  store: TraceStore,
  stats: OtlpReceiverStats,
  o: OtlpReceiverOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxBody = o.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxSpans = o.maxSpansPerRequest ?? 10_000;
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/v1/traces') return false;
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const reject = (http: number, code: number, message: string): void => {
      stats.requestsRejected++;
      req.resume();
      sendStatus(res, http, type, code, message);
    };
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      reject(405, 12, `method ${req.method ?? ''} not allowed: POST an ExportTraceServiceRequest`);
      return true;
    }
    if (type !== PROTO && type !== JSON_TYPE) {
      reject(
        415,
        3,
        `unsupported Content-Type "${type}": send ${PROTO} or ${JSON_TYPE} (OTLP/HTTP)`,
      );
      return true;
    }
    void (async () => {
      let spans: SpanRecord[];
      try {
        const body = await readBody(req, maxBody);
        spans =
          type === PROTO
            ? decodeTracesProto(body, maxSpans)
            : decodeTracesJson(body.toString('utf8'), maxSpans);
      } catch (e) {
        if (e instanceof BodyError || e instanceof OtlpError)
          return reject(e.status, e.status === 400 ? 3 : 8, e.message);
        return reject(500, 13, `could not read the request: ${(e as Error).message}`);
      }
      try {
        store.add(spans);
      } catch (e) {
        return reject(503, 14, `could not store the spans: ${(e as Error).message}`);
      }
      stats.spansReceived += spans.length;
      if (type === PROTO) {
        res.writeHead(200, { 'content-type': PROTO, 'content-length': 0 });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': 2 });
        res.end('{}');
      }
    })();
    return true;
  };
}
