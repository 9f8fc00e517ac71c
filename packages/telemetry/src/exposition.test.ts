import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry, type ExpositionFormat } from './registry.js';
import {
  CONTENT_TYPE_OPENMETRICS,
  CONTENT_TYPE_TEXT,
  contentType,
  negotiate,
  renderChunks,
} from './exposition.js';

const NOW_MS = 1_700_000_000_125;

/** A small registry with one family of each type, one labelled family left unused. */
function smallRegistry(options: { selfMetrics?: boolean } = {}): Registry {
  const r = new Registry(options);
  const bytes = r.counter({
    type: 'counter',
    name: 'relay_bytes_total',
    help: 'Bytes moved by the relay.',
    unit: 'bytes',
    labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
  });
  bytes.labels({ direction: 'in' }).inc(512);
  bytes.labels({ direction: 'out' }).inc(128);
  r.gauge({
    type: 'gauge',
    name: 'relay_peers_connected',
    help: 'Connected peers.\nSecond line with a \\ and "quotes".',
  })
    .labels()
    .set(3);
  const h = r.histogram({
    type: 'histogram',
    name: 'storage_write_duration_seconds',
    help: 'Write latency.',
    unit: 'seconds',
    buckets: [0.25, 1],
  });
  for (const v of [0.125, 0.5, 2]) h.labels().observe(v);
  r.gauge({
    type: 'gauge',
    name: 'actor_mailbox_depth',
    help: 'Messages waiting.',
    labels: { actor: { kind: 'enum', values: ['gossip'] } },
  });
  return r;
}

const GOLDEN_TEXT = `# HELP relay_bytes_total Bytes moved by the relay.
# TYPE relay_bytes_total counter
relay_bytes_total{direction="in"} 512
relay_bytes_total{direction="out"} 128
# HELP relay_peers_connected Connected peers.\\nSecond line with a \\\\ and "quotes".
# TYPE relay_peers_connected gauge
relay_peers_connected 3
# HELP storage_write_duration_seconds Write latency.
# TYPE storage_write_duration_seconds histogram
storage_write_duration_seconds_bucket{le="0.25"} 1
storage_write_duration_seconds_bucket{le="1"} 2
storage_write_duration_seconds_bucket{le="+Inf"} 3
storage_write_duration_seconds_sum 2.625
storage_write_duration_seconds_count 3
# HELP canopy_telemetry_scrape_duration_seconds Time the previous render of this registry took.
# TYPE canopy_telemetry_scrape_duration_seconds gauge
canopy_telemetry_scrape_duration_seconds 0
# HELP canopy_telemetry_scrapes_total Renders of this registry.
# TYPE canopy_telemetry_scrapes_total counter
canopy_telemetry_scrapes_total 1
# HELP canopy_telemetry_series Active series per metric.
# TYPE canopy_telemetry_series gauge
canopy_telemetry_series{metric="relay_bytes_total"} 2
canopy_telemetry_series{metric="relay_peers_connected"} 1
canopy_telemetry_series{metric="storage_write_duration_seconds"} 1
canopy_telemetry_series{metric="actor_mailbox_depth"} 0
# HELP canopy_telemetry_label_overflow_total Label values outside the declared set, folded into "other".
# TYPE canopy_telemetry_label_overflow_total counter
canopy_telemetry_label_overflow_total{metric="relay_bytes_total",label="direction"} 0
canopy_telemetry_label_overflow_total{metric="actor_mailbox_depth",label="actor"} 0
`;

