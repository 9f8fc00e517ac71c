import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isStale, type Appender, type Labels } from '../model.js';
import { parseScrapeConfig } from './config.js';
import { SCRAPE_ACCEPT } from './fetch-body.js';
import type { MetricMetadata } from './parse.js';
import { Scraper, type ScraperOptions } from './scraper.js';
import type { TargetStatus } from './target-loop.js';
import { MemAppender } from './testing-appender.js';
import { fixed, serve, waitFor, type TestServer } from './testing-server.js';

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** A scraper of the given targets with a hand-driven clock. */
function setup(
  scrape: Record<string, unknown>,
  options: ScraperOptions = {},
): { app: MemAppender; scraper: Scraper; clock: { t: number } } {
  const app = new MemAppender();
  const clock = { t: 1_700_000_000_000 };
  const scraper = new Scraper(app, parseScrapeConfig(scrape), { now: () => clock.t, ...options });
  return { app, scraper, clock };
}

function value(app: MemAppender, match: Record<string, string>, t: number): number | undefined {
  const s = app.find(match).filter((x) => x.t === t);
  assert.ok(s.length <= 1, `${JSON.stringify(match)} has ${s.length} samples at ${t}`);
  return s[0]?.v;
}

function status(scraper: Scraper, i = 0): TargetStatus {
  const s = scraper.targets()[i];
  assert.ok(s !== undefined);
  return s;
}

