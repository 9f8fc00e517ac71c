// A flood of unknown label values (peer IDs, error strings, namespaces) must fold into
// `other`: bounded series, an honest overflow count, and no memory growth.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';

const gc = (globalThis as { gc?: () => void }).gc;
const N = 1_000_000;
/** Allowed heap growth over a flood, after GC. */
const HEAP_MARGIN = 2 * 1024 * 1024;

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

function failures(r: Registry) {
  return r.counter({
    type: 'counter',
    name: 'relay_dial_failures_total',
    help: 'Failed dials.',
    labels: { reason: { kind: 'enum', values: ['timeout', 'refused', 'reset'] } },
  });
}

function namespaces(r: Registry) {
  return r.gauge({
    type: 'gauge',
    name: 'replay_namespace_events',
    help: 'Events per namespace.',
    labels: { namespace: { kind: 'topk', k: 10 } },
  });
}

const floodEnum = (c: ReturnType<typeof failures>, n: number): void => {
  for (let i = 0; i < n; i++) c.labels({ reason: `ECONNREFUSED peer ${i}` } as never).inc();
};
const floodTopK = (g: ReturnType<typeof namespaces>, n: number): void => {
  for (let i = 0; i < n; i++) g.labels({ namespace: `ns${i}x` }).inc();
};

function overflowSample(r: Registry, metric: string, label: string): number {
  const series = `canopy_telemetry_label_overflow_total{metric="${metric}",label="${label}"} `;
  const line = r
    .render('openmetrics')
    .split('\n')
    .find((l) => l.startsWith(series));
  assert.ok(line !== undefined, `no ${series}`);
  return Number(line.slice(series.length));
}

describe('label overflow', { skip: gc === undefined && 'needs --expose-gc' }, () => {
  it('folds a million unknown enum values into other without growing', () => {
    // Warm the same code paths on a throwaway registry so JIT code is not counted.
    floodEnum(failures(new Registry()), 20_000);

    const r = new Registry();
    const c = failures(r);
    c.labels({ reason: 'timeout' }).inc();
    const before = heapAfterGc();
    floodEnum(c, N);
    const after = heapAfterGc();

    assert.ok(after - before < HEAP_MARGIN, `heap grew by ${after - before} bytes`);
    assert.equal(c.activeSeries, 2, 'timeout and other');
    assert.ok(c.activeSeries <= c.slots);
    assert.ok(r.activeSeries() <= r.maxSeries());
    assert.equal(c.overflow, N);
    assert.equal(c.labels({ reason: 'other' } as never).get(), N, 'other is not an overflow');
    assert.equal(overflowSample(r, 'relay_dial_failures_total', 'reason'), 1000000);
    const text = r.render('text');
    assert.match(text, /^relay_dial_failures_total\{reason="other"\} 1000000$/m);
    assert.ok(!text.includes('peer 1'), 'no unknown value reaches the exposition');
  });

  it('admits k top-K values, then folds a million more into other without growing', () => {
    floodTopK(namespaces(new Registry()), 20_000);

    const r = new Registry();
    const g = namespaces(r);
    for (let i = 0; i < 10; i++) g.labels({ namespace: `chat${i}` }).set(i);
    assert.equal(g.activeSeries, 10);
    const before = heapAfterGc();
    floodTopK(g, N);
    const after = heapAfterGc();

    assert.ok(after - before < HEAP_MARGIN, `heap grew by ${after - before} bytes`);
    assert.equal(g.activeSeries, 11, 'k values and other');
    assert.equal(g.slots, 11);
    assert.equal(g.overflow, N);
    assert.equal(overflowSample(r, 'replay_namespace_events', 'namespace'), 1000000);
    const text = r.render('text');
    assert.match(text, /^replay_namespace_events\{namespace="other"\} 1000000$/m);
    assert.match(text, /^replay_namespace_events\{namespace="chat9"\} 9$/m);
    assert.ok(!text.includes('x"'), 'no flooded value reaches the exposition');
  });

  it('keeps peer-ID-like values out of a top-K label from the start', () => {
    const r = new Registry();
    const g = namespaces(r);
    for (let i = 0; i < 1000; i++)
      g.labels({ namespace: `${(0xabcdef000000 + i).toString(16)}` }).inc();
    assert.equal(g.activeSeries, 1);
    assert.equal(g.overflow, 1000);
    assert.match(r.render('text'), /^replay_namespace_events\{namespace="other"\} 1000$/m);
  });
});