const GOLDEN_OPENMETRICS = `# TYPE relay_bytes counter
# UNIT relay_bytes bytes
# HELP relay_bytes Bytes moved by the relay.
relay_bytes_total{direction="in"} 512
relay_bytes_created{direction="in"} 1700000000.125
relay_bytes_total{direction="out"} 128
relay_bytes_created{direction="out"} 1700000000.125
# TYPE relay_peers_connected gauge
# HELP relay_peers_connected Connected peers.\\nSecond line with a \\\\ and \\"quotes\\".
relay_peers_connected 3
# TYPE storage_write_duration_seconds histogram
# UNIT storage_write_duration_seconds seconds
# HELP storage_write_duration_seconds Write latency.
storage_write_duration_seconds_bucket{le="0.25"} 1
storage_write_duration_seconds_bucket{le="1"} 2
storage_write_duration_seconds_bucket{le="+Inf"} 3
storage_write_duration_seconds_sum 2.625
storage_write_duration_seconds_count 3
storage_write_duration_seconds_created 1700000000.125
# TYPE canopy_telemetry_scrape_duration_seconds gauge
# UNIT canopy_telemetry_scrape_duration_seconds seconds
# HELP canopy_telemetry_scrape_duration_seconds Time the previous render of this registry took.
canopy_telemetry_scrape_duration_seconds 0
# TYPE canopy_telemetry_scrapes counter
# HELP canopy_telemetry_scrapes Renders of this registry.
canopy_telemetry_scrapes_total 1
canopy_telemetry_scrapes_created 1700000000.125
# TYPE canopy_telemetry_series gauge
# HELP canopy_telemetry_series Active series per metric.
canopy_telemetry_series{metric="relay_bytes_total"} 2
canopy_telemetry_series{metric="relay_peers_connected"} 1
canopy_telemetry_series{metric="storage_write_duration_seconds"} 1
canopy_telemetry_series{metric="actor_mailbox_depth"} 0
# TYPE canopy_telemetry_label_overflow counter
# HELP canopy_telemetry_label_overflow Label values outside the declared set, folded into \\"other\\".
canopy_telemetry_label_overflow_total{metric="relay_bytes_total",label="direction"} 0
canopy_telemetry_label_overflow_created{metric="relay_bytes_total",label="direction"} 1700000000.125
canopy_telemetry_label_overflow_total{metric="actor_mailbox_depth",label="actor"} 0
canopy_telemetry_label_overflow_created{metric="actor_mailbox_depth",label="actor"} 1700000000.125
# EOF
`;

/** Sample lines (no comments, no `# EOF`). */
const samples = (s: string): string[] => s.split('\n').filter((l) => l !== '' && l[0] !== '#');

