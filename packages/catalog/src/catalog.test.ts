import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry, maxSeries, runtimeSpecs, traceSpecs, type MetricSpec } from '@canopy/telemetry';
import {
  allMetrics,
  groups,
  processMetrics,
  tracingMetrics,
  serviceMetrics,
  SERVICES,
  SLO_BOUNDS,
  type GroupName,
} from './index.js';

test('every catalog metric passes the definition rules', () => {
  const reg = new Registry();
  for (const spec of allMetrics()) assert.doesNotThrow(() => reg.register(spec), spec.name);
});

test('declared maxSeries equals what the labels allow', () => {
  for (const spec of allMetrics()) {
    if (spec.maxSeries === undefined) continue;
    assert.equal(spec.maxSeries, maxSeries(spec), spec.name);
  }
});

test('metric names are unique across the catalog', () => {
  const names = allMetrics().map((m) => m.name);
  assert.equal(new Set(names).size, names.length);
});

test('SLO thresholds are bucket bounds of their histograms', () => {
  for (const [name, bound] of Object.entries(SLO_BOUNDS)) {
    const spec = allMetrics().find((m) => m.name === name);
    assert.ok(spec !== undefined && spec.type === 'histogram', name);
    assert.ok(spec.buckets.includes(bound), `${name} buckets lack ${bound}`);
  }
});

test('process group equals the runtime metrics the telemetry library registers', () => {
  assert.deepEqual(processMetrics, runtimeSpecs);
});

test('tracing group equals the span counters the telemetry library registers', () => {
  assert.deepEqual(tracingMetrics, traceSpecs);
});

test('each service registers its groups into one registry without clashes', () => {
  for (const s of SERVICES) {
    const reg = new Registry();
    for (const spec of serviceMetrics(s)) reg.register(spec);
    assert.ok(reg.maxSeries() > 0);
  }
});

const FORBIDDEN_LABELS =
  /^(peer|peer_id|peerid|ip|addr|address|host|hash|cid|id|key|pubkey|email|user|namespace_id|url|path|error|message)$/;

test('no label can carry an identity, an address, a hash or free text', () => {
  for (const spec of allMetrics()) {
    for (const label of Object.keys(spec.labels ?? {})) {
      assert.doesNotMatch(label, FORBIDDEN_LABELS, `${spec.name}{${label}}`);
      assert.notEqual(
        spec.labels?.[label]?.kind,
        'topk',
        `${spec.name}{${label}} should be an enum`,
      );
    }
  }
});

/** Registers every catalog metric and touches every label combination with a value. */
function fullRegistry(): Registry {
  const reg = new Registry();
  for (const g of Object.keys(groups) as GroupName[]) {
    for (const spec of groups[g] as readonly MetricSpec[]) {
      const m = reg.register(spec);
      const labels = Object.entries(spec.labels ?? {});
      const combos: Record<string, unknown>[] = [{}];
      for (const [k, l] of labels) {
        const values: unknown[] = l.kind === 'enum' ? [...l.values, 'not-declared'] : [1];
        const next: Record<string, unknown>[] = [];
        for (const c of combos) for (const v of values) next.push({ ...c, [k]: v });
        combos.splice(0, combos.length, ...next);
      }
      for (const c of combos) {
        const h = (m.labels as (v: unknown) => unknown)(c) as {
          inc?: (n: number, e?: object) => void;
          set?: (n: number) => void;
          observe?: (n: number, e?: object) => void;
        };
        const ex = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' };
        if (spec.type === 'histogram') for (const v of [0.0001, 0.1, 2, 100]) h.observe!(v, ex);
        else if (spec.type === 'counter') h.inc!(3, ex);
        else h.set!(42.5);
      }
    }
  }
  return reg;
}

test('the exposition of every catalog metric passes promtool check metrics', (t) => {
  const which = spawnSync('promtool', ['--version']);
  if (which.error !== undefined) {
    if (process.env.CI !== undefined)
      assert.fail('promtool is not installed (Debian package prometheus)');
    t.skip('promtool not installed');
    return;
  }
  const reg = fullRegistry();
  const text = reg.render('text');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.stdout + r.stderr, '', 'promtool findings');
  assert.equal(r.status, 0);
  // Every series the labels allow is there and nothing beyond the declared maximum.
  for (const m of reg.metrics) assert.ok(m.activeSeries <= m.slots, m.name);
  const om = reg.render('openmetrics');
  assert.ok(om.endsWith('# EOF\n'));
  assert.match(
    om,
    /relay_dial_duration_seconds_bucket\{le="2"\} \d+ # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736"\}/,
  );
});
