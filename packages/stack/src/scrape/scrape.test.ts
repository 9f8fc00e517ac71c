import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMetrics, host } from '@canopy/catalog';
import { parse } from 'yaml';
import { catalogKeepRegex, catalogSeriesNames } from './keep.js';
import { renderPrometheusConfig, renderVmagentConfig, scrapeJobs } from './prometheus.js';
import { sampleLimitFor, UP_LAYOUT, type StackTarget } from './targets.js';

const kept = (name: string) => new RegExp(`^(?:${catalogKeepRegex()})$`).test(name);

test('sample_limit: declared maximum plus 25 %, rounded up to tens', () => {
  for (const [max, limit] of [
    [100, 130],
    [162, 210],
    [8, 10],
    [0, 0],
  ] as const)
    assert.equal(sampleLimitFor(max), limit, `maximum ${max}`);
  assert.equal(sampleLimitFor(100, 1), 200);
});

test('keep rule: every catalog series passes, anything else is dropped', () => {
  for (const m of allMetrics()) {
    const names =
      m.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name];
    for (const n of names) assert.ok(kept(n), `${n} is kept`);
  }
  for (const m of host) assert.ok(kept(m.name), `${m.name} is kept`);
  for (const n of ['up', 'scrape_samples_scraped', 'canopy_telemetry_label_overflow_total'])
    assert.ok(kept(n), `${n} is kept`);
  for (const n of [
    'node_network_receive_bytes_total',
    'go_goroutines',
    'relay_peers_connected_by_peer',
    'xrelay_peers_connected',
    'relay_dial_duration_seconds',
  ])
    assert.ok(!kept(n), `${n} is dropped`);
  assert.equal(new Set(catalogSeriesNames()).size, catalogSeriesNames().length);
});

const t = (url: string, service: string, sampleLimit = 100, instance?: string): StackTarget => ({
  url,
  service,
  sampleLimit,
  ...(instance !== undefined ? { instance } : {}),
});

test('scrape jobs: one per service, split by path, scheme or limit; instance kept when given', () => {
  const jobs = scrapeJobs({
    intervalSeconds: 15,
    targets: [
      t('http://127.0.0.1:7100/metrics', 'relay'),
      t('http://127.0.0.1:7101/metrics', 'relay'),
      t('https://10.0.0.5:9000/prom', 'relay'),
      t('http://127.0.0.1:7102/metrics', 'replay', 200, 'replay-eu-1'),
    ],
  });
  assert.deepEqual(
    jobs.map((j) => [j.job_name, j.scheme ?? 'http', j.metrics_path, j.sample_limit]),
    [
      ['relay', 'http', '/metrics', 100],
      ['relay-2', 'https', '/prom', 100],
      ['replay', 'http', '/metrics', 200],
    ],
  );
  assert.deepEqual(jobs[0]!.static_configs, [
    { targets: ['127.0.0.1:7100', '127.0.0.1:7101'], labels: { service: 'relay' } },
  ]);
  assert.deepEqual(jobs[2]!.static_configs[0]!.labels, {
    service: 'replay',
    instance: 'replay-eu-1',
  });
});

test('scrape configs: PII rules run before the keep rule; Prometheus has rules and Alertmanager, vmagent only jobs', () => {
  const pii = [{ regex: 'peer_id|remote_addr', action: 'labeldrop' as const }];
  const targets = UP_LAYOUT.map((x) => ({ ...x, sampleLimit: 300 }));
  const prom = parse(
    renderPrometheusConfig({
      targets,
      intervalSeconds: 5,
      piiRelabel: pii,
      ruleFiles: ['rules.yml'],
      alertmanagers: ['127.0.0.1:9093'],
    }),
  ) as Record<string, unknown>;
  assert.deepEqual(Object.keys(prom), ['global', 'rule_files', 'alerting', 'scrape_configs']);
  assert.deepEqual(prom['global'], {
    scrape_interval: '5s',
    scrape_timeout: '5s',
    evaluation_interval: '5s',
  });
  const jobs = prom['scrape_configs'] as { metric_relabel_configs: { action: string }[] }[];
  assert.equal(jobs.length, 4);
  for (const j of jobs)
    assert.deepEqual(
      j.metric_relabel_configs.map((r) => r.action),
      ['labeldrop', 'keep'],
    );
  const vm = parse(renderVmagentConfig({ targets, intervalSeconds: 30 })) as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(vm), ['global', 'scrape_configs']);
  assert.deepEqual(vm['global'], { scrape_interval: '30s', scrape_timeout: '10s' });
});