/** The value of the one sample line that starts with `series + ' '`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  assert.ok(line !== undefined, `no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1).split(' ')[0]);
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

describe('exposition formats', () => {
  it('renders the Prometheus text format 0.0.4 exactly', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    assert.equal(smallRegistry().render('text'), GOLDEN_TEXT);
  });

  it('renders OpenMetrics 1.0 exactly', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    assert.equal(smallRegistry().render('openmetrics'), GOLDEN_OPENMETRICS);
  });

  it('defaults to the text format', (t) => {
    t.mock.method(Date, 'now', () => NOW_MS);
    assert.equal(smallRegistry().render(), GOLDEN_TEXT);
  });

  it('passes promtool check metrics', { skip: !hasPromtool && 'promtool not installed' }, () => {
    const r = spawnSync('promtool', ['check', 'metrics'], {
      input: smallRegistry().render('text'),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('escapes label values', () => {
    const r = new Registry({ selfMetrics: false });
    r.gauge({
      type: 'gauge',
      name: 'relay_thing',
      help: 'h',
      labels: { reason: { kind: 'enum', values: ['say "hi"\\\n'] } },
    })
      .labels({ reason: 'say "hi"\\\n' })
      .set(1);
    assert.equal(samples(r.render('text'))[0], 'relay_thing{reason="say \\"hi\\"\\\\\\n"} 1');
  });

  it('omits labelled families with no series and ends OpenMetrics with # EOF', () => {
    const r = new Registry({ selfMetrics: false });
    r.gauge({
      type: 'gauge',
      name: 'actor_mailbox_depth',
      help: 'h',
      labels: { actor: { kind: 'enum', values: ['a'] } },
    });
    assert.equal(r.render('text'), '');
    assert.equal(r.render('openmetrics'), '# EOF\n');
  });
});

describe('negotiate', () => {
  const PROMETHEUS_2 =
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  const PROMETHEUS_3 =
    'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
  const PROMETHEUS_PROTOBUF =
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
  const cases: Array<[string, string | undefined, ExpositionFormat]> = [
    ['no header', undefined, 'text'],
    ['empty header', '', 'text'],
    ["curl's */*", '*/*', 'text'],
    ['text/plain', 'text/plain;version=0.0.4', 'text'],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text'],
    ["Prometheus 2's default", PROMETHEUS_2, 'openmetrics'],
    ["Prometheus 3's default", PROMETHEUS_3, 'openmetrics'],
    ['Prometheus preferring protobuf', PROMETHEUS_PROTOBUF, 'text'],
    ['openmetrics alone', 'application/openmetrics-text', 'openmetrics'],
    ['openmetrics with spaces', 'application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['openmetrics in upper case', 'Application/OpenMetrics-Text; version=1.0.0', 'openmetrics'],
    ['openmetrics at q=0', 'application/openmetrics-text;q=0', 'text'],
    ['openmetrics at q=0 with text', 'application/openmetrics-text;q=0,text/plain', 'text'],
    ['openmetrics at q=0.0', 'application/openmetrics-text;version=1.0.0;q=0.0', 'text'],
    ['text preferred', 'text/plain;q=1,application/openmetrics-text;q=0.5', 'text'],
    ['*/* preferred', 'application/openmetrics-text;q=0.3,*/*;q=0.5', 'text'],
    [
      'tie goes to openmetrics',
      'application/openmetrics-text;q=0.5,text/plain;q=0.5',
      'openmetrics',
    ],
    [
      'openmetrics above text',
      'text/plain;q=0.2,application/openmetrics-text;q=0.9',
      'openmetrics',
    ],
    ['garbage q', 'application/openmetrics-text;q=abc', 'text'],
  ];
  for (const [name, accept, want] of cases) {
    it(`${name} -> ${want}`, () => assert.equal(negotiate(accept), want));
  }

  it('maps formats to content types', () => {
    assert.equal(contentType('text'), CONTENT_TYPE_TEXT);
    assert.equal(contentType('openmetrics'), CONTENT_TYPE_OPENMETRICS);
    assert.equal(CONTENT_TYPE_TEXT, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(
      CONTENT_TYPE_OPENMETRICS,
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
  });
});

/** 200 labelled gauges with every value in use: a render of ~4,000 series. */
function bigRegistry(selfMetrics: boolean): Registry {
  const r = new Registry({ selfMetrics });
  const values = Array.from({ length: 19 }, (_, i) => `v${i}`);
  for (let m = 0; m < 200; m++) {
    const g = r.gauge({
      type: 'gauge',
      name: `relay_thing_${m}`,
      help: `Thing ${m}.`,
      labels: { kind: { kind: 'enum', values } },
    });
    for (const v of values) g.labels({ kind: v }).set(m);
  }
  return r;
}

describe('renderChunks', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    it(`splits a big registry into chunks that join to render() (${format})`, async () => {
      const r = bigRegistry(false);
      const chunks = await collect(renderChunks(r, format, 0));
      assert.ok(chunks.length > 100, `expected many chunks, got ${chunks.length}`);
      assert.equal(chunks.join(''), r.render(format));
    });
  }

  it('joins to render() with the default time slice', async () => {
    const r = bigRegistry(false);
    const chunks = await collect(renderChunks(r, 'openmetrics'));
    assert.ok(chunks.length >= 1);
    assert.equal(chunks.join(''), r.render('openmetrics'));
  });

  it('lets the event loop run between chunks', async () => {
    const r = bigRegistry(false);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const seen: boolean[] = [];
    for await (const _chunk of renderChunks(r, 'text', 0)) seen.push(ran);
    assert.equal(seen[0], false);
    assert.equal(seen.at(-1), true);
  });

  it('counts as a scrape', async () => {
    const r = smallRegistry();
    await collect(renderChunks(r, 'text'));
    assert.equal(sample(r.render('text'), 'canopy_telemetry_scrapes_total'), 2);
  });
});

