import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';

const NOW_MS = 1_700_000_000_500;

/** Sample lines (no comments) of a render. */
function samples(r: Registry, format: 'text' | 'openmetrics' = 'text'): string[] {
  return r
    .render(format)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function writeHistogram(r: Registry, exemplars = false) {
  return r.histogram({
    type: 'histogram',
    name: 'storage_write_duration_seconds',
    help: 'Write latency.',
    unit: 'seconds',
    buckets: [0.25, 0.5, 1],
    exemplars,
  });
}

const num = (s: string | undefined): number =>
  s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);

/** `[le, cumulative count]` pairs, sum and count of an unlabelled histogram render. */
function parse(r: Registry): { buckets: Array<[string, number]>; sum: number; count: number } {
  const buckets: Array<[string, number]> = [];
  let sum = NaN;
  let count = NaN;
  for (const line of samples(r)) {
    const b = /^storage_write_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/.exec(line);
    if (b !== null) buckets.push([b[1]!, num(b[2])]);
    else if (line.startsWith('storage_write_duration_seconds_sum ')) sum = num(line.split(' ')[1]);
    else if (line.startsWith('storage_write_duration_seconds_count '))
      count = num(line.split(' ')[1]);
  }
  return { buckets, sum, count };
}

describe('histogram bucket placement (le: v <= bound)', () => {
  const cases: Array<[number, string]> = [
    [-1, '0.25'],
    [0, '0.25'],
    [0.25, '0.25'],
    [0.2500001, '0.5'],
    [0.5, '0.5'],
    [1, '1'],
    [1.0000001, '+Inf'],
    [1e9, '+Inf'],
    [Infinity, '+Inf'],
    [NaN, '+Inf'], // NaN <= bound is false for every bound
  ];
  for (const [v, le] of cases) {
    it(`${v} lands in le="${le}"`, () => {
      const r = new Registry({ selfMetrics: false });
      writeHistogram(r).labels().observe(v);
      const { buckets, count } = parse(r);
      // The first bucket holding the value is the first whose cumulative count is 1.
      const first = buckets.find(([, n]) => n === 1);
      assert.equal(first?.[0], le);
      assert.equal(buckets.at(-1)?.[1], 1, '+Inf holds every observation');
      assert.equal(count, 1);
    });
  }
});

