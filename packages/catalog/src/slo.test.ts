import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allMetrics,
  host,
  DEFAULT_SLOS,
  DEFAULT_BURN_RATE_TIERS,
  SLO_BOUNDS,
  type Slo,
} from './index.js';

const seconds = (d: string) => {
  const m = /^(\d+)([smhd])$/.exec(d);
  assert.ok(m !== null, d);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
};

test('the seed has its ten SLOs, uniquely named', () => {
  assert.equal(DEFAULT_SLOS.length, 10);
  const names = DEFAULT_SLOS.map((s) => s.name);
  assert.equal(new Set(names).size, 10);
  for (const s of DEFAULT_SLOS) {
    assert.match(s.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    assert.ok(s.target > 0 && s.target < 1, s.name);
  }
});

test('latency SLO thresholds are bucket bounds of their histograms (and in SLO_BOUNDS)', () => {
  const latency = DEFAULT_SLOS.filter(
    (s): s is Extract<Slo, { kind: 'latency' }> => s.kind === 'latency',
  );
  assert.deepEqual(
    latency.map((s) => s.metric),
    ['relay_dial_duration_seconds', 'storage_write_duration_seconds'],
  );
  for (const s of latency) {
    const m = allMetrics().find((x) => x.name === s.metric);
    assert.ok(m?.type === 'histogram', s.metric);
    assert.ok(m.buckets.includes(s.threshold), `${s.threshold} in ${s.metric}`);
    assert.equal(SLO_BOUNDS[s.metric as keyof typeof SLO_BOUNDS], s.threshold);
  }
});

test('every metric name the seed refers to is in the catalog or the host list', () => {
  const known = new Set<string>([...host.map((h) => h.name)]);
  for (const m of allMetrics()) {
    known.add(m.name);
    if (m.type === 'histogram')
      for (const x of ['_bucket', '_count', '_sum']) known.add(m.name + x);
  }
  for (const s of DEFAULT_SLOS) {
    const text =
      s.kind === 'gauge' ? s.expr : s.kind === 'ratio' ? `${s.good} ${s.total}` : s.metric;
    // Metric names are the words with an underscore once quoted label values are dropped.
    const names = text.replace(/"[^"]*"/g, '').match(/\b[a-zA-Z]+_[A-Za-z0-9_]+\b/g) ?? [];
    assert.ok(names.length > 0, s.name);
    for (const name of names) assert.ok(known.has(name), `${s.name}: ${name}`);
  }
});

test('gauge SLO examples put the value on each side of the threshold', () => {
  for (const s of DEFAULT_SLOS) {
    if (s.kind !== 'gauge') continue;
    assert.ok(s.example !== undefined, `${s.name} has an example`);
    const good = (v: number) =>
      s.comparator === '<'
        ? v < s.threshold
        : s.comparator === '<='
          ? v <= s.threshold
          : s.comparator === '>'
            ? v > s.threshold
            : v >= s.threshold;
    assert.ok(good(s.example.value.good), `${s.name}: good value is good`);
    assert.ok(!good(s.example.value.bad), `${s.name}: bad value is bad`);
  }
});

test("the workbook tiers' short windows are 1/12 of their long ones; fast is an error ratio", () => {
  for (const t of DEFAULT_BURN_RATE_TIERS) {
    if (t.name === 'fast') {
      assert.equal(t.errorRatio, 0.2);
      // 20% over 3m fires 36 s into a full outage: inside the 2-minute promise with room
      // for two scrapes and two evaluations at 15 s.
      assert.ok(t.errorRatio * seconds(t.long) + 4 * 15 <= 120);
      continue;
    }
    assert.equal(seconds(t.long) / seconds(t.short), 12, t.name);
  }
  assert.deepEqual(
    DEFAULT_BURN_RATE_TIERS.map((t) => [t.name, t.severity, t.burnRate ?? t.errorRatio]),
    [
      ['fast', 'page', 0.2],
      ['1h', 'page', 14.4],
      ['6h', 'page', 6],
      ['1d', 'ticket', 3],
      ['3d', 'ticket', 1],
    ],
  );
});