describe('self-metrics', () => {
  it('count scrapes, series per metric and overflow per label', () => {
    const r = new Registry();
    const c = r.counter({
      type: 'counter',
      name: 'relay_dial_failures_total',
      help: 'h',
      labels: {
        reason: { kind: 'enum', values: ['timeout', 'refused'] },
        transport: { kind: 'enum', values: ['tcp', 'ws'] },
      },
    });
    r.gauge({ type: 'gauge', name: 'relay_peers_connected', help: 'h' });
    c.labels({ reason: 'timeout', transport: 'tcp' }).inc();
    c.labels({ reason: 'EHOSTUNREACH', transport: 'tcp' } as never).inc();
    c.labels({ reason: 'ECONNRESET', transport: 'quic' } as never).inc();
    c.labels({ reason: 'ECONNRESET', transport: 'quic' } as never).inc();

    const first = r.render('text');
    assert.equal(sample(first, 'canopy_telemetry_scrapes_total'), 1);
    assert.equal(sample(first, 'canopy_telemetry_scrape_duration_seconds'), 0);
    const second = r.render('openmetrics');
    assert.equal(sample(second, 'canopy_telemetry_scrapes_total'), 2);
    const duration = sample(second, 'canopy_telemetry_scrape_duration_seconds');
    assert.ok(Number.isFinite(duration) && duration >= 0, String(duration));
    const third = r.render('text');
    assert.equal(sample(third, 'canopy_telemetry_scrapes_total'), 3);
    assert.equal(sample(third, 'canopy_telemetry_series{metric="relay_dial_failures_total"}'), 3);
    assert.equal(sample(third, 'canopy_telemetry_series{metric="relay_peers_connected"}'), 1);
    const overflow = (label: string): number =>
      sample(
        third,
        `canopy_telemetry_label_overflow_total{metric="relay_dial_failures_total",label="${label}"}`,
      );
    assert.equal(overflow('reason'), 3);
    assert.equal(overflow('transport'), 2);
    assert.ok(!third.includes('metric="relay_peers_connected",label'));
  });

  it('are left out when disabled', () => {
    const text = smallRegistry({ selfMetrics: false }).render('openmetrics');
    assert.ok(!text.includes('canopy_telemetry_'));
    assert.ok(text.endsWith('# EOF\n'));
  });

  it('reserve their prefix', () => {
    assert.throws(
      () => new Registry().gauge({ type: 'gauge', name: 'canopy_telemetry_x', help: 'h' }),
      { name: 'MetricDefinitionError', message: /canopy_telemetry_ prefix is reserved/ },
    );
  });
});

describe('registry.maxSeries', () => {
  /** Every label combination in use: the OpenMetrics render reaches the maximum. */
  function fullRegistry(selfMetrics: boolean): Registry {
    const r = new Registry({ selfMetrics });
    const c = r.counter({
      type: 'counter',
      name: 'relay_bytes_total',
      help: 'h',
      labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
    }); // 3 combos x (_total, _created) = 6
    for (const d of ['in', 'out', 'sideways']) c.labels({ direction: d } as never).inc();
    r.gauge({ type: 'gauge', name: 'relay_peers_connected', help: 'h' }); // 1
    const h = r.histogram({
      type: 'histogram',
      name: 'storage_write_duration_seconds',
      help: 'h',
      buckets: [0.1, 1],
      labels: { op: { kind: 'enum', values: ['read'] } },
    }); // 2 combos x (3 buckets + sum + count + created) = 12
    for (const op of ['read', 'write']) h.labels({ op } as never).observe(0.5);
    return r;
  }

  it('includes the self-metrics', () => {
    // self: duration 1 + scrapes 2 + series 3 + overflow 2 per label x 2 labels = 10
    assert.equal(fullRegistry(true).selfMaxSeries(), 10);
    assert.equal(fullRegistry(true).maxSeries(), 6 + 1 + 12 + 10);
    assert.equal(fullRegistry(false).selfMaxSeries(), 0);
    assert.equal(fullRegistry(false).maxSeries(), 6 + 1 + 12);
  });

  for (const self of [true, false]) {
    it(`is what a full OpenMetrics scrape exposes (self-metrics ${self})`, () => {
      const r = fullRegistry(self);
      assert.equal(samples(r.render('openmetrics')).length, r.maxSeries());
      assert.ok(samples(r.render('text')).length < r.maxSeries());
    });
  }
});