async function withServer(
  handler: Parameters<typeof serve>[0],
  fn: (srv: TestServer) => Promise<void>,
): Promise<void> {
  const srv = await serve(handler);
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

test('a scrape stores samples with service and instance, the report series and metadata', async () => {
  const body =
    '# HELP relay_peers_connected Peers.\n# TYPE relay_peers_connected gauge\n' +
    'relay_peers_connected 12\n# TYPE relay_bytes_total counter\n' +
    'relay_bytes_total{direction="in"} 100\nrelay_bytes_total{direction="out"} 50\n';
  await withServer(fixed(body), async (srv) => {
    const meta: [Labels, ReadonlyMap<string, MetricMetadata>][] = [];
    const { app, scraper, clock } = setup(
      { targets: [{ url: `${srv.url}/metrics`, service: 'relay' }] },
      { metadata: (t, m) => meta.push([t, m]) },
    );
    const instance = srv.url.slice('http://'.length);
    await scraper.scrapeNow();
    const t = clock.t;
    assert.deepEqual(app.find({ __name__: 'relay_peers_connected' }), [
      { labels: { __name__: 'relay_peers_connected', service: 'relay', instance }, t, v: 12 },
    ]);
    assert.equal(value(app, { __name__: 'relay_bytes_total', direction: 'out' }, t), 50);
    const target = { service: 'relay', instance };
    assert.equal(value(app, { __name__: 'up', ...target }, t), 1);
    assert.equal(value(app, { __name__: 'scrape_samples_scraped', ...target }, t), 3);
    assert.equal(
      value(app, { __name__: 'scrape_samples_post_metric_relabeling', ...target }, t),
      3,
    );
    assert.equal(value(app, { __name__: 'scrape_series_added', ...target }, t), 3);
    const d = value(app, { __name__: 'scrape_duration_seconds', ...target }, t)!;
    assert.ok(d > 0 && d < 5, String(d));
    assert.equal(app.commits, 1);
    assert.equal(app.committed.length, 8);

    const s = status(scraper);
    assert.equal(s.health, 'up');
    assert.equal(s.lastError, '');
    assert.equal(s.lastScrape, t);
    assert.equal(s.samples, 3);
    assert.equal(s.seriesAdded, 3);
    assert.equal(s.interval, 15_000);
    assert.equal(s.url, `${srv.url}/metrics`);
    assert.deepEqual(s.labels, target);

    assert.equal(meta.length, 1);
    assert.deepEqual(meta[0]![0], target);
    assert.deepEqual(meta[0]![1].get('relay_peers_connected'), {
      type: 'gauge',
      help: 'Peers.',
      unit: '',
    });
    assert.equal(meta[0]![1].get('relay_bytes_total')?.type, 'counter');

    // the second scrape adds no series; one commit per scrape
    clock.t += 15_000;
    await scraper.scrapeNow();
    assert.equal(value(app, { __name__: 'scrape_series_added', ...target }, clock.t), 0);
    assert.equal(app.commits, 2);
    assert.equal(srv.requests.length, 2);
    await scraper.stop();
  });
});

test('sends Prometheus’s Accept header, accepts gzip and parses OpenMetrics by Content-Type', async () => {
  const om =
    '# TYPE jobs counter\njobs_total{kind="a"} 3 # {trace_id="1"} 1\njobs_created{kind="a"} 1700000000\n# EOF\n';
  await withServer(
    (req, res) => {
      assert.equal(req.headers['accept'], SCRAPE_ACCEPT);
      assert.match(req.headers['accept-encoding'] ?? '', /gzip/);
      assert.equal(req.headers['x-prometheus-scrape-timeout-seconds'], '10');
      res.writeHead(200, { 'Content-Type': OM, 'Content-Encoding': 'gzip' });
      res.end(gzipSync(om));
    },
    async (srv) => {
      const { app, scraper, clock } = setup({ targets: [{ url: srv.url, service: 'w' }] });
      await scraper.scrapeNow();
      assert.equal(status(scraper).lastError, '');
      assert.equal(value(app, { __name__: 'jobs_total', kind: 'a' }, clock.t), 3);
      // _created is not a series (see parse.ts)
      assert.equal(app.find({ __name__: 'jobs_created' }).length, 0);
      assert.equal(value(app, { __name__: 'scrape_samples_scraped' }, clock.t), 1);
      await scraper.stop();
    },
  );
});

test('a bearer token is read from its file at every scrape', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'canopy-scrape-'));
  try {
    const file = join(dir, 'token');
    await writeFile(file, 's3cret\n');
    await withServer(
      (req, res) => {
        if (req.headers['authorization'] !== 'Bearer s3cret') {
          res.writeHead(401).end();
          return;
        }
        fixed('ok 1\n')(req, res);
      },
      async (srv) => {
        const { app, scraper, clock } = setup({
          targets: [{ url: srv.url, service: 's', bearer_token_file: file }],
        });
        await scraper.scrapeNow();
        assert.equal(status(scraper).health, 'up', status(scraper).lastError);
        assert.equal(value(app, { __name__: 'ok' }, clock.t), 1);

        await writeFile(file, 'rotated');
        clock.t += 1000;
        await scraper.scrapeNow();
        assert.equal(status(scraper).lastError, 'server returned HTTP status 401 Unauthorized');

        await rm(file);
        clock.t += 1000;
        await scraper.scrapeNow();
        assert.equal(status(scraper).lastError, `cannot read bearer_token_file ${file}: ENOENT`);
        assert.equal(value(app, { __name__: 'up' }, clock.t), 0);
        // the token never shows in the status
        assert.ok(!JSON.stringify(scraper.targets()).includes('s3cret'));
        await scraper.stop();
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scraped labels that clash with target labels become exported_…', async () => {
  const body = 'm{service="theirs",instance="x",exported_instance="y",other="z"} 1\n';
  await withServer(fixed(body), async (srv) => {
    const { app, scraper } = setup({
      targets: [{ url: srv.url, service: 'ours', instance: 'me:1' }],
    });
    await scraper.scrapeNow();
    const [s] = app.find({ __name__: 'm' });
    assert.deepEqual(s?.labels, {
      __name__: 'm',
      service: 'ours',
      instance: 'me:1',
      exported_service: 'theirs',
      exported_instance: 'y',
      exported_exported_instance: 'x',
      other: 'z',
    });
    await scraper.stop();
  });
});

test('a series that disappears gets a staleness marker at the next scrape', async () => {
  let body = 'a 1\nb{x="1"} 2\nc 3 1600000000000\n';
  await withServer(
    fixed(() => body),
    async (srv) => {
      const { app, scraper, clock } = setup({ targets: [{ url: srv.url, service: 's' }] });
      await scraper.scrapeNow();
      const t1 = clock.t;

      body = 'a 1\n';
      clock.t += 15_000;
      await scraper.scrapeNow();
      const t2 = clock.t;
      const stale = app.staleAt(t2).map((s) => s.labels['__name__']);
      // b disappeared: stale; c carried its own timestamp: not tracked, as in Prometheus
      assert.deepEqual(stale, ['b']);
      assert.ok(isStale(app.find({ __name__: 'b' }).at(-1)!.v));
      assert.equal(value(app, { __name__: 'a' }, t2), 1);
      assert.equal(status(scraper).seriesAdded, 0);
      assert.ok(t2 > t1);

      body = 'a 1\nb{x="1"} 5\n';
      clock.t += 15_000;
      await scraper.scrapeNow();
      assert.equal(status(scraper).seriesAdded, 1);
      assert.equal(value(app, { __name__: 'b' }, clock.t), 5);
      assert.equal(app.staleAt(clock.t).length, 0);
      await scraper.stop();
    },
  );
});

test('a target that goes down: up 0, every previous series stale, reason shown', async () => {
  let failing = false;
  const srv = await serve((req, res) => {
    if (failing) res.writeHead(500).end('boom');
    else fixed('a 1\nb 2\n')(req, res);
  });
  const { app, scraper, clock } = setup({ targets: [{ url: srv.url, service: 's' }] });
  try {
    await scraper.scrapeNow();
    assert.equal(status(scraper).health, 'up');

    failing = true;
    clock.t += 15_000;
    await scraper.scrapeNow();
    assert.deepEqual(
      app
        .staleAt(clock.t)
        .map((s) => s.labels['__name__'])
        .sort(),
      ['a', 'b'],
    );
    assert.equal(value(app, { __name__: 'up' }, clock.t), 0);
    assert.equal(value(app, { __name__: 'scrape_samples_scraped' }, clock.t), 0);
    const s = status(scraper);
    assert.equal(s.health, 'down');
    assert.equal(s.lastError, 'server returned HTTP status 500 Internal Server Error');

    // still down: no second round of markers
    clock.t += 15_000;
    await scraper.scrapeNow();
    assert.equal(app.staleAt(clock.t).length, 0);

    // gone entirely: connection refused
    await srv.close();
    clock.t += 15_000;
    await scraper.scrapeNow();
    assert.match(status(scraper).lastError, /ECONNREFUSED/);
    assert.equal(value(app, { __name__: 'up' }, clock.t), 0);
  } finally {
    await scraper.stop();
    await srv.close();
  }
});

/** Scrapes `body` once under `scrape` settings; returns the appender and status. */
async function scrapeOnce(
  body: string,
  scrape: Record<string, unknown>,
  target: Record<string, unknown> = {},
): Promise<{ app: MemAppender; status: TargetStatus; t: number }> {
  let current = 'ok 1\n';
  const srv = await serve(fixed(() => current));
  const { app, scraper, clock } = setup({
    ...scrape,
    targets: [{ url: srv.url, service: 's', ...target }],
  });
  try {
    await scraper.scrapeNow(); // a good scrape first, to see its series go stale
    current = body;
    clock.t += 1000;
    await scraper.scrapeNow();
    return { app, status: status(scraper), t: clock.t };
  } finally {
    await scraper.stop();
    await srv.close();
  }
}

/** Asserts a failed scrape: reason, up 0, nothing of the body stored, earlier series stale. */
function assertFailed(
  r: { app: MemAppender; status: TargetStatus; t: number },
  reason: string,
): void {
  assert.equal(r.status.health, 'down');
  assert.equal(r.status.lastError, reason);
  assert.equal(value(r.app, { __name__: 'up' }, r.t), 0);
  const stored = r.app
    .at(r.t)
    .filter((s) => !s.labels['__name__']!.startsWith('scrape_') && s.labels['__name__'] !== 'up');
  assert.deepEqual(
    stored.map((s) => [s.labels['__name__'], isStale(s.v)]),
    [['ok', true]],
  );
}

test('limits fail the scrape with their reason and store nothing from it', async () => {
  const many = Array.from({ length: 11 }, (_, i) => `m{i="${i}"} ${i}\n`).join('');
  assertFailed(await scrapeOnce(many, {}, { sample_limit: 10 }), 'sample_limit exceeded (11 > 10)');
  assertFailed(await scrapeOnce(many, { sample_limit: 10 }), 'sample_limit exceeded (11 > 10)');
  // 3 = __name__ + service + instance, so one scraped label is one too many
  assertFailed(
    await scrapeOnce('good 1\nm{a="1"} 1\n', { label_limit: 3 }),
    'label_limit exceeded (metric: m, number of labels: 4, limit: 3) at line 2',
  );
  assertFailed(
    await scrapeOnce('m{abcdefghi="1"} 1\n', { label_name_length_limit: 8 }),
    'label_name_length_limit exceeded (metric: m, label name: abcdefghi, length: 9, limit: 8) at line 1',
  );
  assertFailed(
    await scrapeOnce(`m{a="${'x'.repeat(60)}"} 1\n`, { label_value_length_limit: 40 }),
    `label_value_length_limit exceeded (metric: m, label name: a, value: "${'x'.repeat(50)}", length: 60, limit: 40) at line 1`,
  );
  assertFailed(
    await scrapeOnce('x'.repeat(2000), { body_size_limit: '1KiB' }),
    'body exceeds 1KiB',
  );
});

test('bad bodies fail the scrape with the parse error', async () => {
  assertFailed(
    await scrapeOnce('<html>oops</html>\n', {}),
    'line 1: expected a metric name: "<html>oops</html>"',
  );
  assertFailed(
    await scrapeOnce('a 1\nb 2\na 3\n', {}),
    'line 3: duplicate series a (first on line 1)',
  );
  assertFailed(
    await scrapeOnce('# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n', {}),
    'line 2: histogram h has no +Inf bucket',
  );
});

test('series are identified by their labels, not the order they are written in', async () => {
  let body = 'm{a="1",b="2"} 1\n';
  await withServer(
    fixed(() => body),
    async (srv) => {
      const { app, scraper, clock } = setup({ targets: [{ url: srv.url, service: 's' }] });
      await scraper.scrapeNow();
      body = 'm{b="2", a="1"} 2\n';
      clock.t += 1000;
      await scraper.scrapeNow();
      assert.equal(status(scraper).seriesAdded, 0);
      assert.equal(app.staleAt(clock.t).length, 0);
      assert.equal(value(app, { __name__: 'm' }, clock.t), 2);
      body = 'm{a="1",b="2"} 1\nm{b="2",a="1"} 1\n';
      clock.t += 1000;
      await scraper.scrapeNow();
      assert.equal(
        status(scraper).lastError,
        'line 2: duplicate series m{a="1",b="2"} (first on line 1)',
      );
      await scraper.stop();
    },
  );
});

test('truncated and non-UTF-8 bodies fail the scrape', async () => {
  const cases: [(res: import('node:http').ServerResponse) => void, string][] = [
    [
      (res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '100' });
        res.write('a 1\nb 2\n');
        setTimeout(() => res.destroy(), 20);
      },
      'connection closed before the body was complete',
    ],
    [
      (res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(Buffer.from([0x61, 0x7b, 0x62, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]));
      },
      'body is not valid UTF-8',
    ],
    [
      (res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' });
        res.end(gzipSync('a 1\n').subarray(0, 12));
      },
      'invalid gzip body: unexpected end of file',
    ],
    [
      (res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'br' });
        res.end('x');
      },
      'unsupported Content-Encoding "br"',
    ],
  ];
  for (const [handler, reason] of cases) {
    await withServer(
      (_req, res) => handler(res),
      async (srv) => {
        const { app, scraper, clock } = setup({ targets: [{ url: srv.url, service: 's' }] });
        await scraper.scrapeNow();
        assert.equal(status(scraper).lastError, reason);
        assert.equal(value(app, { __name__: 'up' }, clock.t), 0);
        assert.equal(app.committed.length, 5, 'only the report series');
        await scraper.stop();
      },
    );
  }
});

