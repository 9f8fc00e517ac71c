import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { NOOP_HANDLE } from './noop.js';

test('a disabled registry hands out the no-op handle and renders nothing', () => {
  const r = new Registry({ enabled: false });
  const c = r.counter({
    type: 'counter',
    name: 'relay_bytes_total',
    help: 'Bytes.',
    labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
  });
  const h = c.labels({ direction: 'in' });
  assert.equal(h, NOOP_HANDLE);
  h.inc(5);
  assert.equal(h.get(), 0);
  const hist = r.histogram({
    type: 'histogram',
    name: 'x_seconds',
    help: 'x',
    unit: 'seconds',
    buckets: [1],
  });
  hist.labels().observe(0.5);
  assert.equal(hist.labels().startTimer()(), 0);
  assert.equal(r.render('text'), '');
  assert.equal(r.render('openmetrics'), '# EOF\n');
  assert.equal(r.maxSeries(), 0);
});

test('a disabled registry still validates definitions', () => {
  const r = new Registry({ enabled: false });
  assert.throws(
    () => r.counter({ type: 'counter', name: 'relay_bytes', help: 'x' }),
    /counter-total/,
  );
  r.gauge({ type: 'gauge', name: 'g', help: 'g' });
  assert.throws(() => r.gauge({ type: 'gauge', name: 'g', help: 'g' }), /duplicate/);
});
