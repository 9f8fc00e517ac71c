/**
 * remote_write out against a real VictoriaMetrics:
 *
 * - outage and restarts: a hub scrapes the demo services every second and forwards to
 *   VictoriaMetrics; VictoriaMetrics is stopped, the hub is restarted while it is down, then
 *   VictoriaMetrics comes back on the same port and data folder: every sample the hub stored
 *   is there, per series.
 * - an hour's outage without waiting an hour: an hour of the reference deployment's samples
 *   (twice the catalog-shaped history: ≈790 series at 15 s, the budget's maximum for two
 *   relays, replay, storage and a host) goes through the hub's appender tap while nothing
 *   listens; the queue holds all of it, then drains into VictoriaMetrics when it starts.
 *
 * VictoriaMetrics runs with -dedup.minScrapeInterval=1ms, as docs/remote-write.md advises:
 * delivery is at least once (a request cut by the outage is sent again).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseScrapeConfig,
  RemoteWriteSchema,
  RemoteWriter,
  resolveRemoteWrite,
  startHub,
  TSDB,
  type Hub,
  type Labels,
} from '@canopy/hub';
import { EngineProcess, freePort, toolSkipReason, VICTORIA_METRICS_BIN } from '@canopy/stack';
import { startDemo } from './demo.js';
import { writeHistory } from './testing/ui-history.js';

const skip = toolSkipReason(VICTORIA_METRICS_BIN, 'victoria-metrics');
const root = mkdtempSync(join(tmpdir(), 'canopy-rw-out-e2e-'));
const running: { stop(): Promise<void> }[] = [];
after(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

/** VictoriaMetrics on a fixed port and data folder, so it can be stopped and started again. */
async function victoria(port: number, dir: string): Promise<EngineProcess> {
  const vm = await EngineProcess.start({
    name: 'victoria-metrics',
    bin: VICTORIA_METRICS_BIN,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir}`,
      '-dedup.minScrapeInterval=1ms',
      '-search.latencyOffset=0s',
      '-retentionPeriod=1y',
      '-loggerLevel=ERROR',
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
  });
  running.push(vm);
  return vm;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-series sample counts VictoriaMetrics holds (its /api/v1/export: the stored samples). */
async function vmCounts(url: string): Promise<Map<string, number>> {
  await fetch(`${url}/internal/force_flush`);
  const body = new URLSearchParams({ 'match[]': '{__name__=~".+"}' });
  const text = await (await fetch(`${url}/api/v1/export`, { method: 'POST', body })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const j = JSON.parse(line) as { metric: Labels; values: (number | null)[] };
    const n = j.values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).length;
    const k = key(j.metric);
    out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

/**
 * Series whose counts differ between `want` and VictoriaMetrics, once VictoriaMetrics has
 * settled: it makes newly written rows searchable within seconds of acknowledging them, so
 * this asks again (every 0.5 s, for at most 30 s) while anything differs.
 */
async function differences(url: string, want: ReadonlyMap<string, number>): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const got = await vmCounts(url);
    const diff: string[] = [];
    for (const [k, n] of want)
      if (got.get(k) !== n) diff.push(`${k}: hub ${n}, VictoriaMetrics ${got.get(k) ?? 0}`);
    if (diff.length === 0 || Date.now() > deadline) return diff;
    await sleep(500);
  }
}

function key(l: Labels): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');
}

function endpoint(port: number, extra: Record<string, unknown> = {}) {
  return resolveRemoteWrite(
    RemoteWriteSchema.parse([
      {
        name: 'vm',
        url: `http://127.0.0.1:${port}/api/v1/write`,
        catalog_only: false,
        queue: { min_backoff: '50ms', max_backoff: '500ms' },
        ...extra,
      },
    ]),
  );
}

