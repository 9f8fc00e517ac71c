import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ProtoReader, ProtoWriter } from '../wire/protobuf.js';
import { TraceStore } from './trace-store.js';
import { otlpTraceReceiver, type OtlpReceiverStats } from './receiver.js';
import { traceApi } from './api.js';
import type { SpanView, TraceSummary } from './trace-store.js';

const store = new TraceStore(':memory:', { maxTraces: 1000 });
const stats: OtlpReceiverStats = { spansReceived: 0, requestsRejected: 0 };
let server: Server;
let base = '';

before(async () => {
  const receive = otlpTraceReceiver(store, stats, {
    maxBodyBytes: 64 * 1024,
    maxSpansPerRequest: 5,
  });
  const api = traceApi(store);
  server = createServer((req, res) => {
    if (receive(req, res) || api(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  store.close();
});

async function api<T>(path: string): Promise<{ status: number; data: T; error?: string }> {
  const res = await fetch(base + path);
  const body = (await res.json()) as { data: T; error?: string };
  return { ...body, status: res.status };
}

/** Sends a relay → storage trace through a real OpenTelemetry SDK and exporter. */
async function exportTrace(
  exporter: ProtoExporter | JsonExporter,
  service: string,
): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('canopy-test');
  const root = tracer.startSpan('gossip', {
    kind: SpanKind.SERVER,
    attributes: { 'peer.count': 3, topic: 'events', ok: true, ratio: 0.5, tags: ['a', 'b'] },
  });
  const child = tracer.startSpan(
    'storage.write',
    { kind: SpanKind.CLIENT },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'disk full' });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

for (const name of ['protobuf', 'JSON'] as const) {
  test(`the real OpenTelemetry ${name} exporter's spans arrive whole`, async () => {
    const before = stats.spansReceived;
    const exporter =
      name === 'protobuf'
        ? new ProtoExporter({ url: `${base}/v1/traces` })
        : new JsonExporter({ url: `${base}/v1/traces` });
    const id = await exportTrace(exporter, `relay-${name}`);
    assert.equal(stats.spansReceived - before, 2);
    const t = await api<{ traceId: string; spans: SpanView[] }>(`/api/v1/traces/${id}`);
    assert.equal(t.status, 200);
    const [root, child] = t.data.spans;
    assert.equal(root?.name, 'gossip');
    assert.equal(root?.kind, 'server');
    assert.equal(root?.service, `relay-${name}`);
    assert.equal(root?.parentSpanId, null);
    assert.deepEqual(root?.attributes, {
      'peer.count': 3,
      topic: 'events',
      ok: true,
      ratio: 0.5,
      tags: ['a', 'b'],
    });
    assert.equal(child?.name, 'storage.write');
    assert.equal(child?.kind, 'client');
    assert.equal(child?.parentSpanId, root?.spanId);
    assert.deepEqual(child?.status, { code: 'error', message: 'disk full' });
    assert.equal(child?.events[0]?.name, 'retry');
    assert.deepEqual(child?.events[0]?.attributes, { attempt: 2 });
    assert.ok(Math.abs(root!.startMs - Date.now()) < 60_000, 'start time in ms since the epoch');
    const list = await api<TraceSummary[]>(`/api/v1/traces?service=relay-${name}`);
    assert.deepEqual(
      list.data.map((s) => [s.traceId, s.rootName, s.spanCount, s.error]),
      [[id, 'gossip', 2, true]],
    );
  });
}

test('gzip bodies are accepted', async () => {
  const body = jsonBody([jsonSpan('77', '1')]);
  const res = await fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(body),
  });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '{}');
  assert.equal((await api<unknown>(`/api/v1/traces/${'77'.padStart(32, '0')}`)).status, 200);
});

function jsonSpan(trace: string, span: string, more: Record<string, unknown> = {}): unknown {
  return {
    traceId: trace.padStart(32, '0'),
    spanId: span.padStart(16, '0'),
    name: 'dial',
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: 1_700_000_000_001_000_000n.toString(),
    ...more,
  };
}

function jsonBody(spans: unknown[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input' } }] },
        scopeSpans: [{ scope: { name: 't' }, spans }],
      },
    ],
  });
}

