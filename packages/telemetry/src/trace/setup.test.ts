import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from '../registry.js';
import { setupTracing, TracingConfigError } from './setup.js';
import { contextFromTraceparent, exemplarOf, traceparentOf } from './context.js';

function counterValue(r: Registry, series: string): number {
  const line = r
    .render('text')
    .split('\n')
    .find((l) => l.startsWith(series + ' '));
  assert.ok(line !== undefined, `${series} in the exposition`);
  return Number(line.slice(series.length + 1));
}

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

test('disabled: a no-op tracer, nothing recorded, the counters registered at 0', async () => {
  const registry = new Registry();
  for (const o of [{}, { endpoint: 'http://127.0.0.1:1/v1/traces', enabled: false }]) {
    const t = setupTracing({ service: 'relay', registry: new Registry(), ...o });
    assert.equal(t.enabled, false);
    const span = t.tracer.startSpan('x');
    assert.equal(span.isRecording(), false);
    span.end();
    await t.shutdown();
  }
  setupTracing({ service: 'relay', registry });
  assert.equal(counterValue(registry, 'canopy_trace_spans_exported_total'), 0);
  assert.equal(
    counterValue(registry, 'canopy_trace_spans_dropped_total{reason="export_failed"}'),
    0,
  );
});

test('bad options say what was wrong and what to give', () => {
  const cases: Array<[object, RegExp]> = [
    [{ sampleRatio: 1.5 }, /sample ratio must be a number from 0 to 1 .*got 1\.5/],
    [{ sampleRatio: -0.1 }, /sample ratio must be a number from 0 to 1/],
    [{ sampleRatio: NaN }, /got NaN/],
    [{ endpoint: 'tempo:4318' }, /endpoint must be an http\(s\) URL .*got "tempo:4318"/],
    [{ endpoint: 'not a url' }, /e\.g\. http:\/\/127\.0\.0\.1:4318\/v1\/traces/],
  ];
  for (const [o, re] of cases) {
    assert.throws(
      () => setupTracing({ service: 'storage', ...o }),
      (e: unknown) => e instanceof TracingConfigError && re.test(e.message),
      JSON.stringify(o),
    );
  }
});

test('sampled spans are exported and counted; ratio 0 samples no new trace but follows a sampled parent', async () => {
  const registry = new Registry();
  const exporter = new InMemorySpanExporter();
  const t = setupTracing({ service: 'replay', exporter, registry, batchDelayMs: 10 });
  const root = t.tracer.startSpan('root');
  assert.equal(root.isRecording(), true);
  const child = t.tracer.startSpan('child', {}, contextFromTraceparent(traceparentOf(root)));
  assert.equal(child.spanContext().traceId, root.spanContext().traceId);
  assert.deepEqual(exemplarOf(child), { trace_id: root.spanContext().traceId });
  child.end();
  root.end();
  await t.forceFlush();
  assert.equal(exporter.getFinishedSpans().length, 2);
  assert.equal(t.stats.spansExported, 2);
  assert.equal(counterValue(registry, 'canopy_trace_spans_exported_total'), 2);
  await t.shutdown();

  const zero = setupTracing({
    service: 'replay',
    exporter: new InMemorySpanExporter(),
    sampleRatio: 0,
  });
  const unsampled = zero.tracer.startSpan('root');
  assert.equal(unsampled.isRecording(), false);
  assert.equal(exemplarOf(unsampled), undefined);
  assert.match(traceparentOf(unsampled), /-00$/);
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const followed = zero.tracer.startSpan('child', {}, contextFromTraceparent(parent));
  assert.equal(followed.isRecording(), true);
  assert.equal(followed.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  const malformed = zero.tracer.startSpan('child', {}, contextFromTraceparent('00-zz'));
  assert.notEqual(malformed.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  await zero.shutdown();
});

/** Endpoints that do not take spans: each must only move the dropped counter. */
const BROKEN: ReadonlyArray<[string, () => Promise<{ url: string; stop: () => Promise<void> }>]> = [
  [
    'refuses connections',
    async () => {
      const s = createServer();
      const url = await listen(s);
      await close(s);
      return { url, stop: async () => {} };
    },
  ],
  [
    'answers 500',
    async () => {
      const s = createServer((req, res) => {
        req.resume();
        res.writeHead(500).end('broken');
      });
      return { url: await listen(s), stop: () => close(s) };
    },
  ],
  [
    'hangs',
    async () => {
      const s = createServer((req) => req.resume());
      return { url: await listen(s), stop: () => close(s) };
    },
  ],
];

for (const [what, make] of BROKEN) {
  test(`an OTLP endpoint that ${what}: spans dropped and counted, no rejection escapes`, async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    const ep = await make();
    const registry = new Registry();
    const t = setupTracing({
      service: 'relay',
      endpoint: ep.url,
      registry,
      batchDelayMs: 20,
      timeoutMs: 500,
    });
    try {
      for (let i = 0; i < 5; i++) t.tracer.startSpan(`s${i}`).end();
      const until = Date.now() + 10_000;
      while (t.stats.spansDropped < 5 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(t.stats.spansDropped, 5);
      assert.equal(t.stats.spansExported, 0);
      assert.equal(
        counterValue(registry, 'canopy_trace_spans_dropped_total{reason="export_failed"}'),
        5,
      );
      await t.shutdown();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
      await t.shutdown();
      await ep.stop();
    }
  });
}

test('a full export queue drops spans and counts them as queue_full', async () => {
  const registry = new Registry();
  const calls: Array<() => void> = [];
  // An exporter that never answers until told to: the queue fills behind it.
  const t = setupTracing({
    service: 'storage',
    registry,
    maxQueue: 4,
    batchDelayMs: 10,
    exporter: {
      export: (spans, done) => calls.push(() => done({ code: 0 })),
      shutdown: () => Promise.resolve(),
    },
  });
  for (let i = 0; i < 10; i++) t.tracer.startSpan(`s${i}`).end();
  assert.equal(t.stats.spansDropped, 6);
  assert.equal(counterValue(registry, 'canopy_trace_spans_dropped_total{reason="queue_full"}'), 6);
  const until = Date.now() + 5000;
  while (calls.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  for (const c of calls.splice(0)) c();
  assert.equal(t.stats.spansExported, 4);
  // Room again once the endpoint answered.
  t.tracer.startSpan('after').end();
  assert.equal(t.stats.spansDropped, 6);
  const flushed = t.forceFlush();
  const until2 = Date.now() + 5000;
  while (calls.length === 0 && Date.now() < until2) await new Promise((r) => setTimeout(r, 10));
  for (const c of calls.splice(0)) c();
  await flushed;
  assert.equal(t.stats.spansExported, 5);
  await t.shutdown();
});
