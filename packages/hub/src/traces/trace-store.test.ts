import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceStore } from './trace-store.js';
import type { SpanRecord } from './span.js';

const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

/** A span of trace `t` (1…), span `s`, starting `at` ms after T0 and lasting `ms`. */
function span(
  t: number,
  s: number,
  at: number,
  ms: number,
  more: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId: t.toString(16).padStart(32, '0'),
    spanId: s.toString(16).padStart(16, '0'),
    parentSpanId: null,
    service: 'relay',
    name: 'dial',
    kind: 2,
    startNs: T0 + BigInt(at) * MS,
    endNs: T0 + BigInt(at + ms) * MS,
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    events: [],
    ...more,
  };
}

const tid = (t: number): string => t.toString(16).padStart(32, '0');
const sid = (s: number): string => s.toString(16).padStart(16, '0');

test('a trace sent in parts by several services: one summary, root from the parentless span', () => {
  const store = new TraceStore(':memory:');
  store.add([span(1, 2, 5, 10, { service: 'storage', name: 'write', parentSpanId: sid(1) })]);
  assert.equal(store.search({})[0]?.rootService, 'storage', 'earliest span until the root comes');
  store.add([
    span(1, 1, 0, 40, {
      name: 'gossip',
      attributes: { peers: 3, big: '9007199254740993' },
      events: [{ name: 'retry', timeNs: T0 + 7n * MS + 5000n, attributes: { n: 1 } }],
    }),
    span(1, 3, 20, 30, {
      service: 'replay',
      name: 'apply',
      parentSpanId: sid(1),
      statusCode: 2,
      statusMessage: 'queue full',
    }),
  ]);
  const [sum] = store.search({});
  assert.deepEqual(sum, {
    traceId: tid(1),
    rootService: 'relay',
    rootName: 'gossip',
    startMs: Number(T0 / MS),
    durationMs: 50,
    spanCount: 3,
    services: ['relay', 'replay', 'storage'],
    error: true,
  });
  const spans = store.trace(tid(1).toUpperCase())!;
  assert.deepEqual(
    spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.name, s.kind, s.durationMs]),
    [
      [sid(1), null, 'relay', 'gossip', 'server', 40],
      [sid(2), sid(1), 'storage', 'write', 'server', 10],
      [sid(3), sid(1), 'replay', 'apply', 'server', 30],
    ],
  );
  assert.deepEqual(spans[0]!.attributes, { peers: 3, big: '9007199254740993' });
  assert.deepEqual(spans[0]!.events, [
    { name: 'retry', timeMs: Number(T0 / MS) + 7.005, attributes: { n: 1 } },
  ]);
  assert.deepEqual(spans[0]!.status, { code: 'unset' });
  assert.deepEqual(spans[2]!.status, { code: 'error', message: 'queue full' });
  assert.equal(store.trace(tid(99)), undefined);
  assert.deepEqual(store.services(), [
    { service: 'relay', operations: ['gossip'] },
    { service: 'replay', operations: ['apply'] },
    { service: 'storage', operations: ['write'] },
  ]);
  assert.equal(store.stats.spans, 3);
  assert.equal(store.stats.traces, 1);
  store.close();
});

