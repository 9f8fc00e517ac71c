import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SLOS, allMetrics, host, type Slo } from '@canopy/catalog';
import { buildDashboards } from './build.js';
import { indicatorWindow, sloView, thresholdTarget } from './slos.js';
import { durationSeconds, formatDuration } from './duration.js';

const GOLDEN = fileURLToPath(new URL('../../generated/dashboards.json', import.meta.url));
const model = buildDashboards();
const panels = model.dashboards.flatMap((d) => d.sections.flatMap((s) => s.panels));

test('the checked-in page set is the generated one (npm run gen:dashboards)', () => {
  assert.deepEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')), JSON.parse(JSON.stringify(model)));
});

test('one dashboard per service, actors and host; one card each but actors', () => {
  assert.deepEqual(
    model.dashboards.map((d) => d.id),
    ['relay', 'replay', 'storage', 'actors', 'host'],
  );
  assert.deepEqual(
    model.cards.map((c) => c.service),
    ['relay', 'replay', 'storage', 'host'],
  );
});

test('every catalog and host metric is drawn somewhere', () => {
  const drawn = new Set(panels.map((p) => p.metric));
  for (const m of [...allMetrics(), ...host]) assert.ok(drawn.has(m.name), m.name);
});

test('panel ids are unique (they are URL fragments)', () => {
  assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
});

test('by type: counters as rates, gauges as is, histograms as p50/p95/p99 and a rate', () => {
  const by = (id: string) => panels.find((p) => p.id === id)!;
  assert.equal(
    by('relay-relay_bytes_total').queries[0]!.expr,
    'sum by (instance, direction) (rate(relay_bytes_total{service="relay"}[$__rate_interval]))',
  );
  assert.equal(by('relay-relay_bytes_total').unit, 'bytes_per_second');
  assert.equal(
    by('replay-replay_sync_queue_depth').queries[0]!.expr,
    'max by (instance) (replay_sync_queue_depth{service="replay"})',
  );
  const q = by('storage-storage_write_duration_seconds');
  assert.deepEqual(
    q.queries.map((x) => x.legend),
    ['p50', 'p95', 'p99'],
  );
  assert.match(
    q.queries[2]!.expr,
    /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(storage_write_duration_seconds_bucket\{service="storage"\}\[\$__rate_interval\]\)\)\)$/,
  );
  assert.ok(panels.some((p) => p.id === 'storage-storage_write_duration_seconds-rate'));
  // Per-CPU series are summed, the mode kept.
  assert.match(by('host-node_cpu_seconds_total').queries[0]!.expr, /^sum by \(instance, mode\) /);
});

test('SLO thresholds are drawn on the metric they read, on the right service only', () => {
  const lines = (id: string) =>
    panels.find((p) => p.id === id)!.thresholds.map((t) => [t.slo, t.value]);
  assert.deepEqual(lines('storage-storage_write_duration_seconds'), [
    ['storage-write-latency', 0.1],
  ]);
  assert.deepEqual(lines('relay-relay_dial_duration_seconds'), [['relay-dial-latency', 2]]);
  assert.deepEqual(lines('replay-replay_head_event_age_seconds'), [['replay-sync-lag', 10]]);
  assert.deepEqual(lines('relay-process_cpu_seconds_total'), [['relay-cpu', 0.7]]);
  assert.deepEqual(lines('replay-process_cpu_seconds_total'), []);
  assert.deepEqual(lines('actors-actor_mailbox_depth'), [['replay-mailbox-depth', 1000]]);
});

test('each SLO: a panel on its dashboard, a row on its card, recorded series for ratio SLOs', () => {
  for (const s of DEFAULT_SLOS) {
    const d = model.dashboards.find((x) => x.id === s.service)!;
    assert.ok(
      d.sections[0]!.panels.some((p) => p.id === `slo-${s.name}`),
      s.name,
    );
    assert.ok(model.cards.find((c) => c.service === s.service)!.slos.includes(s.name));
  }
  const ws = model.slos.find((s) => s.name === 'relay-ws-connect-errors')!;
  assert.equal(ws.indicator.expr, 'slo:error_ratio:rate5m{slo="relay-ws-connect-errors"}');
  assert.equal(ws.indicator.threshold, 0.01);
  assert.equal(ws.budget, 'slo:error_budget_remaining:ratio{slo="relay-ws-connect-errors"}');
  const lag = model.slos.find((s) => s.name === 'replay-sync-lag')!;
  assert.deepEqual(
    [lag.indicator.expr, lag.indicator.comparator, lag.indicator.threshold, lag.indicator.unit],
    ['replay_head_event_age_seconds{service="replay"}', '<', 10, 'seconds'],
  );
});

test('an SLO of an unknown service gets its own dashboard and card', () => {
  const slo: Slo = {
    name: 'api-latency',
    service: 'api',
    description: 'p99 < 1 s',
    kind: 'latency',
    metric: 'api_duration_seconds',
    threshold: 1,
    target: 0.99,
    tiers: [{ name: 'slow', severity: 'ticket', long: '6h', short: '30m', burnRate: 6 }],
  };
  const m = buildDashboards({ slos: [slo] });
  assert.deepEqual(m.dashboards.at(-1)!.id, 'api');
  assert.deepEqual(m.cards.at(-1)!.slos, ['api-latency']);
  // No 5m window among its tiers: the shortest recorded one is drawn.
  assert.equal(indicatorWindow(slo), '30m');
  assert.equal(sloView(slo).indicator.expr, 'slo:error_ratio:rate30m{slo="api-latency"}');
});

test('thresholds only for expressions that read one metric as drawn', () => {
  const gauge = (expr: string): Slo => ({
    name: 'x',
    service: 'relay',
    description: '',
    kind: 'gauge',
    expr,
    comparator: '<',
    threshold: 1,
    sustained: '5m',
    severity: 'page',
    target: 0.99,
  });
  assert.equal(thresholdTarget(gauge('a{b="c"}'))?.metric, 'a');
  assert.equal(thresholdTarget(gauge('rate(a_total[5m])'))?.kind, 'counter');
  assert.equal(thresholdTarget(gauge('a / b')), undefined);
});

test('budget rows: catalog maxima per instance times the declared instances', () => {
  const m = buildDashboards({
    deployment: { relay: 3, replay: 1, storage: 1, hosts: 2, cores: 4, filesystems: 2 },
    budgetSeries: 20_000,
  });
  const row = (service: string, metric: string) =>
    m.budget.metrics.find((x) => x.service === service && x.metric === metric)!;
  assert.deepEqual(
    [row('relay', 'relay_bytes_total').maxPerInstance, row('relay', 'relay_bytes_total').instances],
    [6, 3],
  );
  assert.equal(row('host', 'node_cpu_seconds_total').maxPerInstance, 4 * 8);
  assert.equal(row('host', 'node_cpu_seconds_total').instances, 2);
  assert.equal(m.budget.series, 20_000);
});

test('durations as the rule generator names windows', () => {
  assert.equal(durationSeconds('1h30m'), 5400);
  assert.equal(durationSeconds('5x'), undefined);
  assert.equal(formatDuration(300), '5m');
  assert.equal(formatDuration(86400 * 30), '30d');
});
