import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteWriteSchema, resolveRemoteWrite } from './config.js';
import { inCatalog, relabel, SeriesFilter } from './relabel.js';
import type { Labels } from '../model.js';

/** The rules of one endpoint config, as canopy.yaml would give them. */
function rules(r: unknown[]) {
  return resolveRemoteWrite(
    RemoteWriteSchema.parse([{ url: 'http://127.0.0.1:1/api/v1/write', write_relabel_configs: r }]),
  )[0]!.write_relabel_configs;
}

const UP: Labels = { __name__: 'up', service: 'relay', instance: '127.0.0.1:7100', job: 'relay' };

const cases: { name: string; rules: unknown[]; in: Labels; out: Labels | undefined }[] = [
  { name: 'no rules', rules: [], in: UP, out: UP },
  {
    name: 'keep matching name',
    rules: [{ action: 'keep', source_labels: ['__name__'], regex: 'up|relay_.*' }],
    in: UP,
    out: UP,
  },
  {
    name: 'keep is anchored',
    rules: [{ action: 'keep', source_labels: ['__name__'], regex: 'u' }],
    in: UP,
    out: undefined,
  },
  {
    name: 'drop on joined labels',
    rules: [{ action: 'drop', source_labels: ['service', 'job'], regex: 'relay;relay' }],
    in: UP,
    out: undefined,
  },
  {
    name: 'replace with a group',
    rules: [
      {
        source_labels: ['instance'],
        regex: '([^:]+):\\d+',
        target_label: 'host',
        replacement: '${1}',
      },
    ],
    in: UP,
    out: { ...UP, host: '127.0.0.1' },
  },
  {
    name: 'replace to empty removes the label',
    rules: [{ source_labels: ['x'], regex: '', target_label: 'job', replacement: '' }],
    in: UP,
    out: { __name__: 'up', service: 'relay', instance: '127.0.0.1:7100' },
  },
  {
    name: 'labeldrop',
    rules: [{ action: 'labeldrop', regex: 'inst.*|job' }],
    in: UP,
    out: { __name__: 'up', service: 'relay' },
  },
  {
    name: 'labelkeep keeps the name only if listed',
    rules: [{ action: 'labelkeep', regex: '__name__|service' }],
    in: UP,
    out: { __name__: 'up', service: 'relay' },
  },
  {
    name: 'dropping __name__ drops the series',
    rules: [{ action: 'labeldrop', regex: '__name__' }],
    in: UP,
    out: undefined,
  },
];

for (const c of cases)
  test(`relabel: ${c.name}`, () => {
    assert.deepEqual(relabel(c.in, rules(c.rules)), c.out);
  });

test('the catalog filter keeps catalog, host, scrape, rule and Canopy series only', () => {
  for (const n of [
    'relay_peers_connected',
    'relay_dial_duration_seconds_bucket',
    'storage_write_duration_seconds_count',
    'node_load1',
    'up',
    'scrape_duration_seconds',
    'slo:error_ratio:rate5m',
    'ALERTS',
    'canopy_hub_series',
    'canopy_telemetry_label_overflow_total',
  ])
    assert.equal(inCatalog(n), true, n);
  for (const n of ['go_goroutines', 'node_network_receive_bytes_total', 'relay_peers_connected_x'])
    assert.equal(inCatalog(n), false, n);
});

test('the series limit admits the first N series and drops later new ones', () => {
  const f = new SeriesFilter({ rules: [], catalogOnly: true, seriesLimit: 2 });
  const a = { __name__: 'up', instance: 'a' };
  const b = { __name__: 'up', instance: 'b' };
  const c = { __name__: 'up', instance: 'c' };
  assert.ok('labels' in f.outcome(a));
  assert.ok('labels' in f.outcome(b));
  assert.deepEqual(f.outcome(c), { drop: 'series_limit' });
  // A known series still goes through, also as a new object with the same labels.
  assert.ok('labels' in f.outcome({ ...a }));
  assert.deepEqual(f.outcome({ __name__: 'go_goroutines' }), { drop: 'not_in_catalog' });
});
