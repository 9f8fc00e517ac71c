import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { grafanaDashboards } from './dashboards.js';
import { renderDashboardProvisioning, renderDatasourceProvisioning } from './provisioning.js';
import { dashboardQueries, interpolateGrafana } from './queries.js';
import type { DashboardSource } from './source.js';
import { dashboardProblems } from './validate.js';

const SOURCE: DashboardSource = {
  scrapeIntervalSeconds: 15,
  cards: [
    {
      service: 'relay',
      title: 'Relay',
      up: 'up{service="relay"}',
      headlines: [{ title: 'peers', expr: 'sum(relay_peers_connected)', unit: 'number' }],
    },
  ],
  slos: [
    {
      name: 'relay-dial-latency',
      service: 'relay',
      description: 'peer dial p95 < 2 s',
      target: 0.95,
      window: '30d',
      indicator: {
        expr: 'slo:error_ratio:rate5m',
        legend: 'error ratio',
        unit: 'ratio',
        threshold: 0.05,
      },
      budget: 'slo:error_budget_remaining:ratio',
    },
  ],
  dashboards: [
    {
      id: 'relay',
      title: 'Relay',
      description: 'Relay signals.',
      sections: [
        {
          title: 'Relay',
          panels: [
            {
              id: 'a',
              title: 'bytes',
              help: 'Bytes.',
              unit: 'bytes_per_second',
              queries: [
                {
                  expr: 'sum by (instance) (rate(relay_bytes_total[$__rate_interval]))',
                  legend: '{{instance}}',
                },
              ],
              thresholds: [],
            },
            {
              id: 'b',
              title: 'dial',
              help: 'Dial.',
              unit: 'seconds',
              queries: [
                { expr: 'histogram_quantile(0.5, x)', legend: 'p50' },
                { expr: 'histogram_quantile(0.99, x)', legend: 'p99' },
              ],
              thresholds: [{ value: 2, label: 'SLO' }],
            },
          ],
        },
      ],
    },
  ],
};

test('dashboards: overview, one per model dashboard, SLOs; uid = the alert links’ path; the ${datasource} variable', () => {
  const ds = grafanaDashboards(SOURCE);
  assert.deepEqual(
    ds.map((d) => [d.uid, d.file]),
    [
      ['overview', 'overview.json'],
      ['relay', 'relay.json'],
      ['slos', 'slos.json'],
    ],
  );
  for (const d of ds) {
    assert.deepEqual(dashboardProblems(d.json), [], d.uid);
    const vars = d.json.templating?.list ?? [];
    assert.deepEqual(
      vars.map((v) => [v.type, v.name, v.query]),
      [['datasource', 'datasource', 'prometheus']],
    );
    for (const p of d.json.panels ?? [])
      if ((p as { type: string }).type !== 'row')
        assert.deepEqual((p as { datasource?: unknown }).datasource, {
          type: 'prometheus',
          uid: '${datasource}',
        });
  }
  const relay = ds[1]!.json;
  const panels = (relay.panels ?? []) as unknown as Array<{
    type: string;
    title: string;
    targets?: Array<{ expr: string; legendFormat: string; refId: string }>;
    fieldConfig?: {
      defaults: { unit?: string; thresholds?: { steps: Array<{ value: number | null }> } };
    };
  }>;
  assert.deepEqual(
    panels.map((p) => [p.type, p.title]),
    [
      ['row', 'Relay'],
      ['timeseries', 'bytes'],
      ['timeseries', 'dial'],
    ],
  );
  assert.equal(panels[1]!.fieldConfig?.defaults.unit, 'Bps');
  assert.deepEqual(
    panels[2]!.targets?.map((t) => [t.refId, t.legendFormat]),
    [
      ['A', 'p50'],
      ['B', 'p99'],
    ],
  );
  assert.deepEqual(
    panels[2]!.fieldConfig?.defaults.thresholds?.steps.map((s) => s.value),
    [null, 2],
  );
  assert.deepEqual(
    dashboardQueries(ds).map((q) => `${q.dashboard}: ${q.expr}`),
    [
      'overview: sum(up{service="relay"})',
      'overview: sum(relay_peers_connected)',
      'relay: sum by (instance) (rate(relay_bytes_total[$__rate_interval]))',
      'relay: histogram_quantile(0.5, x)',
      'relay: histogram_quantile(0.99, x)',
      'slos: slo:error_ratio:rate5m',
      'slos: slo:error_budget_remaining:ratio',
    ],
  );
});

