import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDashboards } from '../../model/index.js';
import { exemplarPoints, exemplarSelector } from './exemplars.js';
import type { ExemplarSeries } from './types.js';

test('latency panels ask exemplars for the buckets their quantiles read', () => {
  const model = buildDashboards();
  const panels = model.dashboards.flatMap((d) => d.sections.flatMap((s) => s.panels));
  const relay = panels.find(
    (p) => p.kind === 'histogram' && p.metric === 'relay_dial_duration_seconds',
  );
  assert.ok(relay !== undefined);
  assert.equal(exemplarSelector(relay), 'relay_dial_duration_seconds_bucket{service="relay"}');
  // Every histogram panel gets one, read from its own query; no other panel does.
  for (const p of panels) {
    const s = exemplarSelector(p);
    if (p.kind !== 'histogram') assert.equal(s, undefined, p.id);
    else {
      assert.ok(s?.startsWith(`${p.metric}_bucket`), `${p.id}: ${s}`);
      assert.ok(s !== undefined && p.queries[0]!.expr.includes(s), `${p.id}: ${s}`);
    }
  }
  // A longer name ending in the metric's name is not the metric.
  assert.equal(
    exemplarSelector({
      kind: 'histogram',
      metric: 'dial_seconds',
      queries: [
        {
          expr: 'histogram_quantile(0.5, rate(relay_dial_seconds_bucket[1m])) + rate(dial_seconds_bucket{a="b"}[1m])',
          legend: '',
        },
      ],
    }),
    'dial_seconds_bucket{a="b"}',
  );
});

const T1 = 'a'.repeat(32);
const T2 = 'b'.repeat(32);
const ex = (
  trace_id: string,
  value: string,
  timestamp: number,
  extra: Record<string, string> = {},
) => ({
  labels: { trace_id, ...extra },
  value,
  timestamp,
});

test('exemplar points: linkable ones in the range, one per trace (its slowest), in time order', () => {
  const data: ExemplarSeries[] = [
    {
      seriesLabels: { le: '0.5' },
      exemplars: [ex(T1, '0.2', 120.5, { span_id: '00f067aa0ba902b7' }), ex(T2, '0.4', 100)],
    },
    {
      seriesLabels: { le: '1' },
      exemplars: [
        ex(T1.toUpperCase(), '0.9', 130),
        ex('not-a-trace', '5', 110),
        ex(T2, 'NaN', 111),
        ex(T2, '0.1', 50), // before the range
        { labels: { traceID: 'c'.repeat(32) }, value: '0.3', timestamp: 140 },
        { labels: { other: 'x' }, value: '0.3', timestamp: 140 },
      ],
    },
  ];
  assert.deepEqual(
    exemplarPoints(data, 60, 200).map((p) => [p.traceId, p.v, p.t, p.spanId, p.series.le]),
    [
      [T2, 0.4, 100, undefined, '0.5'],
      [T1, 0.9, 130, undefined, '1'],
      ['c'.repeat(32), 0.3, 140, undefined, '1'],
    ],
  );
  assert.deepEqual(exemplarPoints([], 0, 1), []);
});

test('too many exemplars: the slowest are kept', () => {
  const many: ExemplarSeries[] = [
    {
      seriesLabels: {},
      exemplars: Array.from({ length: 50 }, (_, i) =>
        ex(i.toString(16).padStart(32, '1'), String(i), 1000 - i),
      ),
    },
  ];
  const kept = exemplarPoints(many, 0, 2000, 5);
  assert.deepEqual(
    kept.map((p) => p.v),
    [49, 48, 47, 46, 45],
  );
  assert.ok(kept.every((p, i) => i === 0 || kept[i - 1]!.t <= p.t));
});