test('a gigantic body is cut off at the limit, not read to the end', async () => {
  let written = 0;
  let closed = false;
  const chunk = Buffer.alloc(64 * 1024, 'a 1\n');
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.on('close', () => (closed = true));
      // an endless body: write whenever the socket drains, until it is closed
      const pump = (): void => {
        while (!closed && written < 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    },
    async (srv) => {
      const { scraper } = setup({
        body_size_limit: '1MiB',
        targets: [{ url: srv.url, service: 's' }],
      });
      const t0 = Date.now();
      await scraper.scrapeNow();
      assert.equal(status(scraper).lastError, 'body exceeds 1MiB');
      assert.ok(Date.now() - t0 < 5000);
      await waitFor(() => closed, 2000, 'the server to see the connection closed');
      assert.ok(written < 64 * 1024 * 1024, `server wrote ${written} bytes`);
      await scraper.stop();
    },
  );
});

test('a gzip bomb is cut off by the decompressed size', async () => {
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 'a 1\n'));
  assert.ok(bomb.length < 1024 * 1024);
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    },
    async (srv) => {
      const { scraper } = setup({
        body_size_limit: '2MiB',
        targets: [{ url: srv.url, service: 's' }],
      });
      await scraper.scrapeNow();
      assert.equal(status(scraper).lastError, 'body exceeds 2MiB');
      await scraper.stop();
    },
  );
});

