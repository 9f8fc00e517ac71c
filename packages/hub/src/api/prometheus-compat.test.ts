/**
 * The hub and a real Prometheus scrape the same target; the same API calls (the ones
 * Grafana's Prometheus data source and the web UI make) must answer with the same shapes,
 * the same series and the same error types.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from '../hub.js';
import { parseScrapeConfig } from '../scrape/index.js';

const PROMETHEUS = '/usr/bin/prometheus';
const skip = !existsSync(PROMETHEUS) && process.env.CI === undefined;

const BODY = `# HELP relay_peers_connected Peers.
# TYPE relay_peers_connected gauge
relay_peers_connected 42
# HELP relay_bytes_total Bytes.
# TYPE relay_bytes_total counter
relay_bytes_total{direction="in"} 100
relay_bytes_total{direction="out"} 250
# HELP storage_write_duration_seconds Writes.
# TYPE storage_write_duration_seconds histogram
storage_write_duration_seconds_bucket{le="0.1"} 3
storage_write_duration_seconds_bucket{le="+Inf"} 4
storage_write_duration_seconds_sum 0.5
storage_write_duration_seconds_count 4
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

let target: Server;
let prom: ChildProcess | undefined;
let hub: Hub | undefined;
let dir = '';
let promUrl = '';
let targetPort = 0;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'canopy-compat-'));
  target = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(BODY);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const ta = target.address();
  targetPort = typeof ta === 'object' && ta !== null ? ta.port : 0;
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: relay\n    static_configs:\n      - targets: ['127.0.0.1:${targetPort}']\n        labels: { service: relay }\n    relabel_configs:\n      - action: labeldrop\n        regex: job\n`,
  );
  prom = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: 'ignore' },
  );
  hub = await startHub({
    port: 0,
    dataDir: join(dir, 'hub'),
    scrape: parseScrapeConfig({
      interval: '1s',
      timeout: '1s',
      targets: [{ url: `http://127.0.0.1:${targetPort}/metrics`, service: 'relay' }],
    }),
    host_collector: false,
    selfScrape: false,
  });
  // Both must have scraped a few times (bounded wait).
  for (let i = 0; i < 100; i++) {
    const [a, b] = await Promise.all([count(promUrl), count(hub.url)]);
    if (a >= 3 && b >= 3) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('Prometheus and the hub did not both scrape within 30 s');
});

async function count(base: string): Promise<number> {
  try {
    const r = await fetch(`${base}/api/v1/query?query=count_over_time(up[1m])`, {
      signal: AbortSignal.timeout(2000),
    });
    const j = (await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    return Number(j.data?.result?.[0]?.value[1] ?? 0);
  } catch {
    return 0;
  }
}

after(async () => {
  prom?.kill('SIGKILL');
  await hub?.stop();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The structure of a JSON value: object keys and value types, arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = shape((v as Record<string, unknown>)[k]);
    return o;
  }
  return typeof v;
}

async function both(
  path: string,
): Promise<[{ status: number; body: unknown }, { status: number; body: unknown }]> {
  const get = async (base: string) => {
    const r = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.json() };
  };
  return Promise.all([get(promUrl), get(hub!.url)]);
}

const now = () => (Date.now() / 1000).toFixed(3);
const enc = encodeURIComponent;

const SAME_SHAPE_AND_SERIES = [
  () => `/api/v1/query?query=${enc('relay_bytes_total')}&time=${now()}`,
  () => `/api/v1/query?query=${enc('sum by (direction) (relay_bytes_total)')}&time=${now()}`,
  () => `/api/v1/query?query=${enc('scalar(relay_peers_connected)')}&time=${now()}`,
  () =>
    `/api/v1/query?query=${enc('histogram_quantile(0.5, storage_write_duration_seconds_bucket)')}&time=${now()}`,
  () =>
    `/api/v1/query_range?query=${enc('relay_peers_connected')}&start=${Number(now()) - 5}&end=${now()}&step=1`,
  () =>
    `/api/v1/series?match[]=${enc('relay_bytes_total')}&start=${Number(now()) - 60}&end=${now()}`,
  () => `/api/v1/label/direction/values?match[]=${enc('relay_bytes_total')}`,
];

for (const path of SAME_SHAPE_AND_SERIES) {
  test(
    `same answer shape and series: ${decodeURIComponent(path().split('?')[1]!.split('&')[0]!)}`,
    { skip },
    async () => {
      const [p, h] = await both(path());
      assert.equal(h.status, p.status);
      assert.deepEqual(shape(h.body), shape(p.body));
      const series = (b: unknown) => {
        const d = (b as { data: unknown }).data;
        const list = Array.isArray(d) ? d : ((d as { result?: unknown }).result ?? []);
        return Array.isArray(list)
          ? list
              .map((x) =>
                JSON.stringify(Object.entries((x as { metric?: object }).metric ?? x).sort()),
              )
              .sort()
          : [];
      };
      assert.deepEqual(series(h.body), series(p.body));
    },
  );
}

test('same shapes: labels, metadata, targets, buildinfo', { skip }, async () => {
  for (const path of [
    '/api/v1/labels',
    '/api/v1/metadata',
    '/api/v1/targets',
    '/api/v1/status/buildinfo',
  ]) {
    const [p, h] = await both(path);
    assert.equal(h.status, p.status, path);
    const ps = shape(p.body) as Record<string, unknown>;
    const hs = shape(h.body) as Record<string, unknown>;
    if (path.endsWith('targets')) {
      // Prometheus lists more per-target fields; every field the hub gives must exist there with the same type.
      const pt = ((ps.data as { activeTargets: unknown[] }).activeTargets[0] ?? {}) as Record<
        string,
        unknown
      >;
      const ht = ((hs.data as { activeTargets: unknown[] }).activeTargets[0] ?? {}) as Record<
        string,
        unknown
      >;
      for (const k of Object.keys(ht)) assert.deepEqual(shape(ht[k]), shape(pt[k]), `targets.${k}`);
      continue;
    }
    if (path.endsWith('buildinfo')) {
      assert.deepEqual(
        Object.keys(hs.data as object).sort(),
        Object.keys(ps.data as object).sort(),
      );
      continue;
    }
    assert.deepEqual(hs, ps, path);
  }
});

const ERRORS = [
  '/api/v1/query?query=sum(',
  '/api/v1/query?query=' + enc('relay_bytes_total + on() relay_bytes_total'),
  '/api/v1/query_range?query=up&start=10&end=5&step=1',
  '/api/v1/query_range?query=up&start=0&end=100000&step=1',
  '/api/v1/series',
];
for (const path of ERRORS) {
  test(`same error status and type: ${path}`, { skip }, async () => {
    const [p, h] = await both(path);
    assert.equal(h.status, p.status);
    assert.equal(
      (h.body as { errorType: string }).errorType,
      (p.body as { errorType: string }).errorType,
    );
    assert.equal((h.body as { status: string }).status, 'error');
  });
}