/** A protobuf request of spans written by `each` (one ResourceSpans, one ScopeSpans). */
function protoBody(...spans: Array<(w: ProtoWriter) => void>): Uint8Array {
  return new ProtoWriter()
    .message(1, (rs) =>
      rs.message(2, (ss) => {
        for (const s of spans) ss.message(2, s);
      }),
    )
    .finish();
}

const id16 = new Uint8Array(16).fill(0xab);
const id8 = new Uint8Array(8).fill(0xcd);
const goodProtoSpan = (w: ProtoWriter): void => {
  w.bytes(1, id16).bytes(2, id8).string(5, 'ok').uint(6, 1);
  w.fixed64(7, 1_700_000_000_000_000_000n).fixed64(8, 1_700_000_000_000_000_001n);
};

test('malformed and refused bodies: the status, the reason, and nothing stored', async () => {
  const valid = protoBody(goodProtoSpan);
  const cases: Array<{
    name: string;
    type: string;
    body: Uint8Array | string;
    encoding?: string;
    status: number;
    reason: RegExp;
  }> = [
    {
      name: 'truncated protobuf',
      type: 'application/x-protobuf',
      body: valid.subarray(0, valid.length - 5),
      status: 400,
      reason: /malformed protobuf: .*runs past the end|truncated/,
    },
    {
      name: 'wrong wire type for resource_spans',
      type: 'application/x-protobuf',
      body: new Uint8Array([0x08, 0x01]),
      status: 400,
      reason: /malformed protobuf: field 1 has wire type 0, expected 2/,
    },
    {
      name: 'wrong wire type for a span start time',
      type: 'application/x-protobuf',
      body: protoBody((w) => {
        goodProtoSpan(w);
        w.uint(7, 5);
      }),
      status: 400,
      reason: /field 7 has wire type 0, expected 1/,
    },
    {
      name: 'a 3-byte trace id after a good span (nothing of the request is kept)',
      type: 'application/x-protobuf',
      body: protoBody(goodProtoSpan, (w) => {
        goodProtoSpan(w);
        w.bytes(1, new Uint8Array(3));
      }),
      status: 400,
      reason: /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: expected 16 bytes/,
    },
    {
      name: 'an all-zero span id',
      type: 'application/x-protobuf',
      body: protoBody((w) => {
        goodProtoSpan(w);
        w.bytes(2, new Uint8Array(8));
      }),
      status: 400,
      reason: /spans\[0\]\.spanId: expected 8 bytes, not all zero/,
    },
    {
      name: 'not JSON',
      type: 'application/json',
      body: '{"resourceSpans": [',
      status: 400,
      reason: /body is not JSON/,
    },
    {
      name: 'resourceSpans not an array',
      type: 'application/json',
      body: '{"resourceSpans": {}}',
      status: 400,
      reason: /body\.resourceSpans: expected an array/,
    },
    {
      name: 'trace id not hex',
      type: 'application/json',
      body: jsonBody([jsonSpan('1', '1'), jsonSpan('1', '2', { traceId: 'zz'.repeat(16) })]),
      status: 400,
      reason: /spans\[1\]\.traceId: expected 32 hex digits, got "zzzz/,
    },
    {
      name: 'base64 trace id (the protobuf JSON mapping, not OTLP JSON)',
      type: 'application/json',
      body: jsonBody([jsonSpan('1', '1', { traceId: 'q83vEjRWeJCrze8SNFZ4kA==' })]),
      status: 400,
      reason: /traceId: expected 32 hex digits/,
    },
    {
      name: 'int64 attribute that is not an integer',
      type: 'application/json',
      body: jsonBody([
        jsonSpan('1', '1', { attributes: [{ key: 'n', value: { intValue: '1.5' } }] }),
      ]),
      status: 400,
      reason: /attributes\[0\]\.value\.intValue: expected an integer/,
    },
    {
      name: 'kind out of range',
      type: 'application/json',
      body: jsonBody([jsonSpan('1', '1', { kind: 9 })]),
      status: 400,
      reason: /spans\[0\]\.kind: expected 0…5, got 9/,
    },
    {
      name: 'end before start',
      type: 'application/json',
      body: jsonBody([jsonSpan('1', '1', { endTimeUnixNano: '1' })]),
      status: 400,
      reason: /endTimeUnixNano: before startTimeUnixNano/,
    },
    {
      name: 'start time as a float',
      type: 'application/json',
      body: jsonBody([jsonSpan('1', '1', { startTimeUnixNano: 1.5 })]),
      status: 400,
      reason: /startTimeUnixNano: expected an unsigned integer/,
    },
    {
      name: 'gzip claimed, not gzip',
      type: 'application/json',
      encoding: 'gzip',
      body: jsonBody([jsonSpan('1', '1')]),
      status: 400,
      reason: /body is not valid gzip/,
    },
    {
      name: 'too many spans',
      type: 'application/json',
      body: jsonBody([1, 2, 3, 4, 5, 6].map((i) => jsonSpan('1', String(i)))),
      status: 413,
      reason: /more than 5 spans/,
    },
    {
      name: 'body too large',
      type: 'application/json',
      body: 'x'.repeat(70_000),
      status: 413,
      reason: /over the limit of 65536 bytes/,
    },
    {
      name: 'gzip bomb',
      type: 'application/json',
      encoding: 'gzip',
      body: gzipSync(' '.repeat(1_000_000)),
      status: 413,
      reason: /over the limit of 65536 bytes once gunzipped/,
    },
    {
      name: 'other content type',
      type: 'text/plain',
      body: 'hello',
      status: 415,
      reason:
        /unsupported Content-Type "text\/plain": send application\/x-protobuf or application\/json/,
    },
    {
      name: 'other content encoding',
      type: 'application/json',
      encoding: 'br',
      body: '{}',
      status: 415,
      reason: /unsupported Content-Encoding "br"/,
    },
  ];
  for (const c of cases) {
    const spansBefore = store.stats.spans;
    const rejectedBefore = stats.requestsRejected;
    const res = await fetch(`${base}/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': c.type,
        ...(c.encoding ? { 'content-encoding': c.encoding } : {}),
      },
      body: c.body,
    });
    assert.equal(res.status, c.status, c.name);
    // Errors come back as google.rpc.Status in the request's encoding.
    let message: string;
    if (c.type === 'application/x-protobuf') {
      const r = new ProtoReader(new Uint8Array(await res.arrayBuffer()));
      message = '';
      while (r.next())
        if (r.field === 2) message = r.string();
        else r.skip();
    } else if (c.type === 'application/json') {
      message = ((await res.json()) as { message: string }).message;
    } else message = await res.text();
    assert.match(message, c.reason, c.name);
    assert.equal(store.stats.spans, spansBefore, `${c.name}: nothing stored`);
    assert.equal(stats.requestsRejected, rejectedBefore + 1, `${c.name}: counted`);
  }
  assert.equal((await api<unknown>(`/api/v1/traces/${'ab'.repeat(16)}`)).status, 404);
});

test('an empty request is accepted; the answer is an empty ExportTraceServiceResponse', async () => {
  const res = await fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: new Uint8Array(0),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.arrayBuffer()).byteLength, 0);
  const get = await fetch(`${base}/v1/traces`);
  assert.equal(get.status, 405);
});

test('API parameters: bad values are 400 with the reason', async () => {
  const cases: Array<[string, number, RegExp]> = [
    [
      '/api/v1/traces?min_duration=abc',
      400,
      /invalid parameter "min_duration": expected milliseconds/,
    ],
    [
      '/api/v1/traces?limit=0',
      400,
      /invalid parameter "limit": expected an integer from 1 to 10000/,
    ],
    ['/api/v1/traces?start=yesterday', 400, /invalid parameter "start": cannot parse "yesterday"/],
    ['/api/v1/traces/xyz', 400, /invalid trace id "xyz": expected 32 hex digits/],
    [`/api/v1/traces/${'0'.repeat(31)}9`, 404, /trace 0+9 not found/],
  ];
  for (const [path, status, re] of cases) {
    const r = await api<unknown>(path);
    assert.equal(r.status, status, path);
    assert.match(r.error ?? '', re, path);
  }
  const services =
    await api<Array<{ service: string; operations: string[] }>>('/api/v1/trace_services');
  assert.ok(
    services.data.some((s) => s.service === 'relay-protobuf' && s.operations.includes('gossip')),
  );
});