test('a silent or dribbling target times out without delaying another target', async () => {
  const done = new Map<string, number>();
  const silent = await serve(() => {
    // never answers
  });
  const dribble = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const timer = setInterval(() => res.write('a'), 50);
    res.on('close', () => clearInterval(timer));
  });
  const fast = await serve(fixed('ok 1\n'));
  const t0 = Date.now();
  const { app, scraper } = setup(
    {
      timeout: '700ms',
      targets: [
        { url: silent.url, service: 'silent' },
        { url: dribble.url, service: 'dribble' },
        { url: fast.url, service: 'fast' },
      ],
    },
    { onScrape: (s) => done.set(s.service, Date.now() - t0) },
  );
  try {
    await scraper.scrapeNow();
    assert.ok(done.get('fast')! < 500, `fast target done after ${done.get('fast')} ms`);
    assert.ok(done.get('silent')! >= 650, `silent target done after ${done.get('silent')} ms`);
    assert.ok(done.get('dribble')! >= 650, `dribble target done after ${done.get('dribble')} ms`);
    const [s, d, f] = scraper.targets();
    assert.equal(s?.lastError, 'timeout: no complete answer within 700ms');
    assert.equal(d?.lastError, 'timeout: no complete answer within 700ms');
    assert.equal(f?.health, 'up');
    assert.equal(app.find({ __name__: 'ok' }).length, 1);
  } finally {
    await scraper.stop();
    await Promise.all([silent.close(), dribble.close(), fast.close()]);
  }
});

