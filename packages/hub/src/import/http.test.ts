/**
 * The import paths of a started hub: all-or-nothing by default, `on_error=skip`, gzip,
 * OpenMetrics by content type, JSON lines, and the refusals (token, method, parameter,
 * size, encoding) with their messages.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHub, type Hub } from '../hub.js';
import { parseScrapeConfig } from '../scrape/index.js';

const TOKEN = 'import-token';
let hub: Hub;
let dir: string;
const T = Date.now() - 3_600_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-import-http-'));
  hub = await startHub({
    port: 0,
    dataDir: dir,
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
    remoteWriteReceiver: { enabled: true, bearerToken: TOKEN, maxBodyBytes: 32 * 1024 },
  });
});
after(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{
  status: number;
  json: { status: string; error?: string; data?: Record<string, unknown> };
}> {
  const r = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    ...(method === 'GET' ? {} : { body }),
  });
  return { status: r.status, json: (await r.json()) as never };
}

it('all or nothing by default: one bad line refuses the request with the summary', async () => {
  const r = await post('/api/v1/import/prometheus', `a_total 1 ${T}\nb_total 1\nc_total 1 ${T}\n`);
  assert.equal(r.status, 400);
  assert.match(r.json.error!, /^1 line\(s\) refused, nothing imported; line 2: no timestamp/);
  assert.equal((r.json.data as { rejected: number }).rejected, 1);
  assert.equal(hub.tsdb.samplesOf({ __name__: 'a_total' }, 0, Infinity), undefined);
});

it('on_error=skip stores the good lines and reports the others', async () => {
  const r = await post(
    '/api/v1/import/prometheus?on_error=skip',
    `a_total 1 ${T}\nb_total 1\nc_total 1 ${T}\n`,
  );
  assert.equal(r.status, 200);
  assert.deepEqual(
    { ...r.json.data, rejectedLines: undefined },
    {
      series: 2,
      samples: 2,
      duplicates: 0,
      minT: T,
      maxT: T,
      rejected: 1,
      rejectedLines: undefined,
    },
  );
  assert.equal(hub.tsdb.samplesOf({ __name__: 'c_total' }, 0, Infinity)?.t.length, 1);
});

it('gzip bodies, OpenMetrics by content type, and JSON lines on /api/v1/import', async () => {
  const om = await post('/api/v1/import/prometheus', gzipSync(`om_metric 7 ${T / 1000}\n# EOF\n`), {
    'content-encoding': 'gzip',
    'content-type': 'application/openmetrics-text; version=1.0.0',
  });
  assert.equal(om.status, 200, om.json.error);
  assert.deepEqual([...hub.tsdb.samplesOf({ __name__: 'om_metric' }, 0, Infinity)!.t], [T]);
  const js = await post(
    '/api/v1/import',
    JSON.stringify({
      metric: { __name__: 'js_metric', job: 'x' },
      values: [1, 2],
      timestamps: [T, T + 1000],
    }) + '\n',
  );
  assert.equal(js.status, 200, js.json.error);
  assert.equal(hub.tsdb.samplesOf({ __name__: 'js_metric', job: 'x' }, 0, Infinity)?.t.length, 2);
});

const refusals: Array<
  [string, () => Promise<{ status: number; json: { error?: string } }>, number, RegExp]
> = [
  [
    'no token',
    () => post('/api/v1/import', '', { authorization: '' }),
    401,
    /missing or wrong bearer token/,
  ],
  [
    'GET',
    () => post('/api/v1/import/prometheus', '', {}, 'GET'),
    405,
    /method GET not allowed: POST the file/,
  ],
  [
    'a bad on_error',
    () => post('/api/v1/import?on_error=maybe', ''),
    400,
    /invalid parameter "on_error": "maybe" \(expected abort or skip\)/,
  ],
  [
    'a body over the limit',
    () => post('/api/v1/import', 'x'.repeat(70 * 1024)),
    413,
    /over the limit of 65536 bytes: split the file/,
  ],
  [
    'brotli',
    () => post('/api/v1/import', 'x', { 'content-encoding': 'br' }),
    415,
    /content encoding "br" not supported \(gzip or none\)/,
  ],
  [
    'corrupt gzip',
    () => post('/api/v1/import', 'not gzip', { 'content-encoding': 'gzip' }),
    400,
    /not valid gzip/,
  ],
  [
    'invalid UTF-8',
    () => post('/api/v1/import', Uint8Array.of(0xff, 0xfe, 0x0a)),
    400,
    /not valid UTF-8/,
  ],
];
for (const [name, send, status, message] of refusals) {
  it(`refuses ${name} with ${status} and the reason`, async () => {
    const r = await send();
    assert.equal(r.status, status);
    assert.match(r.json.error ?? '', message);
  });
}

it('counts requests, refusals, samples and refused lines on /metrics', async () => {
  const m = await (await fetch(`${hub.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(m)?.[1]);
  assert.equal(value('canopy_hub_import_requests_total'), 11);
  assert.equal(value('canopy_hub_import_refused_requests_total'), 8);
  assert.equal(value('canopy_hub_import_samples_total'), 5);
  assert.equal(value('canopy_hub_import_rejected_lines_total'), 2);
});
