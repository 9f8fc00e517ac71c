import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { apiHandler } from './router.js';
import { parseSelector, parseTime, parseDurationParam, BadData } from './params.js';
import { MemQuerier } from '../testing/mem-querier.js';

const q = new MemQuerier();
const T0 = 1_700_000_000_000;
for (let i = 0; i < 40; i++) {
  q.add(
    { __name__: 'relay_peers_connected', service: 'relay', instance: 'a' },
    T0 + i * 15_000,
    10 + i,
  );
  q.add(
    { __name__: 'relay_peers_connected', service: 'relay', instance: 'b' },
    T0 + i * 15_000,
    20,
  );
  q.add({ __name__: 'up', service: 'relay', instance: 'a' }, T0 + i * 15_000, 1);
}
let server: Server;
let base = '';
before(async () => {
  const h = apiHandler({
    querier: q,
    metadata: () => ({ relay_peers_connected: [{ type: 'gauge', help: 'Peers.', unit: '' }] }),
    targets: () => [
      {
        service: 'relay',
        instance: 'a',
        url: 'http://127.0.0.1:1/metrics',
        health: 'down',
        lastScrape: T0,
        lastScrapeDurationSeconds: 0.01,
        lastError: 'connection refused',
        intervalMs: 15_000,
        timeoutMs: 10_000,
      },
    ],
    version: 'test',
    now: () => T0 + 39 * 15_000,
  });
  server = createServer((req, res) => {
    if (!h(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('instant query answers in the Prometheus shape', async () => {
  const r = await get(
    `/api/v1/query?query=${encodeURIComponent('sum(relay_peers_connected)')}&time=${(T0 + 39 * 15_000) / 1000}`,
  );
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [{ metric: {}, value: [(T0 + 39 * 15_000) / 1000, '69'] }],
    },
  });
});

test('POST form bodies work like GET', async () => {
  const res = await fetch(base + '/api/v1/query', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `query=up&time=${(T0 + 30_000) / 1000}`,
  });
  const body = (await res.json()) as { data: { result: unknown[] } };
  assert.equal(res.status, 200);
  assert.equal(body.data.result.length, 1);
});

test('range query returns a matrix with string values and float-second timestamps', async () => {
  const r = await get(
    `/api/v1/query_range?query=up&start=${T0 / 1000}&end=${(T0 + 60_000) / 1000}&step=15s`,
  );
  assert.equal(r.status, 200);
  const data = r.body.data as {
    resultType: string;
    result: Array<{ metric: object; values: [number, string][] }>;
  };
  assert.equal(data.resultType, 'matrix');
  assert.deepEqual(
    data.result[0]!.values,
    [0, 1, 2, 3, 4].map((i) => [(T0 + i * 15_000) / 1000, '1']),
  );
});

test('series, labels, label values, metadata, targets and buildinfo', async () => {
  const s = await get(
    `/api/v1/series?match[]=${encodeURIComponent('relay_peers_connected{instance="a"}')}`,
  );
  assert.deepEqual(s.body.data, [
    { __name__: 'relay_peers_connected', service: 'relay', instance: 'a' },
  ]);
  const l = await get('/api/v1/labels');
  assert.deepEqual(l.body.data, ['__name__', 'instance', 'service']);
  const v = await get('/api/v1/label/instance/values?match[]=up');
  assert.deepEqual(v.body.data, ['a']);
  const m = await get('/api/v1/metadata');
  assert.deepEqual(m.body.data, {
    relay_peers_connected: [{ type: 'gauge', help: 'Peers.', unit: '' }],
  });
  const t = await get('/api/v1/targets');
  const active = (t.body.data as { activeTargets: Array<Record<string, unknown>> }).activeTargets;
  assert.equal(active[0]!.health, 'down');
  assert.equal(active[0]!.lastError, 'connection refused');
  assert.equal(active[0]!.scrapeInterval, '15s');
  const b = await get('/api/v1/status/buildinfo');
  assert.equal((b.body.data as { version: string }).version, 'test');
  const h = await fetch(base + '/-/healthy');
  assert.equal(h.status, 200);
});

const bad: Array<[string, number, string, RegExp]> = [
  ['/api/v1/query', 400, 'bad_data', /query must not be empty/],
  ['/api/v1/query?query=sum(', 400, 'bad_data', /./],
  [
    '/api/v1/query?query=up&time=yesterday',
    400,
    'bad_data',
    /invalid parameter "time": cannot parse "yesterday"/,
  ],
  [
    '/api/v1/query_range?query=up&start=10&end=5&step=1',
    400,
    'bad_data',
    /end timestamp must not be before start time/,
  ],
  [
    '/api/v1/query_range?query=up&start=0&end=100&step=0',
    400,
    'bad_data',
    /zero or negative query resolution step/,
  ],
  [
    '/api/v1/query_range?query=up&start=0&end=100000&step=1',
    400,
    'bad_data',
    /exceeded maximum resolution of 11,000 points/,
  ],
  [
    '/api/v1/query_range?query=up&start=0&end=100&step=soon',
    400,
    'bad_data',
    /invalid parameter "step"/,
  ],
  ['/api/v1/series', 400, 'bad_data', /no match\[\] parameter provided/],
  ['/api/v1/series?match[]={}', 400, 'bad_data', /at least one non-empty matcher/],
  ['/api/v1/series?match[]=up{a=~"("}', 400, 'bad_data', /invalid regular expression/],
  ['/api/v1/label/bad-name/values', 400, 'bad_data', /invalid label name/],
  ['/api/v1/nope', 404, 'not_found', /unknown API endpoint/],
];
for (const [path, status, type, msg] of bad) {
  test(`bad request is explained: ${path}`, async () => {
    const r = await get(path.replace(/\{/g, '%7B').replace(/\}/g, '%7D').replace(/"/g, '%22'));
    assert.equal(r.status, status);
    assert.equal(r.body.status, 'error');
    assert.equal(r.body.errorType, type);
    assert.match(String(r.body.error), msg);
  });
}

test('a many-to-many match is an execution error (422)', async () => {
  const r = await get(
    `/api/v1/query?query=${encodeURIComponent('relay_peers_connected + on(service) relay_peers_connected')}&time=${(T0 + 30_000) / 1000}`,
  );
  assert.equal(r.status, 422);
  assert.equal(r.body.errorType, 'execution');
});

test('params parse Prometheus forms', () => {
  assert.equal(parseTime('time', '2023-11-14T22:13:20Z', 0), 1_700_000_000_000);
  assert.equal(parseTime('time', '1700000000.5', 0), 1_700_000_000_500);
  assert.equal(parseDurationParam('step', '1m30s'), 90_000);
  assert.equal(parseDurationParam('step', '0.5'), 500);
  assert.deepEqual(parseSelector('up{job!="x", a=~"b.*"}'), [
    { name: '__name__', type: '=', value: 'up' },
    { name: 'job', type: '!=', value: 'x' },
    { name: 'a', type: '=~', value: 'b.*' },
  ]);
  assert.throws(() => parseSelector('up{a="b"'), BadData);
});
