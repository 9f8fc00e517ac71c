/**
 * The remote_write receiver in a started hub: a push stored and queryable (staleness marker
 * bit-exact, metadata, pusher on /api/v1/targets, counters on /metrics), Prometheus's
 * duplicate rules, and every kind of bad input refused with its reason, counted, and
 * nothing stored from the refused request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import { startHub, type Hub } from '../hub.js';
import { STALE_NAN, isStale, type Labels } from '../model.js';
import { parseScrapeConfig } from '../scrape/index.js';
import { ProtoWriter } from '../wire/protobuf.js';
import { encodeWriteRequest, type WriteRequest } from './write-request.js';

const TOKEN = 'test-token-1234';
const RETENTION = 86_400_000;
let hub: Hub;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-rw-'));
  hub = await startHub({
    port: 0,
    dataDir: dir,
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
    retentionMs: RETENTION,
    remoteWriteReceiver: {
      enabled: true,
      bearerToken: TOKEN,
      maxBodyBytes: 64 * 1024,
      maxSamplesPerRequest: 500,
    },
  });
});
after(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function series(labels: Labels, t: number[], v: number[]) {
  return { labels, t: Float64Array.from(t), v: Float64Array.from(v) };
}

function body(wr: Partial<WriteRequest>): Uint8Array {
  return snappy.compress(encodeWriteRequest({ timeseries: [], metadata: [], ...wr }));
}

async function push(
  b: Uint8Array | string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; text: string }> {
  const r = await fetch(`${hub.url}/api/v1/write`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      ...headers,
    },
    ...(method === 'GET' ? {} : { body: b }),
  });
  return { status: r.status, text: await r.text() };
}

async function query(
  expr: string,
  time: number,
): Promise<Array<{ metric: Labels; value: [number, string] }>> {
  const r = await fetch(
    `${hub.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time / 1000}`,
  );
  return (
    (await r.json()) as { data: { result: Array<{ metric: Labels; value: [number, string] }> } }
  ).data.result;
}

async function metrics(): Promise<string> {
  return (await fetch(`${hub.url}/metrics`)).text();
}

describe('remote_write in', () => {
  const now = Date.now();
  const t0 = now - 60_000;

  it('stores a push: samples, a staleness marker, metadata; lists the pusher; counts', async () => {
    const peers = series(
      { __name__: 'relay_peers_connected', job: 'relay', instance: 'r1:9464' },
      [t0, t0 + 15_000, t0 + 30_000],
      [3, 4, 0],
    );
    // Into the Float64Array directly: a JavaScript array would lose the NaN payload.
    peers.v[2] = STALE_NAN;
    const r = await push(
      body({
        timeseries: [
          peers,
          series(
            { __name__: 'up', job: 'relay', instance: 'r1:9464', empty: '' },
            [t0, t0 + 15_000],
            [1, 1],
          ),
        ],
        metadata: [
          {
            type: 'gauge',
            metricFamilyName: 'relay_peers_connected',
            help: 'Peers connected now.',
            unit: '',
          },
        ],
      }),
    );
    assert.equal(r.status, 204, r.text);
    const got = hub.tsdb.samplesOf(
      { __name__: 'relay_peers_connected', job: 'relay', instance: 'r1:9464' },
      0,
      Infinity,
    )!;
    assert.deepEqual([...got.t], [t0, t0 + 15_000, t0 + 30_000]);
    assert.deepEqual([...got.v.subarray(0, 2)], [3, 4]);
    assert.ok(isStale(got.v[2]!), 'the staleness marker is stored as one');
    // A staleness marker ends the series for PromQL.
    assert.deepEqual(
      await query('relay_peers_connected', t0 + 20_000).then((x) => x.map((s) => s.value[1])),
      ['4'],
    );
    assert.deepEqual(await query('relay_peers_connected', t0 + 31_000), []);
    assert.deepEqual(hub.tsdb.metadata('relay_peers_connected'), {
      relay_peers_connected: [{ type: 'gauge', help: 'Peers connected now.', unit: '' }],
    });
    const targets = (await (await fetch(`${hub.url}/api/v1/targets`)).json()) as {
      data: {
        activeTargets: Array<{
          labels: Labels;
          health: string;
          push?: boolean;
          samples?: number;
          lastError: string;
        }>;
      };
    };
    const pushed = targets.data.activeTargets.filter((x) => x.push === true);
    assert.deepEqual(
      pushed.map((x) => [x.labels, x.health, x.samples, x.lastError]),
      [[{ job: 'relay', instance: 'r1:9464' }, 'up', 5, '']],
    );
    const m = await metrics();
    assert.match(m, /^canopy_hub_remote_write_received_samples_total 5$/m);
  });

  it('ignores a repeated sample with the same value and refuses one with another value', async () => {
    const l = { __name__: 'dup_test', job: 'relay' };
    assert.equal(
      (await push(body({ timeseries: [series(l, [t0, t0 + 1000], [1, 2])] }))).status,
      204,
    );
    assert.equal(
      (await push(body({ timeseries: [series(l, [t0 + 1000, t0 + 2000], [2, 3])] }))).status,
      204,
    );
    const r = await push(body({ timeseries: [series(l, [t0 + 2000], [9])] }));
    assert.equal(r.status, 400);
    assert.match(
      r.text,
      /dup_test\{job="relay"\}: duplicate sample for timestamp .* \(stored 3, sent 9\)/,
    );
    assert.deepEqual([...hub.tsdb.samplesOf(l, 0, Infinity)!.v], [1, 2, 3]);
  });

  const good = series({ __name__: 'ok_metric', job: 'bad_input' }, [now - 5000], [1]);
  const one = (l: Labels, t: number[], v: number[] = t.map(() => 1)) =>
    body({ timeseries: [good, series(l, t, v)] });
  const manySamples = Array.from({ length: 501 }, (_, i) => now - 600_000 + i);
  const cases: Array<{
    name: string;
    body: () => Uint8Array | string;
    headers?: Record<string, string>;
    method?: string;
    status: number;
    reason: string;
    message: RegExp;
  }> = [
    {
      name: 'no bearer token',
      body: () => one({ __name__: 'x' }, [now]),
      headers: { authorization: '' },
      status: 401,
      reason: 'unauthorized',
      message: /missing bearer token|wrong bearer token/,
    },
    {
      name: 'a wrong bearer token',
      body: () => one({ __name__: 'x' }, [now]),
      headers: { authorization: 'Bearer nope' },
      status: 401,
      reason: 'unauthorized',
      message: /wrong bearer token/,
    },
    {
      name: 'GET',
      body: () => '',
      method: 'GET',
      status: 405,
      reason: 'method',
      message: /method GET not allowed: use POST/,
    },
    {
      name: 'a JSON content type',
      body: () => one({ __name__: 'x' }, [now]),
      headers: { 'content-type': 'application/json' },
      status: 415,
      reason: 'content_type',
      message:
        /content type "application\/json" not supported: remote_write 1.0 sends application\/x-protobuf/,
    },
    {
      name: 'zstd encoding',
      body: () => one({ __name__: 'x' }, [now]),
      headers: { 'content-encoding': 'zstd' },
      status: 415,
      reason: 'content_type',
      message: /content encoding "zstd" not supported: .*snappy.*forcePromProto/,
    },
    {
      name: 'a body over max_body_bytes',
      body: () => new Uint8Array(70 * 1024),
      status: 413,
      reason: 'too_large',
      message:
        /body of \d+ bytes is over the limit of 65536 bytes \(hub.remote_write_receiver.max_body_bytes/,
    },
    {
      name: 'more samples than max_samples_per_request',
      body: () => one({ __name__: 'x' }, manySamples),
      status: 413,
      reason: 'too_many_samples',
      message: /502 samples in one request, over the limit of 500/,
    },
    {
      name: 'corrupt snappy',
      body: () => Uint8Array.of(0x05, 0xfe, 0xff, 0xff, 0xff),
      status: 400,
      reason: 'corrupt_snappy',
      message: /not valid snappy/,
    },
    {
      name: 'snappy claiming 60 MB from 8 bytes',
      body: () => Uint8Array.of(0x80, 0x8e, 0xce, 0x1c, 0, 0, 0, 0),
      status: 400,
      reason: 'corrupt_snappy',
      message: /claims 60000000 bytes uncompressed, more than 8 compressed bytes can hold/,
    },
    {
      name: 'truncated snappy',
      body: () => one({ __name__: 'x' }, [now]).subarray(0, 30),
      status: 400,
      reason: 'corrupt_snappy',
      message: /not valid snappy/,
    },
    {
      name: 'snappy of a truncated protobuf',
      body: () =>
        snappy.compress(
          encodeWriteRequest({ timeseries: [good, good], metadata: [] }).subarray(0, 40),
        ),
      status: 400,
      reason: 'corrupt_protobuf',
      message: /not a valid remote_write WriteRequest: .*at byte \d+/,
    },
    {
      name: 'snappy of JSON',
      body: () => snappy.compress(new TextEncoder().encode('{"timeseries":[]}')),
      status: 400,
      reason: 'corrupt_protobuf',
      message: /not a valid remote_write WriteRequest/,
    },
    {
      name: 'a series without a metric name',
      body: () => one({ job: 'x' }, [now]),
      status: 400,
      reason: 'invalid_labels',
      message: /series \{job="x"\}: no metric name/,
    },
    {
      name: 'an invalid metric name',
      body: () => one({ __name__: 'relay-peers' }, [now]),
      status: 400,
      reason: 'invalid_labels',
      message: /invalid metric name "relay-peers": must match/,
    },
    {
      name: 'an invalid label name',
      body: () => one({ __name__: 'x', 'peer.id': 'a' }, [now]),
      status: 400,
      reason: 'invalid_labels',
      message: /invalid label name "peer.id"/,
    },
    {
      name: 'a reserved label name',
      body: () => one({ __name__: 'x', __meta_x: 'a' }, [now]),
      status: 400,
      reason: 'invalid_labels',
      message: /label name "__meta_x" is reserved/,
    },
    {
      name: 'a sample an hour in the future',
      body: () => one({ __name__: 'x' }, [now + 3_600_000]),
      status: 400,
      reason: 'too_new',
      message: /too far in the future/,
    },
    {
      name: 'a sample before retention',
      body: () => one({ __name__: 'x' }, [now - RETENTION - 60_000]),
      status: 400,
      reason: 'too_old',
      message: /before the retention period/,
    },
    {
      name: 'samples out of order in one series',
      body: () => one({ __name__: 'x' }, [now - 1000, now - 2000]),
      status: 400,
      reason: 'out_of_order',
      message: /x\{\}: out of order sample at/,
    },
    {
      name: 'a sample older than the stored ones',
      body: () => one({ __name__: 'dup_test', job: 'relay' }, [t0 - 1000]),
      status: 400,
      reason: 'out_of_order',
      message: /out of order sample/,
    },
    {
      name: 'a new series over an hour behind the newest sample',
      body: () => one({ __name__: 'late' }, [now - 2 * 3_600_000]),
      status: 400,
      reason: 'out_of_bounds',
      message: /out of bounds \(more than 1h before the newest stored sample/,
    },
    {
      name: 'native histograms',
      body: () =>
        snappy.compress(
          new ProtoWriter()
            .message(1, (ts) => {
              ts.message(1, (l) => l.string(1, '__name__').string(2, 'h'));
              ts.message(4, (h) => h.uint(1, 1));
            })
            .finish(),
        ),
      status: 400,
      reason: 'native_histograms',
      message: /native histogram samples are not supported/,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}: ${c.status}, the reason, counted, nothing stored`, async () => {
      const before = hub.tsdb.stats().samples;
      const counted = (m: string) =>
        Number(
          new RegExp(
            `canopy_hub_remote_write_refused_requests_total\\{reason="${c.reason}"\\} (\\d+)`,
          ).exec(m)?.[1] ?? 0,
        );
      const was = counted(await metrics());
      const r = await push(c.body(), c.headers ?? {}, c.method ?? 'POST');
      assert.equal(r.status, c.status, r.text);
      assert.match(r.text, c.message);
      assert.equal(hub.tsdb.stats().samples, before, 'nothing stored');
      assert.equal(
        hub.tsdb.samplesOf({ __name__: 'ok_metric', job: 'bad_input' }, 0, Infinity),
        undefined,
      );
      assert.equal(counted(await metrics()), was + 1);
    });
  }

  it('the pusher of a refused request shows its error on /api/v1/targets', async () => {
    const r = await push(
      body({
        timeseries: [series({ __name__: 'bad-name', job: 'storage', instance: 's1' }, [now], [1])],
      }),
    );
    assert.equal(r.status, 400);
    const targets = (await (await fetch(`${hub.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ labels: Labels; health: string; lastError: string }> };
    };
    const s = targets.data.activeTargets.find((x) => x.labels.job === 'storage')!;
    assert.equal(s.health, 'down');
    assert.match(s.lastError, /invalid metric name "bad-name"/);
  });
});

describe('remote_write protocol question', () => {
  it("answers vmagent's VictoriaMetrics-protocol probe with a no, without counting a refusal", async () => {
    const before = await metrics();
    const r = await fetch(`${hub.url}/api/v1/write?get_vm_proto_version=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /Prometheus remote_write 1.0 only/);
    const count = (m: string) =>
      /^canopy_hub_remote_write_received_requests_total (\d+)$/m.exec(m)?.[1];
    assert.equal(count(await metrics()), count(before));
  });
});

describe('remote_write off', () => {
  it('answers 404 saying how to turn it on', async () => {
    const d = mkdtempSync(join(tmpdir(), 'canopy-rw-off-'));
    const h = await startHub({
      port: 0,
      dataDir: d,
      scrape: parseScrapeConfig({ targets: [] }),
      host_collector: false,
      selfScrape: false,
    });
    try {
      const r = await fetch(`${h.url}/api/v1/write`, { method: 'POST', body: 'x' });
      assert.equal(r.status, 404);
      assert.match(await r.text(), /set hub.remote_write_receiver.enabled: true in canopy.yaml/);
    } finally {
      await h.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('remote_write counters in the hub self-scrape', () => {
  it('are stored as the hub scrapes itself', async () => {
    const d = mkdtempSync(join(tmpdir(), 'canopy-rw-self-'));
    const h = await startHub({
      port: 0,
      dataDir: d,
      scrape: parseScrapeConfig({ interval: '300ms', timeout: '250ms', targets: [] }),
      host_collector: false,
      remoteWriteReceiver: { enabled: true },
    });
    try {
      const r = await fetch(`${h.url}/api/v1/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
        body: body({ timeseries: [series({ __name__: 'pushed_total' }, [Date.now()], [1])] }),
      });
      assert.equal(r.status, 204);
      let got = '';
      for (let i = 0; i < 50 && got !== '1'; i++) {
        await new Promise((res) => setTimeout(res, 200));
        const q = await fetch(
          `${h.url}/api/v1/query?query=canopy_hub_remote_write_received_samples_total`,
        );
        const j = (await q.json()) as { data: { result: Array<{ value: [number, string] }> } };
        got = j.data.result[0]?.value[1] ?? '';
      }
      assert.equal(got, '1');
    } finally {
      await h.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