test('validator: each missing field is named', () => {
  const good = grafanaDashboards(SOURCE)[1]!.json as unknown as Record<string, unknown>;
  const panels = good['panels'] as Record<string, unknown>[];
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no uid', { ...good, uid: undefined }, /uid must be/],
    ['bad uid', { ...good, uid: 'a b' }, /uid must be/],
    ['no title', { ...good, title: '' }, /title missing/],
    ['no schemaVersion', { ...good, schemaVersion: undefined }, /schemaVersion missing/],
    ['panels not a list', { ...good, panels: {} }, /panels must be a list/],
    ['id twice', { ...good, panels: [panels[1], panels[1]] }, /used twice/],
    [
      'outside the grid',
      { ...good, panels: [{ ...panels[1], gridPos: { x: 20, y: 0, w: 12, h: 8 } }] },
      /gridPos/,
    ],
    ['no targets', { ...good, panels: [{ ...panels[1], targets: [] }] }, /no targets/],
    [
      'no datasource',
      { ...good, panels: [{ ...panels[1], datasource: undefined }] },
      /datasource missing/,
    ],
    [
      'empty expr',
      { ...good, panels: [{ ...panels[1], targets: [{ refId: 'A', expr: '' }] }] },
      /no expr/,
    ],
    [
      'refId twice',
      {
        ...good,
        panels: [
          {
            ...panels[1],
            targets: [
              { refId: 'A', expr: 'up' },
              { refId: 'A', expr: 'up' },
            ],
          },
        ],
      },
      /refId "A" missing or repeated/,
    ],
  ];
  for (const [what, json, want] of cases) {
    const p = dashboardProblems(json);
    assert.ok(
      p.some((x) => want.test(x)),
      `${what}: ${JSON.stringify(p)}`,
    );
  }
});

test('Grafana variables: $__interval, $__rate_interval and $__range as Grafana computes them', () => {
  const c = { stepSeconds: 15, scrapeSeconds: 15, rangeSeconds: 3600 };
  assert.equal(interpolateGrafana('rate(x[$__rate_interval])', c), 'rate(x[60s])');
  assert.equal(
    interpolateGrafana('rate(x[$__rate_interval])', { ...c, stepSeconds: 120 }),
    'rate(x[135s])',
  );
  assert.equal(
    interpolateGrafana('avg_over_time(x[$__interval])', { ...c, stepSeconds: 5 }),
    'avg_over_time(x[15s])',
  );
  assert.equal(
    interpolateGrafana('increase(x[$__range]) / $__range_s', c),
    'increase(x[3600s]) / 3600',
  );
  assert.throws(
    () => interpolateGrafana('x{instance=~"$instance"}', c),
    /no value for the Grafana variable \$instance/,
  );
});

test('provisioning: VictoriaMetrics and Loki for stack B; Grafana Cloud with a token file for stack A; the dashboards folder', () => {
  const b = parse(
    renderDatasourceProvisioning({ stack: 'self-hosted', scrapeIntervalSeconds: 5 }),
  ) as {
    datasources: Array<Record<string, unknown>>;
  };
  assert.deepEqual(
    b.datasources.map((d) => [d['type'], d['url'], d['uid']]),
    [
      ['prometheus', 'http://127.0.0.1:8428', 'canopy-metrics'],
      ['loki', 'http://127.0.0.1:3100', 'canopy-logs'],
    ],
  );
  assert.equal((b.datasources[0]!['jsonData'] as { timeInterval: string }).timeInterval, '5s');
  const text = renderDatasourceProvisioning({
    stack: 'managed',
    scrapeIntervalSeconds: 15,
    tokenFile: '/run/t',
  });
  const a = parse(text) as { datasources: Array<Record<string, unknown>> };
  assert.equal(a.datasources.length, 1);
  assert.deepEqual(a.datasources[0]!['secureJsonData'], { basicAuthPassword: '$__file{/run/t}' });
  const p = parse(renderDashboardProvisioning('/srv/dash')) as {
    providers: Array<{ type: string; options: { path: string } }>;
  };
  assert.deepEqual(
    p.providers.map((x) => [x.type, x.options.path]),
    [['file', '/srv/dash']],
  );
});
