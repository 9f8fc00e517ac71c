import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SLOS } from '@canopy/catalog';
import { parseSlos, SloSpecError, SLO_KEYS, TIER_KEYS } from './validate.js';
import { sloJsonSchema } from './schema.js';
import { loadSloSpec } from './load.js';

/** The seed as plain YAML-like data, with one SLO changed. */
function seedWith(i: number, change: Record<string, unknown>, drop: string[] = []): unknown[] {
  const slos = DEFAULT_SLOS.map((s) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>);
  const s = { ...slos[i]!, ...change };
  for (const k of drop) delete s[k];
  slos[i] = s;
  return slos;
}

function problems(raw: unknown): string[] {
  try {
    parseSlos(raw);
  } catch (e) {
    assert.ok(e instanceof SloSpecError, String(e));
    return [...e.problems];
  }
  return [];
}

test('the seed is a valid spec', () => {
  assert.deepEqual(problems(DEFAULT_SLOS), []);
});

test('a latency threshold that is not a bucket bound names the path, the histogram and its bounds', () => {
  // slos[5] is storage-write-latency; moved to index 2 to match the example in the docs.
  const slos = seedWith(5, { threshold: 0.15 });
  const [storage] = slos.splice(5, 1);
  slos.splice(2, 0, storage);
  assert.deepEqual(problems(slos), [
    "slos[2].threshold: 0.15 is not a bucket bound of storage_write_duration_seconds (bounds: 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5): the share of requests under it can only be guessed between bounds; pick a bound or add one to the catalog's buckets",
  ]);
});

