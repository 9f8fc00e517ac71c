import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';

const NOW_MS = 1_700_000_000_250;

/** Sample lines (no comments) of a render. */
function samples(r: Registry, format: 'text' | 'openmetrics' = 'text'): string[] {
  return r
    .render(format)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function bytesCounter(r: Registry, exemplars = false) {
  return r.counter({
    type: 'counter',
    name: 'relay_bytes_total',
    help: 'Bytes moved.',
    unit: 'bytes',
    exemplars,
    labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
  });
}

describe('counter', () => {
  it('starts an unlabelled counter at zero and counts up', () => {
    const r = new Registry({ selfMetrics: false });
    const c = r.counter({ type: 'counter', name: 'relay_peer_connects_total', help: 'h' });
    assert.deepEqual(samples(r), ['relay_peer_connects_total 0']);
    const h = c.labels();
    h.inc();
    h.inc();
    h.inc(40);
    h.inc(0.5);
    assert.equal(h.get(), 42.5);
    assert.deepEqual(samples(r), ['relay_peer_connects_total 42.5']);
  });

  it('returns the same bound handle for the same labels', () => {
    const c = bytesCounter(new Registry());
    const a = c.labels({ direction: 'in' });
    assert.equal(c.labels({ direction: 'in' }), a);
    assert.notEqual(c.labels({ direction: 'out' }), a);
    a.inc(3);
    assert.equal(c.labels({ direction: 'in' }).get(), 3);
    assert.equal(c.labels({ direction: 'out' }).get(), 0);
  });

  for (const exemplars of [false, true]) {
    it(`ignores negative and NaN increments (exemplars: ${exemplars})`, () => {
      const h = bytesCounter(new Registry(), exemplars).labels({ direction: 'in' });
      h.inc(5);
      for (const n of [-1, -0.001, -Infinity, NaN]) h.inc(n);
      assert.equal(h.get(), 5);
      h.inc(0);
      assert.equal(h.get(), 5);
    });
  }

  it('creates a series only when a label set is first used, in that order', () => {
    const r = new Registry({ selfMetrics: false });
    const c = bytesCounter(r);
    assert.equal(c.activeSeries, 0);
    assert.equal(r.render('text'), '', 'a labelled family with no series is not rendered');
    c.labels({ direction: 'out' }).inc(2);
    c.labels({ direction: 'in' }).inc(1);
    assert.equal(c.activeSeries, 2);
    assert.deepEqual(samples(r), [
      'relay_bytes_total{direction="out"} 2',
      'relay_bytes_total{direction="in"} 1',
    ]);
  });

  it('folds unknown label values into other', () => {
    const r = new Registry({ selfMetrics: false });
    const c = bytesCounter(r);
    c.labels({ direction: 'sideways' } as never).inc();
    c.labels({ direction: 'up' } as never).inc();
    assert.equal(c.overflow, 2);
    assert.equal(c.activeSeries, 1);
    assert.deepEqual(samples(r), ['relay_bytes_total{direction="other"} 2']);
  });

  it('renders _created in OpenMetrics only', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    const r = new Registry({ selfMetrics: false });
    bytesCounter(r).labels({ direction: 'in' }).inc(7);
    assert.deepEqual(samples(r, 'openmetrics'), [
      'relay_bytes_total{direction="in"} 7',
      'relay_bytes_created{direction="in"} 1700000000.25',
    ]);
    assert.deepEqual(samples(r, 'text'), ['relay_bytes_total{direction="in"} 7']);
  });

  it('mirrors an external value with setRaw', () => {
    const r = new Registry({ selfMetrics: false });
    const c = r.counter({ type: 'counter', name: 'process_thing_total', help: 'h' });
    c.setRaw(0, 12.25);
    assert.equal(c.labels().get(), 12.25);
    assert.deepEqual(samples(r), ['process_thing_total 12.25']);
  });
});

describe('counter exemplars', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('are kept, latest per series, and shown in OpenMetrics only', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    h.inc(100, { trace_id: 'aaaa' });
    h.inc(20, { trace_id: TRACE });
    h.inc(3);
    assert.deepEqual(samples(r, 'openmetrics'), [
      `relay_bytes_total{direction="in"} 123 # {trace_id="${TRACE}"} 20 1700000000.25`,
      'relay_bytes_created{direction="in"} 1700000000.25',
    ]);
    assert.deepEqual(samples(r, 'text'), ['relay_bytes_total{direction="in"} 123']);
  });

  it('are ignored when the spec does not enable them', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, false).labels({ direction: 'in' });
    h.inc(1, { trace_id: TRACE });
    assert.equal(h.get(), 1);
    assert.ok(!r.render('openmetrics').includes(' # {'), r.render('openmetrics'));
  });

  it('are not stored for ignored increments', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    h.inc(-1, { trace_id: TRACE });
    h.inc(NaN, { trace_id: TRACE });
    assert.ok(!r.render('openmetrics').includes(TRACE));
  });

  it('are dropped past 128 runes of label names and values', () => {
    const r = new Registry({ selfMetrics: false });
    const c = bytesCounter(r, true);
    const fits = 'x'.repeat(128 - 'trace_id'.length);
    const tooLong = fits + 'x';
    c.labels({ direction: 'in' }).inc(1, { trace_id: tooLong });
    c.labels({ direction: 'out' }).inc(1, { trace_id: fits });
    const om = r.render('openmetrics');
    assert.ok(!om.includes(tooLong), 'a 129-rune exemplar is dropped');
    assert.match(om, /^relay_bytes_total\{direction="in"\} 1$/m);
    assert.ok(om.includes(`# {trace_id="${fits}"} 1 `), 'a 128-rune exemplar is kept');
  });

  it('keeps the previous exemplar when a new one is too long', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    h.inc(1, { trace_id: 'first' });
    h.inc(1, { trace_id: 'y'.repeat(200) });
    assert.match(r.render('openmetrics'), /\} 2 # \{trace_id="first"\} 1 /);
  });

  it('count runes, not UTF-16 code units', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    const trees = '🌲'.repeat(100); // 100 runes, 200 code units
    h.inc(1, { note: trees });
    assert.ok(r.render('openmetrics').includes(`# {note="${trees}"} 1 `));
  });

  it('escape label values and count the unescaped runes', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    h.inc(1, { note: 'a"b\\c\nd' });
    assert.ok(r.render('openmetrics').includes('# {note="a\\"b\\\\c\\nd"} 1 '));
  });

  it('are dropped when a label name would break the exposition', () => {
    const r = new Registry({ selfMetrics: false });
    const h = bytesCounter(r, true).labels({ direction: 'in' });
    h.inc(1, { 'trace-id': TRACE });
    h.inc(1, { '': TRACE });
    assert.ok(!r.render('openmetrics').includes(TRACE));
  });
});