describe('histogram', () => {
  it('renders cumulative buckets, sum and count', () => {
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r).labels();
    for (const v of [0.125, 0.25, 0.5, 0.75, 2]) h.observe(v);
    assert.deepEqual(samples(r), [
      'storage_write_duration_seconds_bucket{le="0.25"} 2',
      'storage_write_duration_seconds_bucket{le="0.5"} 3',
      'storage_write_duration_seconds_bucket{le="1"} 4',
      'storage_write_duration_seconds_bucket{le="+Inf"} 5',
      'storage_write_duration_seconds_sum 3.625',
      'storage_write_duration_seconds_count 5',
    ]);
  });

  it('exists at zero before any observation', () => {
    const r = new Registry({ selfMetrics: false });
    writeHistogram(r);
    const { buckets, sum, count } = parse(r);
    assert.deepEqual(buckets, [
      ['0.25', 0],
      ['0.5', 0],
      ['1', 0],
      ['+Inf', 0],
    ]);
    assert.equal(sum, 0);
    assert.equal(count, 0);
  });

  it('adds +Inf observations to the +Inf bucket and the sum', () => {
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r).labels();
    h.observe(0.5);
    h.observe(Infinity);
    const { buckets, sum, count } = parse(r);
    assert.deepEqual(buckets.at(-1), ['+Inf', 2]);
    assert.deepEqual(buckets.at(-2), ['1', 1]);
    assert.equal(sum, Infinity);
    assert.equal(count, 2);
    assert.ok(r.render('text').includes('storage_write_duration_seconds_sum +Inf\n'));
  });

  for (const exemplars of [false, true]) {
    it(`counts a NaN observation in +Inf only, as the Go client does (exemplars: ${exemplars})`, () => {
      const r = new Registry({ selfMetrics: false });
      const h = writeHistogram(r, exemplars).labels();
      h.observe(0.5);
      h.observe(NaN, { trace_id: 'nan' });
      const { buckets, sum, count } = parse(r);
      assert.deepEqual(buckets, [
        ['0.25', 0],
        ['0.5', 1],
        ['1', 1],
        ['+Inf', 2],
      ]);
      assert.equal(count, 2);
      assert.ok(Number.isNaN(sum));
      assert.ok(r.render('text').includes('storage_write_duration_seconds_sum NaN\n'));
    });
  }

  it('keeps labelled series apart, le last', () => {
    const r = new Registry({ selfMetrics: false });
    const h = r.histogram({
      type: 'histogram',
      name: 'relay_dial_duration_seconds',
      help: 'h',
      unit: 'seconds',
      buckets: [1],
      labels: { transport: { kind: 'enum', values: ['tcp', 'ws'] } },
    });
    const ws = h.labels({ transport: 'ws' });
    assert.equal(h.labels({ transport: 'ws' }), ws, 'bound handles are reused');
    ws.observe(0.5);
    h.labels({ transport: 'tcp' }).observe(3);
    assert.deepEqual(samples(r), [
      'relay_dial_duration_seconds_bucket{transport="ws",le="1"} 1',
      'relay_dial_duration_seconds_bucket{transport="ws",le="+Inf"} 1',
      'relay_dial_duration_seconds_sum{transport="ws"} 0.5',
      'relay_dial_duration_seconds_count{transport="ws"} 1',
      'relay_dial_duration_seconds_bucket{transport="tcp",le="1"} 0',
      'relay_dial_duration_seconds_bucket{transport="tcp",le="+Inf"} 1',
      'relay_dial_duration_seconds_sum{transport="tcp"} 3',
      'relay_dial_duration_seconds_count{transport="tcp"} 1',
    ]);
  });

  it('renders _created in OpenMetrics', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    const r = new Registry({ selfMetrics: false });
    writeHistogram(r).labels().observe(0.3);
    assert.deepEqual(samples(r, 'openmetrics'), [
      'storage_write_duration_seconds_bucket{le="0.25"} 0',
      'storage_write_duration_seconds_bucket{le="0.5"} 1',
      'storage_write_duration_seconds_bucket{le="1"} 1',
      'storage_write_duration_seconds_bucket{le="+Inf"} 1',
      'storage_write_duration_seconds_sum 0.3',
      'storage_write_duration_seconds_count 1',
      'storage_write_duration_seconds_created 1700000000.5',
    ]);
  });

  it('startTimer observes the elapsed seconds once per call', async () => {
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r).labels();
    const done = h.startTimer();
    await new Promise((resolve) => setImmediate(resolve));
    const s = done();
    assert.ok(Number.isFinite(s) && s >= 0, String(s));
    const { sum, count } = parse(r);
    assert.equal(count, 1);
    assert.equal(sum, s);
    const t = h.startTimer()();
    assert.equal(parse(r).count, 2);
    assert.equal(parse(r).sum, s + t);
  });
});

describe('histogram exemplars', () => {
  it('are kept per bucket and shown in OpenMetrics only', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r, true).labels();
    h.observe(0.3, { trace_id: 'old' });
    h.observe(0.4, { trace_id: 'new' });
    h.observe(5, { trace_id: 'slow' });
    h.observe(0.1);
    assert.deepEqual(samples(r, 'openmetrics'), [
      'storage_write_duration_seconds_bucket{le="0.25"} 1',
      'storage_write_duration_seconds_bucket{le="0.5"} 3 # {trace_id="new"} 0.4 1700000000.5',
      'storage_write_duration_seconds_bucket{le="1"} 3',
      'storage_write_duration_seconds_bucket{le="+Inf"} 4 # {trace_id="slow"} 5 1700000000.5',
      'storage_write_duration_seconds_sum 5.8',
      'storage_write_duration_seconds_count 4',
      'storage_write_duration_seconds_created 1700000000.5',
    ]);
    assert.ok(!r.render('text').includes('trace_id'));
  });

  it('are ignored when the spec does not enable them', () => {
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r, false).labels();
    h.observe(0.3, { trace_id: 'abc' });
    assert.ok(!r.render('openmetrics').includes('trace_id'));
    assert.equal(parse(r).count, 1);
  });

  it('are dropped past 128 runes', () => {
    const r = new Registry({ selfMetrics: false });
    const h = writeHistogram(r, true).labels();
    const fits = 'f'.repeat(128 - 'trace_id'.length);
    h.observe(0.1, { trace_id: fits + 'f' });
    h.observe(0.4, { trace_id: fits });
    const om = r.render('openmetrics');
    assert.match(om, /^storage_write_duration_seconds_bucket\{le="0.25"\} 1$/m);
    assert.ok(om.includes(`# {trace_id="${fits}"} 0.4 `));
    assert.equal(parse(r).count, 2, 'the observation still counts');
  });
});