const cases: [string, unknown, RegExp][] = [
  ['not a list', { relay: {} }, /^slos: expected a list of SLOs, got a mapping$/],
  ['not a mapping', ['x'], /^slos\[0\]: expected an SLO/],
  [
    'unknown kind',
    seedWith(0, { kind: 'histogram' }),
    /^slos\[0\]\.kind: expected one of ratio, latency, gauge, got "histogram"/,
  ],
  [
    'target above 1',
    seedWith(1, { target: 99 }),
    /^slos\[1\]\.target: 99 is outside \(0, 1\).*did you mean 0\.99\?$/,
  ],
  ['target of 1', seedWith(1, { target: 1 }), /^slos\[1\]\.target: 1 is outside \(0, 1\)/],
  ['target of 0', seedWith(1, { target: 0 }), /^slos\[1\]\.target: 0 is outside \(0, 1\)/],
  [
    'target as text',
    seedWith(1, { target: '99%' }),
    /^slos\[1\]\.target: expected the objective as a fraction .* got "99%"$/,
  ],
  [
    'missing name',
    seedWith(1, {}, ['name']),
    /^slos\[1\]\.name: missing; expected a kebab-case name/,
  ],
  [
    'name not kebab-case',
    seedWith(1, { name: 'WS errors' }),
    /^slos\[1\]\.name: "WS errors" is not kebab-case/,
  ],
  [
    'duplicate name',
    seedWith(1, { name: 'relay-dial-latency' }),
    /^slos\[1\]\.name: "relay-dial-latency" is already the name of slos\[0\]/,
  ],
  [
    'misspelt key',
    seedWith(0, { treshold: 2 }, ['threshold']),
    /unknown key "treshold" for a latency SLO; did you mean "threshold"\?/,
  ],
  [
    'unknown latency metric',
    seedWith(0, { metric: 'relay_dial_seconds' }),
    /^slos\[0\]\.metric: unknown metric "relay_dial_seconds": it is not in the catalog/,
  ],
  [
    'latency on a gauge',
    seedWith(0, { metric: 'relay_peers_connected' }),
    /^slos\[0\]\.metric: relay_peers_connected is a gauge, not a histogram/,
  ],
  [
    'latency on a _bucket name',
    seedWith(0, { metric: 'relay_dial_duration_seconds_bucket' }),
    /give the histogram's name relay_dial_duration_seconds, without _bucket/,
  ],
  [
    'misspelt ratio metric',
    seedWith(1, { total: 'relay_ws_upgrade_total' }),
    /^slos\[1\]\.total: unknown metric "relay_ws_upgrade_total".*did you mean relay_ws_upgrades_total\?$/,
  ],
  [
    'ratio over a gauge',
    seedWith(1, { total: 'relay_peers_connected' }),
    /^slos\[1\]\.total: relay_peers_connected is a gauge, not a counter/,
  ],
  [
    'label value outside its enum',
    seedWith(1, { good: 'relay_ws_upgrades_total{result="sucess"}' }),
    /^slos\[1\]\.good: result="sucess" never matches: relay_ws_upgrades_total's result is one of success, bad_hello/,
  ],
  [
    'expression without $window',
    seedWith(1, { good: 'sum(rate(relay_ws_upgrades_total[5m]))' }),
    /neither a selector nor an expression with \$window/,
  ],
  [
    'unknown metric in a gauge expression',
    seedWith(3, { expr: 'replay_head_age_seconds > 0' }),
    /^slos\[3\]\.expr: unknown metric "replay_head_age_seconds"/,
  ],
  [
    'bad comparator',
    seedWith(3, { comparator: '=<' }),
    /^slos\[3\]\.comparator: expected one of <, <=, >, >=/,
  ],
  [
    'sustained without a unit',
    seedWith(3, { sustained: 120 }),
    /^slos\[3\]\.sustained: expected a duration such as "5m", got 120 \(durations need a unit/,
  ],
  [
    'bad severity',
    seedWith(3, { severity: 'urgent' }),
    /^slos\[3\]\.severity: expected page or ticket, got "urgent"$/,
  ],
  [
    'window shorter than a tier',
    seedWith(1, { window: '1d' }),
    /^slos\[1\]\.window: 1d is shorter than the long window 3d of tier 3d/,
  ],
  [
    'tier with both thresholds',
    seedWith(1, {
      tiers: [
        { name: 'x', severity: 'page', long: '1h', short: '5m', burnRate: 2, errorRatio: 0.1 },
      ],
    }),
    /tiers\[0\]: give exactly one of burnRate/,
  ],
  [
    'tier short window not shorter',
    seedWith(1, { tiers: [{ name: 'x', severity: 'page', long: '5m', short: '5m', burnRate: 2 }] }),
    /tiers\[0\]\.short: 5m is not shorter than the long window 5m/,
  ],
];

for (const [name, raw, re] of cases)
  test(`rejects: ${name}`, () => {
    const p = problems(raw);
    assert.ok(
      p.some((l) => re.test(l)),
      `expected ${re}, got:\n${p.join('\n')}`,
    );
  });

test('every problem is reported at once', () => {
  const raw = seedWith(0, { threshold: 3, target: 2, service: '' });
  assert.equal(problems(raw).length, 3);
});

test('the JSON Schema allows exactly the keys the validator knows', () => {
  const schema = sloJsonSchema() as { definitions: Record<string, { properties: object }> };
  for (const kind of ['ratio', 'latency', 'gauge'] as const)
    assert.deepEqual(
      Object.keys(schema.definitions[kind]!.properties).sort(),
      [...SLO_KEYS[kind]].sort(),
      kind,
    );
  assert.deepEqual(
    Object.keys(schema.definitions['tier']!.properties).sort(),
    [...TIER_KEYS].sort(),
  );
});

test('loadSloSpec: a file without slos: gives the seed; slos: and scrape.interval are read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-slo-'));
  try {
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'budget: { series: 5000 }\n');
    assert.equal(loadSloSpec(none).slos, DEFAULT_SLOS);
    assert.equal(loadSloSpec(none).scrapeInterval, 15);
    const one = join(dir, 'one.yaml');
    writeFileSync(
      one,
      'scrape: { interval: 10s }\nslos:\n  - { name: w, service: storage, description: p99, kind: latency, metric: storage_write_duration_seconds, threshold: 0.25, target: 0.99 }\n',
    );
    const src = loadSloSpec(one);
    assert.equal(src.slos.length, 1);
    assert.equal(src.scrapeInterval, 10);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'slos:\n  - { name: w, kind: latency }\n');
    assert.throws(
      () => loadSloSpec(bad),
      (e: SloSpecError) => e.problems.some((l) => l.startsWith(`${bad}: slos[0].service: missing`)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
