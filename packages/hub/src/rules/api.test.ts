import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { apiHandler } from '../api/router.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { loadRuleFile } from './load.js';
import { RuleManager } from './manager.js';
import { rulesSource, formatAlertValue } from './api.js';

const T0 = 1_700_000_040_000;
const q = new MemQuerier();
q.add({ __name__: 'up', service: 'relay', instance: 'a' }, T0, 0);
const m = new RuleManager(
  loadRuleFile(
    `groups:
  - name: targets
    interval: 5s
    rules:
      - alert: RelayDown
        expr: up{service="relay"} == 0
        for: 1m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} is down"
      - record: up:sum
        expr: sum(up)
`,
    'canopy.rules.yml',
  ),
  { querier: q, appender: () => ({ append: () => true, commit: () => {} }) },
);
m.evalGroup(m.groups[0]!, T0);

let server: Server;
let base = '';
before(async () => {
  const h = apiHandler({
    querier: q,
    metadata: () => ({}),
    targets: () => [],
    version: 'test',
    rules: rulesSource(m),
  });
  const bare = apiHandler({ querier: q, metadata: () => ({}), targets: () => [], version: 'test' });
  server = createServer((req, res) => {
    const handler = req.url?.startsWith('/bare') ? bare : h;
    if (req.url?.startsWith('/bare')) req.url = req.url.slice(5);
    if (!handler(req, res)) {
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

const alert = {
  labels: { alertname: 'RelayDown', instance: 'a', service: 'relay', severity: 'page' },
  annotations: { summary: 'a is down' },
  state: 'pending',
  activeAt: new Date(T0).toISOString(),
  value: '0e+00',
};

test('/api/v1/rules has the Prometheus shape', async () => {
  const r = await get('/api/v1/rules');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'success');
  const data = r.body.data as { groups: Array<Record<string, unknown>> };
  assert.equal(data.groups.length, 1);
  const g = data.groups[0]!;
  assert.equal(g.name, 'targets');
  assert.equal(g.file, 'canopy.rules.yml');
  assert.equal(g.interval, 5);
  assert.equal(g.limit, 0);
  assert.equal(g.lastEvaluation, new Date(T0).toISOString());
  assert.equal(typeof g.evaluationTime, 'number');
  const [ar, rr] = g.rules as Array<Record<string, unknown>>;
  assert.deepEqual(
    { ...ar, evaluationTime: 0 },
    {
      name: 'RelayDown',
      query: 'up{service="relay"} == 0',
      labels: { severity: 'page' },
      health: 'ok',
      evaluationTime: 0,
      lastEvaluation: new Date(T0).toISOString(),
      type: 'alerting',
      state: 'pending',
      duration: 60,
      annotations: { summary: '{{ $labels.instance }} is down' },
      alerts: [alert],
    },
  );
  assert.deepEqual(
    { ...rr, evaluationTime: 0 },
    {
      name: 'up:sum',
      query: 'sum(up)',
      labels: {},
      health: 'ok',
      evaluationTime: 0,
      lastEvaluation: new Date(T0).toISOString(),
      type: 'recording',
    },
  );
  const onlyRecord = await get('/api/v1/rules?type=record');
  const rules = (onlyRecord.body.data as { groups: Array<{ rules: Array<{ type: string }> }> })
    .groups[0]!.rules;
  assert.deepEqual(
    rules.map((x) => x.type),
    ['recording'],
  );
  const bad = await get('/api/v1/rules?type=nope');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errorType, 'bad_data');
});

test('/api/v1/alerts has the Prometheus shape', async () => {
  const r = await get('/api/v1/alerts');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'success', data: { alerts: [alert] } });
});

test('without a rules source both endpoints answer empty', async () => {
  assert.deepEqual((await get('/bare/api/v1/rules')).body, {
    status: 'success',
    data: { groups: [] },
  });
  assert.deepEqual((await get('/bare/api/v1/alerts')).body, {
    status: 'success',
    data: { alerts: [] },
  });
});

test('alert values use Go strconv e formatting', () => {
  assert.equal(formatAlertValue(0), '0e+00');
  assert.equal(formatAlertValue(1234.5), '1.2345e+03');
  assert.equal(formatAlertValue(0.001), '1e-03');
  assert.equal(formatAlertValue(NaN), 'NaN');
});