test('timers: each target on its own interval at a stable phase; a hanging target does not hold back the others', async () => {
  const silent = await serve(() => {
    // never answers
  });
  const fast = await serve(fixed('ok 1\n'));
  const times = new Map<string, number[]>();
  const app = new MemAppender();
  const config = parseScrapeConfig({
    interval: '300ms',
    timeout: '300ms',
    targets: [
      { url: silent.url, service: 'silent' },
      { url: fast.url, service: 'fast' },
    ],
  });
  const record = (s: TargetStatus): void => {
    let l = times.get(s.service);
    if (l === undefined) times.set(s.service, (l = []));
    l.push(s.lastScrape);
  };
  const scraper = new Scraper(app, config, { onScrape: record });
  try {
    scraper.start();
    scraper.start(); // idempotent
    await waitFor(
      () => (times.get('fast')?.length ?? 0) >= 4,
      5000,
      'four scrapes of the fast target',
    );
    const fastTimes = times.get('fast')!;
    for (let i = 1; i < fastTimes.length; i++) {
      const gap = fastTimes[i]! - fastTimes[i - 1]!;
      assert.ok(Math.abs(gap - 300) < 100, `gap ${gap} ms`);
    }
    assert.equal(scraper.targets()[1]?.health, 'up');
    await waitFor(
      () => (times.get('silent')?.length ?? 0) >= 1,
      2000,
      'the silent target to time out',
    );
    assert.equal(scraper.targets()[0]?.health, 'down');
  } finally {
    await scraper.stop();
  }
  // The phase (scrape time mod interval) is derived from the target, so a new scraper of
  // the same configuration scrapes at the same phase.
  const phase = (t: number): number => t % 300;
  const first = times.get('fast')!.at(-1)!;
  const again: number[] = [];
  const scraper2 = new Scraper(new MemAppender(), config, {
    onScrape: (s) => {
      if (s.service === 'fast') again.push(s.lastScrape);
    },
  });
  try {
    scraper2.start();
    await waitFor(() => again.length >= 1, 2000, 'a scrape by the second scraper');
  } finally {
    await scraper2.stop();
    await Promise.all([silent.close(), fast.close()]);
  }
  const diff = Math.abs(phase(first) - phase(again[0]!));
  assert.ok(Math.min(diff, 300 - diff) < 60, `phases ${phase(first)} and ${phase(again[0]!)}`);
  // nothing is appended after stop() resolves
  const n = app.committed.length;
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(app.committed.length, n);
});