test(
  'VictoriaMetrics down, hub restarted meanwhile: every stored sample arrives',
  { skip },
  async () => {
    const port = await freePort();
    const vmDir = join(root, 'vm-outage');
    let vm = await victoria(port, vmDir);
    const demo = await startDemo({ port: 0 });
    running.push(demo);
    const dataDir = join(root, 'hub-outage');
    const scrape = parseScrapeConfig({
      interval: '1s',
      timeout: '1s',
      targets: Object.entries(demo.urls).map(([service, url]) => ({ url, service })),
    });
    const hubOptions = {
      dataDir,
      port: 0,
      scrape,
      host_collector: false,
      remoteWrite: endpoint(port),
    };
    let hub: Hub = await startHub(hubOptions);
    const ep = () => hub.remoteWriter!.endpoints[0]!;
    await until('first samples sent', () => ep().stats.samplesSent > 0, 15_000);
    await vm.stop();
    await until(
      'samples queued while VictoriaMetrics is down',
      () => ep().queue.pendingSamples > 1000,
      20_000,
    );
    assert.ok(ep().stats.retries > 0);
    const queuedBeforeRestart = ep().queue.pendingSamples;
    await hub.stop();
    hub = await startHub(hubOptions);
    running.push({ stop: () => hub.stop() });
    assert.ok(
      ep().queue.pendingSamples >= queuedBeforeRestart,
      `the restarted hub found ${ep().queue.pendingSamples} of ${queuedBeforeRestart} queued samples`,
    );
    await sleep(2000);
    vm = await victoria(port, vmDir);
    await until('the queue drained', () => ep().queue.pendingSamples === 0, 60_000);
    await hub.scraper.stop();
    await until('the last scrapes sent', () => ep().queue.pendingSamples === 0, 30_000);
    const end = Date.now();
    // The hub's own store is the reference: every non-NaN sample of every series.
    const want = new Map<string, number>();
    let total = 0;
    for (const s of hub.tsdb.select([{ name: '__name__', type: '=~', value: '.+' }], 0, end)) {
      let n = 0;
      for (const v of s.v) if (!Number.isNaN(v)) n++;
      if (n === 0) continue;
      want.set(key(s.labels), n);
      total += n;
    }
    const missing = await differences(vm.url, want);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${want.size} series differ`);
    assert.ok(total > queuedBeforeRestart, `${total} samples, ${queuedBeforeRestart} queued`);
    assert.equal(ep().stats.dropped.queue_full, 0);
  },
);

test(
  'an hour of the reference deployment queued while the endpoint is down, then drained',
  { skip },
  async (t) => {
    const end = Date.now() - 10 * 60_000;
    const hist = join(root, 'history');
    writeHistory(hist, { hours: 1, end });
    const src = TSDB.open({ dir: join(hist, 'tsdb') });
    // Two deployments' worth (the second with its own instance labels): ≈790 series.
    const series = src.select([{ name: '__name__', type: '=~', value: '.+' }], 0, end);
    src.close();
    const copies = series.flatMap((s) => [
      s,
      { ...s, labels: { ...s.labels, instance: `${s.labels['instance'] ?? ''}-b` } },
    ]);
    const port = await freePort();
    const dataDir = join(root, 'hub-hour');
    mkdirSync(dataDir, { recursive: true });
    const writer = new RemoteWriter(endpoint(port), dataDir);
    running.push(writer);
    const db = TSDB.open({ dir: join(dataDir, 'tsdb') });
    running.push({ stop: async () => db.close() });
    writer.start();
    const ep = writer.endpoints[0]!;
    // One commit per target and scrape, as the scraper does; grouped by instance.
    const byTarget = new Map<string, typeof copies>();
    for (const s of copies) {
      const k = s.labels['instance'] ?? '';
      byTarget.set(k, [...(byTarget.get(k) ?? []), s]);
    }
    const times = [...new Set(copies.flatMap((s) => Array.from(s.t)))].sort((a, b) => a - b);
    const cursor = new Map(copies.map((s) => [s, 0]));
    let fed = 0;
    for (const time of times)
      for (const group of byTarget.values()) {
        const app = writer.tap(db.appender());
        for (const s of group) {
          const i = cursor.get(s)!;
          if (s.t[i] !== time) continue;
          cursor.set(s, i + 1);
          if (app.append(s.labels, time, s.v[i]!) && !Number.isNaN(s.v[i]!)) fed++;
        }
        app.commit();
      }
    const rate = copies.length / 15;
    const bytesPerSample = ep.queue.bytes / ep.queue.pendingSamples;
    const hours = ep.config.queue.max_bytes / (bytesPerSample * rate * 3600);
    t.diagnostic(
      `${copies.length} series, ${fed} samples (${rate.toFixed(1)}/s) queued in ${ep.queue.bytes} bytes: ` +
        `${bytesPerSample.toFixed(1)} bytes/sample; the default 256 MiB queue holds ${hours.toFixed(0)} h`,
    );
    assert.equal(ep.queue.pendingSamples, fed);
    await until('send attempts', () => ep.stats.retries > 1, 10_000);
    assert.equal(ep.stats.samplesSent, 0);
    assert.ok(hours >= 1, `the default queue holds only ${hours.toFixed(2)} h`);
    const vm = await victoria(port, join(root, 'vm-hour'));
    await until('an hour of samples drained', () => ep.queue.pendingSamples === 0, 120_000);
    assert.equal(ep.stats.samplesSent, fed);
    let stored = 0;
    await until(
      'VictoriaMetrics to show every sample',
      async () => {
        stored = 0;
        for (const n of (await vmCounts(vm.url)).values()) stored += n;
        return stored >= fed;
      },
      30_000,
    ).catch(() => {});
    assert.equal(stored, fed);
  },
);

const PROMETHEUS_BIN = '/usr/bin/prometheus';

test(
  'Prometheus with its receiver on stores every sample the hub forwards',
  { skip: toolSkipReason(PROMETHEUS_BIN, 'prometheus') },
  async () => {
    const port = await freePort();
    const dir = join(root, 'prometheus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
    const prom = await EngineProcess.start({
      name: 'prometheus',
      bin: PROMETHEUS_BIN,
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=error',
      ],
      url: `http://127.0.0.1:${port}`,
      readyPath: '/-/ready',
    });
    running.push(prom);
    const demo = await startDemo({ port: 0 });
    running.push(demo);
    const hub = await startHub({
      dataDir: join(root, 'hub-prometheus'),
      port: 0,
      scrape: parseScrapeConfig({
        interval: '1s',
        timeout: '1s',
        targets: Object.entries(demo.urls).map(([service, url]) => ({ url, service })),
      }),
      host_collector: false,
      remoteWrite: endpoint(port, { catalog_only: true }),
    });
    running.push({ stop: () => hub.stop() });
    const ep = hub.remoteWriter!.endpoints[0]!;
    await until('a few scrapes sent', () => ep.stats.samplesSent > 1000, 20_000);
    await hub.scraper.stop();
    await until('the queue drained', () => ep.queue.pendingSamples === 0, 20_000);
    const end = Date.now();
    const want = new Map<string, number>();
    for (const s of hub.tsdb.select([{ name: '__name__', type: '=~', value: '.+' }], 0, end)) {
      const n = Array.from(s.v).filter((v) => !Number.isNaN(v)).length;
      if (n > 0) want.set(key(s.labels), n);
    }
    // A range selector returns the raw samples with their names.
    const q = new URLSearchParams({ query: '{__name__=~".+"}[10m]', time: String(end / 1000 + 1) });
    const r = (await (
      await fetch(`${prom.url}/api/v1/query`, { method: 'POST', body: q })
    ).json()) as {
      data: { result: { metric: Labels; values: [number, string][] }[] };
    };
    const got = new Map<string, number>();
    for (const s of r.data.result)
      got.set(key(s.metric), s.values.filter(([, v]) => !Number.isNaN(Number(v))).length);
    const diff = [...want]
      .filter(([k, n]) => got.get(k) !== n)
      .map(([k, n]) => `${k}: ${n} vs ${got.get(k)}`);
    assert.deepEqual(diff.slice(0, 5), [], `${diff.length} of ${want.size} series differ`);
    assert.equal(ep.stats.dropped.rejected, 0);
    assert.equal(
      ep.stats.samplesSent,
      [...want.values()].reduce((a, b) => a + b, 0),
    );
  },
);
