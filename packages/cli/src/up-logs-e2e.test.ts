/**
 * `canopy up` end to end for traces and logs. It captures its children's output: a short run of the reference deployment with
 * the hub, then the hub's log store (reopened from the data folder) holds lines of every
 * service, parsed from pino JSON, and each stored line is also in the child's log file. The
 * services' spans (their real OTLP protobuf exporter) are in the hub's trace store, and the
 * trace_id exemplars the hub scraped off storage's write latency name traces it has.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore, TraceStore, parseScrapeConfig } from '@canopy/hub';
import { up } from './up.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose +0…+3 and +100…+103 (what `up` takes) are free; 30 tries at most. */
async function freeBase(): Promise<number> {
  for (let i = 0; i < 30; i++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [0, 1, 2, 3, 100, 101, 102, 103].map((d) => base + d);
    let ok = true;
    for (const p of ports) if (!(await portFree(p))) ok = false;
    if (ok) return base;
  }
  throw new Error('no free block of ports for canopy up');
}

test("canopy up: every child line in the hub log store and the log files; the services' traces in the trace store", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-up-logs-'));
  const out: string[] = [];
  try {
    const base = await freeBase();
    let hubPort = 0;
    do hubPort = 20_000 + Math.floor(Math.random() * 20_000);
    while (!(await portFree(hubPort)));
    // While it runs: the hub's exemplars of storage write latency, polled (bounded by the run).
    let running = true;
    const exemplarIds = new Set<string>();
    const poll = (async () => {
      const url = `http://127.0.0.1:${hubPort}/api/v1/query_exemplars?query=storage_write_duration_seconds_bucket`;
      for (let i = 0; i < 200 && running; i++) {
        try {
          const r = (await (await fetch(url, { signal: AbortSignal.timeout(1000) })).json()) as {
            data: Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
          };
          for (const s of r.data)
            for (const e of s.exemplars)
              if (e.labels['trace_id'] !== undefined) exemplarIds.add(e.labels['trace_id']);
        } catch {
          // the hub is not up yet, or already stopped
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await up({
      basePort: base,
      hub: {
        host: '127.0.0.1',
        port: hubPort,
        dataDir: dir,
        retentionMs: 3_600_000,
        retentionBytes: 0,
      },
      scrape: parseScrapeConfig({ interval: '1s', timeout: '1s', targets: [] }),
      peers: 4,
      rate: 20,
      churn: 0,
      durationS: 5,
      // every span to the hub's /v1/traces (the services' real OTLP protobuf exporter)
      tracing: {
        endpoint: undefined,
        ratios: { relay: 1, replay: 1, storage: 1 },
        headersFile: undefined,
      },
      out: (s) => void out.push(s),
    }).finally(() => {
      running = false;
    });
    await poll;
    const store = new LogStore(join(dir, 'logs.sqlite'));
    try {
      const lines = store.search({ limit: 10_000 });
      const services = new Set(lines.map((l) => l.service));
      // pino lines name their service (both relays say relay); other lines take the child's name
      for (const s of ['relay', 'replay', 'storage'])
        assert.ok(
          services.has(s),
          `pino lines of ${s} in the store (got ${[...services].join(', ')})`,
        );
      assert.ok(
        lines.some((l) => l.service === 'relay-a' || l.service === 'relay-b'),
        'plain-text lines kept under the child name',
      );
      const pino = lines.filter((l) => l.service === 'relay' && Object.keys(l.fields).length > 0);
      assert.ok(pino.length > 0, 'pino fields kept');
      assert.ok(
        pino.every((l) => Math.abs(l.timeMs - Date.now()) < 300_000),
        'pino time parsed',
      );
      const files = ['relay-a', 'relay-b', 'replay', 'storage']
        .map((n) => readFileSync(join(dir, 'logs', `${n}.log`), 'utf8'))
        .join('\n');
      for (const l of lines)
        assert.ok(files.includes(l.msg), `stored line "${l.msg}" is in the log files too`);
    } finally {
      store.close();
    }
    const traces = new TraceStore(join(dir, 'traces.sqlite'));
    try {
      const found = traces.search({ limit: 1000 });
      const services = new Set(found.flatMap((t) => t.services));
      for (const svc of ['relay', 'replay', 'storage'])
        assert.ok(
          services.has(svc),
          `spans of ${svc} arrived over OTLP (got ${[...services].join(', ')})`,
        );
      assert.ok(
        found.some((t) => t.services.length >= 2),
        'a trace crosses services (one event from relay on)',
      );
      // an exemplar on the latency histogram names a trace the hub has
      assert.ok(exemplarIds.size > 0, 'storage write latency carried trace_id exemplars');
      assert.ok(
        [...exemplarIds].some((id) => traces.trace(id) !== undefined),
        `an exemplar's trace is in the trace store (${exemplarIds.size} exemplar trace ids)`,
      );
      const t = found[0]!;
      assert.equal(traces.trace(t.traceId)?.length, t.spanCount);
    } finally {
      traces.close();
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- canopy up said:\n${out.join('')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