test('search: slowest first, filtered by service, operation, duration and start; limit', () => {
  const store = new TraceStore(':memory:');
  // trace i starts at i*1000 ms and lasts i*10 ms; odd traces have a storage span
  for (let i = 1; i <= 9; i++) {
    const spans = [span(i, 1, i * 1000, i * 10, { name: i % 3 === 0 ? 'gossip' : 'dial' })];
    if (i % 2 === 1)
      spans.push(
        span(i, 2, i * 1000 + 1, 1, { service: 'storage', name: 'write', parentSpanId: sid(1) }),
      );
    store.add(spans);
  }
  const ids = (q: Parameters<TraceStore['search']>[0]): number[] =>
    store.search(q).map((t) => parseInt(t.traceId, 16));
  const startMs = Number(T0 / MS);
  const cases: Array<[string, Parameters<TraceStore['search']>[0], number[]]> = [
    ['all, slowest first', {}, [9, 8, 7, 6, 5, 4, 3, 2, 1]],
    ['limit', { limit: 3 }, [9, 8, 7]],
    ['service of any span', { service: 'storage' }, [9, 7, 5, 3, 1]],
    ['operation', { operation: 'gossip' }, [9, 6, 3]],
    ['service and operation on one span', { service: 'storage', operation: 'gossip' }, []],
    ['service and operation', { service: 'relay', operation: 'gossip' }, [9, 6, 3]],
    ['min duration', { minDurationMs: 60 }, [9, 8, 7, 6]],
    ['start window', { startMs: startMs + 3000, endMs: startMs + 5000 }, [5, 4, 3]],
    ['unknown service', { service: 'nope' }, []],
  ];
  for (const [name, q, want] of cases) assert.deepEqual(ids(q), want, name);
  store.close();
});

test('spans starting in the same instant: parents before children', () => {
  const store = new TraceStore(':memory:');
  // ids chosen so that span id order is the reverse of the tree
  store.add([
    span(1, 9, 0, 5),
    span(1, 5, 0, 4, { parentSpanId: sid(9) }),
    span(1, 1, 0, 3, { parentSpanId: sid(5) }),
    span(1, 2, 0, 3, { parentSpanId: sid(9) }),
  ]);
  assert.deepEqual(
    store.trace(tid(1))!.map((s) => s.spanId),
    [sid(9), sid(2), sid(5), sid(1)],
  );
  store.close();
});

test('bounded by trace count: the oldest traces go first, whole', () => {
  const store = new TraceStore(':memory:', { maxTraces: 5 });
  for (let i = 1; i <= 8; i++)
    store.add([span(i, 1, i * 1000, 5), span(i, 2, i * 1000 + 1, 1, { parentSpanId: sid(1) })]);
  const kept = store
    .search({})
    .map((t) => parseInt(t.traceId, 16))
    .sort((a, b) => a - b);
  assert.deepEqual(kept, [4, 5, 6, 7, 8]);
  assert.equal(store.trace(tid(3)), undefined, 'no orphan spans left');
  assert.equal(store.stats.traces, 5);
  assert.equal(store.stats.spans, 10);
  assert.equal(store.stats.tracesEvicted, 3);
  store.close();
});

test('bounded by bytes: stays under maxBytes, keeps the newest', () => {
  const store = new TraceStore(':memory:', { maxBytes: 20_000 });
  const pad = 'x'.repeat(900);
  for (let i = 1; i <= 100; i++) store.add([span(i, 1, i, 1, { attributes: { pad } })]);
  assert.ok(store.stats.bytes <= 20_000, `${store.stats.bytes} bytes kept`);
  assert.ok(store.stats.traces >= 15 && store.stats.traces < 25, `${store.stats.traces} traces`);
  const kept = store.search({ limit: 1000 }).map((t) => parseInt(t.traceId, 16));
  assert.equal(Math.min(...kept), 101 - store.stats.traces, 'the newest are the ones kept');
  store.close();
});

test('a re-sent span replaces itself instead of counting twice; counts survive a reopen', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'canopy-traces-'));
  try {
    const path = join(dir, 'traces.sqlite');
    let store = new TraceStore(path);
    store.add([span(1, 1, 0, 10), span(1, 2, 1, 2, { parentSpanId: sid(1) })]);
    store.add([span(1, 2, 1, 2, { parentSpanId: sid(1) })]);
    assert.equal(store.search({})[0]?.spanCount, 2);
    const bytes = store.stats.bytes;
    store.close();
    store = new TraceStore(path);
    assert.deepEqual(
      { traces: store.stats.traces, spans: store.stats.spans, bytes: store.stats.bytes },
      { traces: 1, spans: 2, bytes },
    );
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
