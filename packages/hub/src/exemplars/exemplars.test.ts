import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Histogram, Counter, Registry, type OpenMetricsContentType } from 'prom-client';
import { parseOpenMetrics, parseText, parseScrapeConfig, Scraper } from '../scrape/index.js';
import { MemAppender } from '../scrape/testing-appender.js';
import { ExemplarStore } from './exemplar-store.js';
import { exemplarApi } from './api.js';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

test('the OpenMetrics parser keeps exemplars with their series; the text format has none', () => {
  const body = [
    '# TYPE relay_dial_duration_seconds histogram',
    `relay_dial_duration_seconds_bucket{le="0.1"} 3 # {trace_id="${TRACE_A}"} 0.042 1700000000.123`,
    'relay_dial_duration_seconds_bucket{le="+Inf"} 4 # {trace_id="b\\"x"} 7',
    'relay_dial_duration_seconds_sum 7.2',
    'relay_dial_duration_seconds_count 4',
    '# TYPE relay_dials counter',
    `relay_dials_total 4 # {trace_id="${TRACE_B}",span_id="00f067aa0ba902b7"} 1`,
    'relay_dials_created 1700000000 # {trace_id="x"} 1',
    '# EOF',
    '',
  ].join('\n');
  const ex = parseOpenMetrics(body).exemplars;
  assert.deepEqual(
    ex.map((e) => [e.sample.name, e.sample.labels, e.labels, e.value, e.timestampMs]),
    [
      [
        'relay_dial_duration_seconds_bucket',
        { le: '0.1' },
        { trace_id: TRACE_A },
        0.042,
        1700000000123,
      ],
      ['relay_dial_duration_seconds_bucket', { le: '+Inf' }, { trace_id: 'b"x' }, 7, undefined],
      ['relay_dials_total', {}, { trace_id: TRACE_B, span_id: '00f067aa0ba902b7' }, 1, undefined],
    ],
  );
  assert.deepEqual(parseText('a 1\n').exemplars, []);
  // a scraper without an exemplar listener has them validated, not kept
  assert.deepEqual(parseOpenMetrics(body, { exemplars: false }).exemplars, []);
});

const target = { service: 'relay', instance: '127.0.0.1:7100' };

function scrapeOf(lines: string[]) {
  return parseOpenMetrics(['# TYPE d histogram', ...lines, '# EOF', ''].join('\n')).exemplars;
}

test('store: repeats are stored once, the oldest go first past the bound, time and matchers filter', () => {
  const store = new ExemplarStore(3);
  const bucket = (le: string, id: string, v: number, ts?: number): string =>
    `d_bucket{le="${le}"} 1 # {trace_id="${id}"} ${v}${ts === undefined ? '' : ' ' + ts}`;
  // the same exemplar in two scrapes (with and without its own timestamp) counts once
  for (const t of [1000, 2000])
    store.addScrape(target, scrapeOf([bucket('1', 'a', 0.5, 1), bucket('+Inf', 'b', 2)]), t);
  assert.equal(store.size, 2);
  store.addScrape(target, scrapeOf([bucket('1', 'c', 0.6, 3), bucket('+Inf', 'd', 3)]), 4000);
  assert.equal(store.size, 3, 'bounded');
  const all = store.query([[{ name: '__name__', type: '=~', value: 'd_.*' }]], 0, 10_000);
  assert.deepEqual(
    all.map((s) => [
      s.seriesLabels['le'],
      s.exemplars.map((e) => [e.labels['trace_id'], e.timestampMs]),
    ]),
    [
      ['1', [['c', 3000]]],
      [
        '+Inf',
        [
          ['b', 1000],
          ['d', 4000],
        ],
      ],
    ],
    'the oldest (a) was dropped; the scrape time stands in for a missing timestamp',
  );
  assert.deepEqual(all[0]?.seriesLabels, { __name__: 'd_bucket', le: '1', ...target });
  const inf = store.query([[{ name: 'le', type: '=', value: '+Inf' }]], 2000, 5000);
  assert.deepEqual(
    inf.map((s) => s.exemplars.map((e) => e.labels['trace_id'])),
    [['d']],
  );
  assert.deepEqual(store.query([[{ name: 'service', type: '=', value: 'storage' }]], 0, 1e12), []);
});

test('prom-client exemplars scraped over HTTP as OpenMetrics, served by /api/v1/query_exemplars', async () => {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const h = new Histogram({
    name: 'relay_dial_duration_seconds',
    help: 'Dial latency.',
    buckets: [0.1, 1],
    registers: [registry],
    enableExemplars: true,
  });
  const c = new Counter({
    name: 'relay_dials_total',
    help: 'Dials.',
    registers: [registry],
    enableExemplars: true,
  });
  h.observe({ value: 0.042, exemplarLabels: { trace_id: TRACE_A } });
  h.observe({ value: 0.5, exemplarLabels: { trace_id: TRACE_B } });
  c.inc({ value: 1, exemplarLabels: { trace_id: TRACE_B } });
  const server = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const store = new ExemplarStore();
  const scraper = new Scraper(
    new MemAppender(),
    parseScrapeConfig({ targets: [{ url: `http://127.0.0.1:${port}/metrics`, service: 'relay' }] }),
    { exemplars: (t, list, ms) => store.addScrape(t, list, ms) },
  );
  const api = exemplarApi(store);
  const apiServer = createServer((req, res) => {
    if (!api(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => apiServer.listen(0, '127.0.0.1', () => r()));
  const apiAddr = apiServer.address();
  const base = `http://127.0.0.1:${typeof apiAddr === 'object' && apiAddr !== null ? apiAddr.port : 0}`;
  try {
    await scraper.scrapeNow();
    await scraper.scrapeNow(); // the same exemplars again: not stored twice
    assert.equal(scraper.targets()[0]?.health, 'up', scraper.targets()[0]?.lastError);
    assert.equal(store.size, 3);
    const q = encodeURIComponent(
      'histogram_quantile(0.99, sum by (le) (rate(relay_dial_duration_seconds_bucket{service="relay"}[5m])))',
    );
    const res = await fetch(`${base}/api/v1/query_exemplars?query=${q}&start=0`);
    const body = (await res.json()) as {
      status: string;
      data: Array<{
        seriesLabels: Record<string, string>;
        exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
      }>;
    };
    assert.equal(body.status, 'success');
    const byLe = new Map(body.data.map((s) => [s.seriesLabels['le'], s]));
    assert.deepEqual(
      byLe.get('0.1')?.exemplars.map((e) => [e.labels, e.value]),
      [[{ trace_id: TRACE_A }, '0.042']],
    );
    assert.deepEqual(
      byLe.get('1')?.exemplars.map((e) => [e.labels, e.value]),
      [[{ trace_id: TRACE_B }, '0.5']],
    );
    const one = byLe.get('0.1')!;
    assert.equal(one.seriesLabels['__name__'], 'relay_dial_duration_seconds_bucket');
    assert.equal(one.seriesLabels['service'], 'relay');
    assert.ok(Math.abs(one.exemplars[0]!.timestamp - Date.now() / 1000) < 60, 'seconds');
    for (const [qs, re] of [
      ['', /invalid parameter "query": query must not be empty/],
      ['?query=sum(', /invalid parameter "query": /],
      ['?query=up&start=10&end=5', /end timestamp must not be before start time/],
    ] as const) {
      const r = await fetch(`${base}/api/v1/query_exemplars${qs}`);
      assert.equal(r.status, 400, qs);
      assert.match(((await r.json()) as { error: string }).error, re, qs);
    }
  } finally {
    await scraper.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => apiServer.close(() => r()));
  }
});
