/**
 * The hub as a whole with traces, logs and exemplars on (the embedded default): OTLP in and
 * the trace API out on the hub's port, logs appended in-process and pushed, exemplars from a
 * scraped OpenMetrics target, the self-metrics counting them; and each turned off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub } from './hub.js';
import { parseScrapeConfig } from './scrape/index.js';
import { LogFeed } from './logs/index.js';

const TRACE = '5b8efff798038103d269b633813fc60c';

test('one hub: OTLP traces, logs and exemplars in, their APIs and self-metrics out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-hub-signals-'));
  const target: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
    res.end(
      '# TYPE storage_write_duration_seconds histogram\n' +
        `storage_write_duration_seconds_bucket{le="0.01"} 1 # {trace_id="${TRACE}"} 0.004\n` +
        'storage_write_duration_seconds_bucket{le="+Inf"} 1\n' +
        'storage_write_duration_seconds_sum 0.004\nstorage_write_duration_seconds_count 1\n# EOF\n',
    );
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const addr = target.address();
  const tport = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const hub = await startHub({
    port: 0,
    dataDir: dir,
    scrape: parseScrapeConfig({
      interval: '1h',
      targets: [{ url: `http://127.0.0.1:${tport}/metrics`, service: 'storage' }],
    }),
    host_collector: false,
    selfScrape: false,
  });
  try {
    assert.ok(existsSync(join(dir, 'traces.sqlite')) && existsSync(join(dir, 'logs.sqlite')));
    const otlp = await fetch(`${hub.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'storage' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: TRACE,
                    spanId: '1111111111111111',
                    name: 'write',
                    kind: 2,
                    startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                    endTimeUnixNano: String(BigInt(Date.now() + 4) * 1_000_000n),
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(otlp.status, 200);
    const list = (await (await fetch(`${hub.url}/api/v1/traces?service=storage`)).json()) as {
      data: Array<{ traceId: string }>;
    };
    assert.deepEqual(
      list.data.map((t) => t.traceId),
      [TRACE],
    );

    const feed = new LogFeed(hub.logs!);
    feed
      .source('storage')
      .write(
        `{"level":"warn","service":"storage","msg":"slow write","trace_id":"${TRACE}"}\nplain\n`,
      );
    feed.close();
    const logs = (await (await fetch(`${hub.url}/api/v1/logs?trace_id=${TRACE}`)).json()) as {
      data: Array<{ msg: string; level: string }>;
    };
    assert.deepEqual(
      logs.data.map((l) => [l.msg, l.level]),
      [['slow write', 'warn']],
    );

    await hub.scraper.scrapeNow();
    const ex = (await (
      await fetch(`${hub.url}/api/v1/query_exemplars?query=storage_write_duration_seconds_bucket`)
    ).json()) as { data: Array<{ exemplars: Array<{ labels: { trace_id: string } }> }> };
    assert.equal(ex.data[0]?.exemplars[0]?.labels.trace_id, TRACE);

    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    for (const line of [
      'canopy_hub_spans_received_total 1',
      'canopy_hub_traces_stored 1',
      'canopy_hub_log_lines_appended_total 2',
      'canopy_hub_log_lines_stored 2',
      'canopy_hub_exemplars_stored 1',
    ])
      assert.ok(metrics.includes(`\n${line}\n`), `${line} in /metrics`);
  } finally {
    await hub.stop();
    await new Promise<void>((r) => target.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traces and logs turned off: their paths say so (404), nothing is created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-hub-signals-off-'));
  const hub = await startHub({
    port: 0,
    dataDir: dir,
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
    traces: false,
    logs: false,
    exemplars: false,
  });
  try {
    assert.equal(hub.traces, undefined);
    assert.equal(existsSync(join(dir, 'traces.sqlite')), false);
    for (const [path, re] of [
      ['/v1/traces', /traces are turned off in this hub \(traces: false\)/],
      ['/api/v1/traces', /traces are turned off/],
      ['/api/v1/logs', /logs are turned off in this hub \(logs: false\)/],
    ] as const) {
      const r = await fetch(hub.url + path, { method: path === '/v1/traces' ? 'POST' : 'GET' });
      assert.equal(r.status, 404, path);
      assert.match(((await r.json()) as { error: string }).error, re, path);
    }
  } finally {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
