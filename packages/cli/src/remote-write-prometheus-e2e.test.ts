/**
 * remote_write in from the real Prometheus (Debian `prometheus`): it scrapes itself every
 * second and pushes to the hub with a bearer token and metadata. The hub then holds the
 * samples Prometheus holds for the same series, the metadata Prometheus sent, and
 * Prometheus counts no failed or dropped sample.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseScrapeConfig, startHub, type Hub } from '@canopy/hub';
import { EngineProcess, freePort, toolSkipReason } from '@canopy/stack';

const PROMETHEUS_BIN = '/usr/bin/prometheus';
const TOKEN = 'prometheus-push-token';
const skip = toolSkipReason(PROMETHEUS_BIN, 'prometheus');

let hub: Hub;
let prom: EngineProcess;
let dir: string;

before(async () => {
  if (skip !== false) return;
  dir = mkdtempSync(join(tmpdir(), 'canopy-rw-prom-'));
  hub = await startHub({
    port: 0,
    dataDir: join(dir, 'hub'),
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
    remoteWriteReceiver: { enabled: true, bearerToken: TOKEN },
  });
  const port = await freePort();
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(
    cfg,
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: [
        { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
      ],
      remote_write: [
        {
          url: `${hub.url}/api/v1/write`,
          authorization: { credentials_file: join(dir, 'token') },
          queue_config: { batch_send_deadline: '500ms', max_shards: 1 },
          metadata_config: { send: true, send_interval: '1s' },
        },
      ],
    }),
  );
  prom = await EngineProcess.start({
    name: 'prometheus',
    bin: PROMETHEUS_BIN,
    args: [
      `--config.file=${cfg}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      '--log.level=warn',
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/-/ready',
  });
  // Until the hub holds 5 samples of up and the metadata came (≤ 40 s on a loaded machine).
  const until = Date.now() + 40_000;
  while (Date.now() < until) {
    const n =
      hub.tsdb.select([{ name: '__name__', type: '=', value: 'up' }], 0, Infinity)[0]?.t.length ??
      0;
    if (
      n >= 5 &&
      hub.tsdb.metadata('prometheus_http_requests_total').prometheus_http_requests_total !==
        undefined
    )
      break;
    await new Promise((r) => setTimeout(r, 500));
  }
});

after(async () => {
  await prom?.stop();
  await hub?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function promQuery(q: string): Promise<
  Array<{
    metric: Record<string, string>;
    value?: [number, string];
    values?: Array<[number, string]>;
  }>
> {
  const r = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: q })}`);
  return ((await r.json()) as { data: { result: never[] } }).data.result;
}

it('stores what Prometheus pushes, with its metadata, and nothing fails', { skip }, async () => {
  const [up] = await promQuery('up{job="prometheus"}[30s]');
  assert.ok(
    up !== undefined && up.values!.length >= 5,
    `Prometheus scraped itself: ${JSON.stringify(up)}`,
  );
  const got = hub.tsdb.samplesOf(up.metric, 0, Infinity);
  assert.ok(
    got !== undefined && got.t.length >= 5,
    `the hub got up: ${got?.t.length ?? 0} samples`,
  );
  // Every sample the hub holds is one Prometheus holds (Prometheus may hold a few not yet sent).
  const want = new Map(up.values!.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
  for (let i = 0; i < got.t.length; i++)
    assert.equal(want.get(got.t[i]!), got.v[i], `up at ${got.t[i]}`);
  const series = (await (
    await fetch(
      `${hub.url}/api/v1/query?${new URLSearchParams({ query: 'count({job="prometheus"})' })}`,
    )
  ).json()) as { data: { result: Array<{ value: [number, string] }> } };
  assert.ok(
    Number(series.data.result[0]?.value[1] ?? 0) > 100,
    'the hub holds Prometheus own series',
  );
  const md = hub.tsdb.metadata('prometheus_http_requests_total').prometheus_http_requests_total;
  assert.equal(md?.[0]?.type, 'counter');
  assert.match(md?.[0]?.help ?? '', /HTTP requests/);
  const failed = await promQuery(
    'sum(prometheus_remote_storage_samples_failed_total) + sum(prometheus_remote_storage_samples_dropped_total or vector(0))',
  );
  assert.equal(failed[0]?.value?.[1], '0', 'Prometheus counts no failed or dropped sample');
  const sent = await promQuery('sum(prometheus_remote_storage_samples_total)');
  assert.ok(Number(sent[0]?.value?.[1] ?? 0) > 300, 'Prometheus sent samples');
});