test('stop() aborts a scrape in flight and writes nothing for it', async () => {
  const silent = await serve(() => {
    // never answers
  });
  const { app, scraper } = setup({ targets: [{ url: silent.url, service: 's' }] });
  try {
    const p = scraper.scrapeNow();
    await waitFor(() => silent.requests.length === 1, 2000, 'the request');
    const t0 = Date.now();
    await scraper.stop();
    await p;
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(app.committed.length, 0);
    assert.equal(status(scraper).health, 'unknown');
  } finally {
    await silent.close();
  }
});

test('a failing appender never escapes the scrape', async () => {
  const broken: Appender = {
    append: () => {
      throw new Error('disk full');
    },
    commit: () => undefined,
  };
  await withServer(fixed('a 1\n'), async (srv) => {
    const scraper = new Scraper(
      broken,
      parseScrapeConfig({ targets: [{ url: srv.url, service: 's' }] }),
    );
    await scraper.scrapeNow();
    assert.equal(status(scraper).lastError, 'storing samples failed: disk full');
    assert.equal(status(scraper).health, 'down');
    await scraper.stop();
  });
});

test('an appender factory is called once per scrape and committed once', async () => {
  await withServer(fixed('a 1\n'), async (srv) => {
    const made: MemAppender[] = [];
    const scraper = new Scraper(
      () => {
        const a = new MemAppender();
        made.push(a);
        return a;
      },
      parseScrapeConfig({ targets: [{ url: srv.url, service: 's' }] }),
    );
    await scraper.scrapeNow();
    await scraper.scrapeNow();
    assert.equal(made.length, 2);
    assert.deepEqual(
      made.map((a) => a.commits),
      [1, 1],
    );
    await scraper.stop();
  });
});

test('in-process sources go through the same path and limits', async () => {
  let body = '# TYPE t gauge\nt 1\n';
  const { app, scraper, clock } = setup(
    { body_size_limit: '1KiB' },
    {
      sources: [
        { service: 'host', instance: 'box', source: { collect: () => body }, interval: 5000 },
        {
          service: 'slow',
          instance: 'box',
          timeout: 100,
          source: {
            collect: (signal) =>
              new Promise((_, reject) =>
                signal.addEventListener('abort', () => reject(new Error('aborted'))),
              ),
          },
        },
      ],
    },
  );
  await scraper.scrapeNow();
  const [host, slow] = scraper.targets();
  assert.equal(host?.health, 'up');
  assert.equal(host?.url, 'builtin:host');
  assert.equal(host?.interval, 5000);
  assert.deepEqual(app.find({ __name__: 't' })[0]?.labels, {
    __name__: 't',
    service: 'host',
    instance: 'box',
  });
  assert.equal(slow?.lastError, 'timeout: no answer within 100ms');

  body = 'x'.repeat(2000);
  clock.t += 5000;
  await scraper.scrapeNow();
  assert.equal(scraper.targets()[0]?.lastError, 'body exceeds 1KiB');
  await scraper.stop();
});

test('two targets with the same labels are refused', () => {
  assert.throws(
    () =>
      new Scraper(new MemAppender(), parseScrapeConfig({}), {
        sources: [
          { service: 'host', instance: 'a', source: { collect: () => '' } },
          { service: 'host', instance: 'a', source: { collect: () => '' } },
        ],
      }),
    /two targets have service="host" and instance="a"/,
  );
});
