/**
 * Traces across the reference services, in one process: relay, replay and storage export
 * OTLP/HTTP protobuf to a loopback receiver; one published event must be one trace —
 * relay fan-out → replay apply → replay forward batch → storage write batch — and the
 * storage write histogram's exemplar names that trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectPeer,
  newIdentity,
  signEvent,
  startRelay,
  startReplay,
  startStorage,
  type PeerConnection,
  type RunningService,
} from '@canopy/services';
import { Scraper, parseScrapeConfig } from '@canopy/hub';
import { startOtlpReceiver, type ReceivedSpan } from './testing/otlp-receiver.js';

const LOOP = { host: '127.0.0.1', port: 0 };

async function until<T>(
  what: string,
  f: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end && i < 10_000; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function stored(storage: RunningService): Promise<number> {
  const r = await fetch(`${storage.url}/stats`);
  return ((await r.json()) as { events: number }).events;
}

test('one published event is one trace from relay to storage, with exemplars naming it', async () => {
  const rx = await startOtlpReceiver();
  const tracing = { endpoint: rx.url, batchDelayMs: 50 };
  const services: RunningService[] = [];
  let peer: PeerConnection | undefined;
  try {
    const storage = await startStorage({ listen: LOOP, metrics: LOOP, db: ':memory:', tracing });
    services.push(storage);
    const relay = await startRelay({ listen: LOOP, metrics: LOOP, tracing });
    services.push(relay);
    const replay = await startReplay({
      relayUrl: relay.url,
      storageUrl: storage.url,
      listen: LOOP,
      metrics: LOOP,
      tracing,
    });
    services.push(replay);
    await until('replay to join the relay', () => (relay.peers() === 1 ? true : undefined));
    const id = newIdentity();
    peer = await connectPeer({ url: relay.url, identity: id });

    // Three events, each stored before the next is sent (one forward batch each): without
    // trace context, with a publisher's traceparent, with a malformed one.
    const publisher = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const carriers = [
      undefined,
      { traceparent: `00-${publisher.traceId}-${publisher.spanId}-01` },
      { traceparent: '00-not-a-trace-01' },
    ];
    for (let i = 0; i < carriers.length; i++) {
      peer.publish(signEvent(id, 'notes', i + 1, `event ${i + 1}`), carriers[i]);
      await until(`event ${i + 1} in storage`, async () =>
        (await stored(storage)) === i + 1 ? true : undefined,
      );
    }
    // Each service exports on its own schedule: wait until every chain is complete.
    const chain = (s: ReceivedSpan): ReceivedSpan[] => {
      const byId = new Map(rx.spans.map((x) => [x.spanId, x]));
      const out = [s];
      for (let p = byId.get(s.parentSpanId); p !== undefined; p = byId.get(p.parentSpanId))
        out.unshift(p);
      return out;
    };
    const traces = await until('three complete traces', () => {
      const w = rx.spans.filter((s) => s.name === 'storage write batch').map(chain);
      return w.length === 3 && w.every((c) => c.length === 4) ? w : undefined;
    });
    for (const c of traces) {
      assert.deepEqual(
        c.map((s) => `${s.service}: ${s.name}`),
        [
          'relay: relay fan-out',
          'replay: replay apply',
          'replay: replay forward batch',
          'storage: storage write batch',
        ],
      );
      assert.equal(new Set(c.map((s) => s.traceId)).size, 1, 'one trace id along the chain');
      assert.deepEqual(c[0]!.attributes['actor'], 'relay_fanout');
      assert.equal(c[0]!.attributes['canopy.fanout.recipients'], 1, 'fanned out to the replay');
      assert.equal(c[1]!.attributes['canopy.result'], 'applied');
      assert.equal(c[3]!.attributes['canopy.stored'], 1);
    }
    const [plain, traced, malformed] = traces as [ReceivedSpan[], ReceivedSpan[], ReceivedSpan[]];
    // No context or a malformed one: the relay starts the trace. A publisher's: it continues.
    assert.equal(plain[0]!.parentSpanId, '');
    assert.equal(malformed[0]!.parentSpanId, '');
    assert.equal(traced[0]!.traceId, publisher.traceId);
    assert.equal(traced[0]!.parentSpanId, publisher.spanId);
    assert.equal(new Set(traces.map((c) => c[0]!.traceId)).size, 3, 'three events, three traces');
    // Every span of a trace is in its chain: one event, one trace, nothing else in it.
    for (const c of traces)
      assert.equal(rx.spans.filter((s) => s.traceId === c[0]!.traceId).length, c.length);
    // Span attributes carry counts and fixed words, never the peer's key or the event body.
    const everything = JSON.stringify(rx.spans);
    assert.ok(!everything.includes(id.publicKey), 'no peer key in spans');
    assert.ok(!everything.includes('event 1'), 'no event body in spans');

    // The storage write histogram's exemplars name these traces (OpenMetrics only).
    const res = await fetch(storage.metricsUrl, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    const om = await res.text();
    const ids = [
      ...om.matchAll(
        /^storage_write_duration_seconds_bucket\{.*\} \d+ # \{trace_id="([0-9a-f]{32})"\} \S+ \S+$/gm,
      ),
    ].map((m) => m[1]);
    assert.ok(ids.length > 0, 'an exemplar on a write duration bucket');
    for (const t of ids)
      assert.ok(
        traces.some((c) => c[0]!.traceId === t),
        `exemplar trace ${t} was exported`,
      );
    // The hub's scraper (asking for OpenMetrics) takes the exposition with its exemplars.
    const names = new Set<string>();
    const scraper = new Scraper(
      { append: (labels) => (names.add(labels['__name__'] ?? ''), true), commit: () => {} },
      parseScrapeConfig({ targets: [{ url: storage.metricsUrl, service: 'storage' }] }),
    );
    await scraper.scrapeNow();
    await scraper.stop();
    const [target] = scraper.targets();
    assert.equal(target?.health, 'up', target?.lastError);
    assert.ok(names.has('storage_write_duration_seconds_bucket'));
    const text = await (await fetch(storage.metricsUrl)).text();
    assert.doesNotMatch(text, /trace_id/, 'the text format carries no exemplars');
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error === undefined)
      assert.equal(promtool.status, 0, promtool.stdout + promtool.stderr);

    // The span counters on each service's /metrics moved.
    for (const s of services) {
      const body = await (await fetch(s.metricsUrl)).text();
      const m = /^canopy_trace_spans_exported_total (\d+)$/m.exec(body);
      assert.ok(m !== null && Number(m[1]) > 0, `${s.name} exported spans: ${m?.[0]}`);
    }
    assert.deepEqual([...rx.requests.keys()], ['application/x-protobuf']);
  } finally {
    peer?.close();
    for (const s of services.reverse()) await s.stop();
    await rx.stop();
  }
});

async function listen(s: Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/traces`;
}

function close(s: Server): Promise<void> {
  return new Promise((r) => {
    s.close(() => r());
    s.closeAllConnections();
  });
}

test('broken OTLP endpoints (refused, 500, hanging): the services keep serving and count the drops', async () => {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  const closed = createServer();
  const refused = await listen(closed);
  await close(closed);
  const failing = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500).end('no'));
  });
  const hanging = createServer((req) => req.resume());
  const services: RunningService[] = [];
  let peer: PeerConnection | undefined;
  try {
    const opts = { batchDelayMs: 50, timeoutMs: 500, shutdownTimeoutMs: 500 };
    const storage = await startStorage({
      listen: LOOP,
      metrics: LOOP,
      db: ':memory:',
      tracing: { ...opts, endpoint: await listen(hanging) },
    });
    services.push(storage);
    const relay = await startRelay({
      listen: LOOP,
      metrics: LOOP,
      tracing: { ...opts, endpoint: refused },
    });
    services.push(relay);
    const replay = await startReplay({
      relayUrl: relay.url,
      storageUrl: storage.url,
      listen: LOOP,
      metrics: LOOP,
      tracing: { ...opts, endpoint: await listen(failing) },
    });
    services.push(replay);
    await until('replay to join the relay', () => (relay.peers() === 1 ? true : undefined));
    const id = newIdentity();
    peer = await connectPeer({ url: relay.url, identity: id });
    const N = 20;
    for (let i = 1; i <= N; i++) peer.publish(signEvent(id, 'notes', i, `event ${i}`));
    await until('every event in storage', async () =>
      (await stored(storage)) === N ? true : undefined,
    );
    for (const s of services) {
      const dropped = await until(`${s.name} to count dropped spans`, async () => {
        const body = await (await fetch(s.metricsUrl)).text();
        const m = /^canopy_trace_spans_dropped_total\{reason="export_failed"\} (\d+)$/m.exec(body);
        return m !== null && Number(m[1]) > 0 ? Number(m[1]) : undefined;
      });
      assert.ok(dropped > 0 && s.tracing?.spansExported === 0, `${s.name}: ${dropped} dropped`);
    }
    // Still serving: another event goes all the way through.
    peer.publish(signEvent(id, 'notes', N + 1, 'one more'));
    await until('the last event in storage', async () =>
      (await stored(storage)) === N + 1 ? true : undefined,
    );
    const t0 = Date.now();
    for (const s of services.splice(0).reverse()) await s.stop();
    assert.ok(
      Date.now() - t0 < 5000,
      `stopped in ${Date.now() - t0} ms despite the hanging endpoint`,
    );
    assert.deepEqual(rejections, []);
  } finally {
    process.off('unhandledRejection', onRejection);
    peer?.close();
    for (const s of services.reverse()) await s.stop();
    await close(failing);
    await close(hanging);
  }
});
