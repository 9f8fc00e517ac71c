/**
 * End-to-end conformance: a real Prometheus (the Debian binary, started here on 127.0.0.1
 * with its own temporary config and TSDB) scrapes the registry through `serveMetrics`
 * (OpenMetrics, as Prometheus negotiates it) and through the same handler forced to the
 * text format; every series it stores must equal what the registry holds.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveMetrics, metricsHandler } from './http.js';
import { negotiate } from './exposition.js';
import type { Registry } from './registry.js';
import {
  buildConformanceRegistry,
  isVolatileFamily,
  toolSkipReason,
  GAUGE_VALUES,
  TRICKY_VALUES,
  EXEMPLAR_TRICKY,
} from './testing/fixture.js';
import {
  parseOpenMetrics,
  parseText,
  labelsKey,
  sameFloat,
  type Exposition,
  type Labels,
} from './testing/parse-exposition.js';

const PROMETHEUS = '/usr/bin/prometheus';
const skip = toolSkipReason(PROMETHEUS);
/** Upper bound on waiting for Prometheus to start and ingest both targets. */
const READY_TIMEOUT_MS = 30_000;

interface VectorSample {
  metric: Labels;
  value: [number, string];
}

interface ExemplarResult {
  seriesLabels: Labels;
  exemplars: Array<{ labels: Labels; value: string; timestamp: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves true when `p` settles within `ms`, false otherwise; leaves no timer behind. */
async function within(p: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([(p ?? Promise.resolve()).then(() => true), t]);
  } finally {
    clearTimeout(timer);
  }
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  const port = portOf(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Prometheus API value strings: `NaN`, `+Inf`, `-Inf` or a decimal. */
function apiFloat(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const n = Number(s);
  assert.ok(s !== '' && !Number.isNaN(n), `not a number from the API: ${s}`);
  return n;
}

/** Labels of a stored series without the name and the target labels Prometheus adds. */
function ownLabels(metric: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(metric))
    if (k !== '__name__' && k !== 'job' && k !== 'instance') out[k] = metric[k]!;
  return out;
}

/** A label value escaped as both exposition formats write it (written out independently here). */
function wireEscaped(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A PromQL string literal (Go escapes, which JSON's are a subset of for these inputs). */
function promqlString(s: string): string {
  return JSON.stringify(s);
}

describe('a real Prometheus scraping serveMetrics', { skip }, () => {
  let registry: Registry;
  let omServer: Server | undefined;
  let textServer: Server | undefined;
  let prom: ChildProcess | undefined;
  let promExit: Promise<void> | undefined;
  let dir: string | undefined;
  let api = '';
  let log = '';
  const accepts: string[] = [];
  let expectedOm: Exposition;
  let expectedText: Exposition;

  async function get<T>(path: string): Promise<T> {
    const res = await fetch(api + path, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    assert.equal(body.status, 'success', `${path}: ${body.error ?? res.status}`);
    return body.data;
  }

  async function query(q: string): Promise<VectorSample[]> {
    const data = await get<{ resultType: string; result: VectorSample[] }>(
      '/api/v1/query?query=' + encodeURIComponent(q),
    );
    assert.equal(data.resultType, 'vector');
    return data.result;
  }

  async function diagnostics(): Promise<string> {
    let targets = '';
    try {
      const t = await get<{ activeTargets: Array<Record<string, unknown>> }>('/api/v1/targets');
      targets = t.activeTargets
        .map(
          (x) => `${JSON.stringify(x['labels'])} ${String(x['health'])} ${String(x['lastError'])}`,
        )
        .join('\n');
    } catch (e) {
      targets = `targets unavailable: ${String(e)}`;
    }
    return `targets:\n${targets}\nprometheus log (tail):\n${log.slice(-3000)}`;
  }

  /** Starts Prometheus on a free port; resolves once /-/ready answers 200. */
  async function startPrometheus(omPort: number, textPort: number): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'canopy-prometheus-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: om',
      `    static_configs: [{ targets: ['127.0.0.1:${omPort}'] }]`,
      '  - job_name: text',
      `    static_configs: [{ targets: ['127.0.0.1:${textPort}'] }]`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      log = '';
      const child = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, `data${attempt}`)}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--enable-feature=exemplar-storage',
          '--log.level=info',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prom = child;
      let exited = false;
      promExit = new Promise((resolve) => {
        child.once('exit', () => {
          exited = true;
          resolve();
        });
        // e.g. ENOENT when the binary is missing (in CI): fail with a message, not a crash.
        child.once('error', (err) => {
          log += `\nfailed to run ${PROMETHEUS}: ${String(err)}\n`;
          exited = true;
          resolve();
        });
      });
      const onData = (d: Buffer): void => {
        log = (log + d.toString()).slice(-20_000);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      while (!exited && Date.now() < deadline) {
        try {
          const res = await fetch(api + '/-/ready', { signal: AbortSignal.timeout(1000) });
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      if (!exited) break;
      // Exited early (e.g. the port was taken in between): try another port.
    }
    throw new Error(`Prometheus did not become ready\n${log.slice(-3000)}`);
  }

  before(
    async () => {
      registry = buildConformanceRegistry();
      omServer = await serveMetrics(registry, { port: 0 });
      omServer.prependListener('request', (req) => accepts.push(req.headers.accept ?? ''));
      // The same handler, with the Accept header Prometheus < 2.49 cannot be told to send.
      const handler = metricsHandler(registry);
      textServer = createServer((req, res) => {
        req.headers.accept = 'text/plain; version=0.0.4';
        handler(req, res);
      });
      await new Promise<void>((resolve) => textServer!.listen(0, '127.0.0.1', resolve));

      await startPrometheus(portOf(omServer), portOf(textServer));

      // Wait (bounded) until both jobs' series are queryable.
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        const r = await query('count by (job) (conf_values)').catch(() => []);
        const jobs = new Map(r.map((s) => [s.metric['job'], Number(s.value[1])]));
        if (jobs.get('om') === GAUGE_VALUES.length && jobs.get('text') === GAUGE_VALUES.length)
          break;
        if (Date.now() > deadline)
          throw new Error(`Prometheus did not ingest both targets in time\n${await diagnostics()}`);
        await sleep(250);
      }
      expectedOm = parseOpenMetrics(registry.render('openmetrics'));
      expectedText = parseText(registry.render('text'));
    },
    { timeout: 2 * READY_TIMEOUT_MS + 10_000 },
  );

  after(async () => {
    if (prom !== undefined && prom.exitCode === null && prom.signalCode === null) {
      prom.kill('SIGTERM'); // the process started here, by its PID
      if (!(await within(promExit, 10_000))) {
        prom.kill('SIGKILL');
        await within(promExit, 5000);
      }
    }
    for (const s of [omServer, textServer]) {
      if (s === undefined) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('both targets are up and Prometheus negotiated OpenMetrics from serveMetrics', async () => {
    const up = await query('up');
    assert.deepEqual(
      up.map((s) => `${s.metric['job']}=${s.value[1]}`).sort(),
      ['om=1', 'text=1'],
      await diagnostics(),
    );
    assert.ok(accepts.length > 0);
    for (const a of accepts) assert.equal(negotiate(a), 'openmetrics', `Accept: ${a}`);
  });

  for (const job of ['om', 'text'] as const) {
    test(`every series (${job} job) holds exactly the registry's value`, async () => {
      const expected = job === 'om' ? expectedOm : expectedText;
      const byName = new Map<string, Map<string, number>>();
      for (const s of expected.samples) {
        if (isVolatileFamily(s.family)) continue;
        let m = byName.get(s.name);
        if (m === undefined) byName.set(s.name, (m = new Map()));
        m.set(labelsKey(s.labels), s.value);
      }
      assert.ok(byName.size >= 10, `${byName.size} metric names`);
      let compared = 0;
      for (const [name, want] of byName) {
        const got = await query(`{__name__=${promqlString(name)},job="${job}"}`);
        const gotMap = new Map(
          got.map((s) => [labelsKey(ownLabels(s.metric)), apiFloat(s.value[1])]),
        );
        assert.deepEqual([...gotMap.keys()].sort(), [...want.keys()].sort(), `series of ${name}`);
        for (const [k, v] of want) {
          const g = gotMap.get(k)!;
          assert.ok(sameFloat(g, v), `${name}${k}: Prometheus has ${g}, the registry ${v}`);
          compared++;
        }
      }
      assert.ok(compared > 60, `compared ${compared} series`);
      // Nothing else of ours arrived (e.g. _created in the text format, stray families).
      const all = await query(`count by (__name__) ({__name__=~"conf_.*",job="${job}"})`);
      assert.deepEqual(all.map((s) => s.metric['__name__']).sort(), [...byName.keys()].sort());
      if (job === 'text')
        assert.equal([...byName.keys()].filter((n) => n.endsWith('_created')).length, 0);
      else assert.ok(byName.has('conf_transfer_bytes_created'));
    });
  }

  test('escaped label values arrive intact and select exactly one series', async () => {
    for (const job of ['om', 'text']) {
      for (let i = 0; i < TRICKY_VALUES.length; i++) {
        const w = TRICKY_VALUES[i]!;
        const got = await query(`conf_temperature_celsius{job="${job}",weird=${promqlString(w)}}`);
        assert.equal(got.length, 1, `${job}: weird=${JSON.stringify(w)}`);
        assert.equal(got[0]!.metric['weird'], w);
        assert.equal(apiFloat(got[0]!.value[1]), -i - 0.5);
      }
    }
  });

  test('awkward float values arrive intact (NaN, ±Inf, 1e300, 5e-324, negatives)', async () => {
    for (const job of ['om', 'text']) {
      for (const [k, v] of GAUGE_VALUES) {
        const got = await query(`conf_values{job="${job}",case="${k}"}`);
        assert.equal(got.length, 1, `${job}: case=${k}`);
        const g = apiFloat(got[0]!.value[1]);
        assert.ok(sameFloat(g, v), `${job} case=${k}: Prometheus has ${g}, want ${v}`);
      }
    }
  });

  test('exemplars arrive with their labels, values and timestamps (OpenMetrics only)', async () => {
    const now = Date.now() / 1000;
    const range = `&start=${now - 300}&end=${now + 60}`;
    const want = expectedOm.samples.filter((s) => s.exemplar !== undefined);
    assert.ok(want.length >= 10);
    const got = await get<ExemplarResult[]>(
      '/api/v1/query_exemplars?query=' +
        encodeURIComponent('{__name__=~"conf_.*",job="om"}') +
        range,
    );
    const latest = new Map<string, { labels: Labels; value: number; timestamp: number }>();
    for (const r of got) {
      const last = r.exemplars[r.exemplars.length - 1];
      if (last === undefined) continue;
      const key = r.seriesLabels['__name__'] + labelsKey(ownLabels(r.seriesLabels));
      latest.set(key, {
        labels: last.labels,
        value: apiFloat(last.value),
        timestamp: last.timestamp,
      });
    }
    for (const s of want) {
      const g = latest.get(s.name + labelsKey(s.labels));
      assert.ok(g !== undefined, `exemplar of ${s.name}${labelsKey(s.labels)} is missing`);
      assert.deepEqual(
        Object.keys(g.labels).sort(),
        Object.keys(s.exemplar!.labels).sort(),
        'exemplar label names',
      );
      for (const [k, v] of Object.entries(s.exemplar!.labels)) {
        // Prometheus 2.42 stores exemplar label values as written on the wire, without
        // unescaping them (series label values are unescaped). Accept that form too: it
        // proves the bytes Canopy sent were exactly the escaped value.
        const got = g.labels[k];
        assert.ok(
          got === v || got === wireEscaped(v),
          `exemplar label ${k}: Prometheus has ${JSON.stringify(got)}, want ${JSON.stringify(v)}`,
        );
      }
      assert.ok(sameFloat(g.value, s.exemplar!.value), `${g.value} vs ${s.exemplar!.value}`);
      assert.ok(Math.abs(g.timestamp - s.exemplar!.timestamp!) < 0.002, 'exemplar timestamp');
    }
    assert.ok(
      [...latest.values()].some(
        (x) =>
          x.labels['note'] === EXEMPLAR_TRICKY.note ||
          x.labels['note'] === wireEscaped(EXEMPLAR_TRICKY.note),
      ),
      'an exemplar label value with a quote, backslash and newline arrived',
    );
    const text = await get<ExemplarResult[]>(
      '/api/v1/query_exemplars?query=' +
        encodeURIComponent('{__name__=~"conf_.*",job="text"}') +
        range,
    );
    assert.equal(text.filter((r) => r.exemplars.length > 0).length, 0);
  });

  test('self-metrics and runtime metrics are ingested too', async () => {
    const series = await query('canopy_telemetry_series{job="om",metric="conf_values"}');
    assert.deepEqual(
      series.map((s) => s.value[1]),
      [String(GAUGE_VALUES.length)],
    );
    const overflow = await query(
      'canopy_telemetry_label_overflow_total{metric="conf_transfer_bytes_total"}',
    );
    assert.deepEqual(
      overflow.map((s) => `${s.metric['job']}/${s.metric['label']}=${s.value[1]}`).sort(),
      ['om/direction=1', 'om/weird=1', 'text/direction=1', 'text/weird=1'],
    );
    for (const name of ['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      const r = await query(`${name}{job="om"}`);
      assert.equal(r.length, 1, name);
      assert.ok(apiFloat(r[0]!.value[1]) > 0, name);
    }
    const gc = await query('count(nodejs_gc_duration_seconds_total{job="text"})');
    assert.equal(gc[0]?.value[1], '4');
  });
});
