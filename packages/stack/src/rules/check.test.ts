import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SLOS, type Slo } from '@canopy/catalog';
import { checkRules, formatRulesCheck } from './check.js';

const ws = DEFAULT_SLOS.find((s) => s.name === 'relay-ws-connect-errors')!;
const withTarget = (target: number, extra: Partial<Slo> = {}) =>
  ({ ...ws, target, ...extra }) as Slo;

test('the seed passes: every tier reachable, every full outage pages within 2 minutes', () => {
  const c = checkRules(DEFAULT_SLOS);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.warnings, []);
  assert.ok(c.ok);
  for (const t of c.tiers) assert.ok(t.reachable, `${t.slo} ${t.tier}`);
});

test('time to fire a full outage: ρ × long window, and the bound with pipeline delays', () => {
  // target → tier → [ρ × long window, + recording interval + 2 scrapes + alert interval].
  const table: [number, Record<string, [number, number]>][] = [
    [
      0.99,
      {
        fast: [36, 96],
        '1h': [518.4, 593.4],
        '6h': [1296, 1371],
        '1d': [2592, 2697],
        '3d': [2592, 2697],
      },
    ],
    [
      0.999,
      {
        fast: [36, 96],
        '1h': [51.84, 126.84],
        '6h': [129.6, 204.6],
        '1d': [259.2, 364.2],
        '3d': [259.2, 364.2],
      },
    ],
    [
      0.95,
      {
        fast: [36, 96],
        '1h': [2592, 2667],
        '6h': [6480, 6555],
        '1d': [12960, 13065],
        '3d': [12960, 13065],
      },
    ],
  ];
  for (const [target, tiers] of table) {
    const c = checkRules([withTarget(target)]);
    for (const t of c.tiers) {
      const [after, within] = tiers[t.tier]!;
      assert.ok(
        Math.abs(t.fireAfter - after) < 1e-6,
        `${target} ${t.tier}: ${t.fireAfter} ≠ ${after}`,
      );
      assert.ok(
        Math.abs(t.fireWithin - within) < 1e-6,
        `${target} ${t.tier}: ${t.fireWithin} ≠ ${within}`,
      );
      assert.equal(t.maxBurn, Number((1 / (1 - target)).toPrecision(12)));
    }
    assert.ok(c.ok, String(target));
  }
});

test('a tier whose burn rate exceeds 1/(1 − target) can never fire: an error naming it', () => {
  // At 90% the highest possible burn rate is 10×: the 14.4× tier can never fire.
  const c = checkRules([withTarget(0.9)]);
  assert.equal(c.ok, false);
  assert.equal(c.tiers.find((t) => t.tier === '1h')!.reachable, false);
  assert.deepEqual(c.errors, [
    "slos[0] (relay-ws-connect-errors): tier 1h can never fire: it needs a burn rate above 14.4×, but at target 0.9 the highest possible is 10× (every event failing). Give the SLO its own tiers: (the defaults with this one's burnRate below 10, or without it), or raise the target.",
  ]);
  assert.match(formatRulesCheck(c), /1h\s+page\s+1h\/5m\s+14\.4× \(144% errors\)\s+NEVER/);
});

test('without a fast tier a 99% SLO cannot page a full outage within 2 minutes: an error', () => {
  const tiers = [
    { name: '1h', severity: 'page', long: '1h', short: '5m', burnRate: 14.4 },
  ] as const;
  const c = checkRules([withTarget(0.99, { tiers } as Partial<Slo>)]);
  assert.equal(c.ok, false);
  assert.match(c.errors[0]!, /a full outage would page after 9 min 53 s at best, not within 2 min/);
});

test('a slower scrape interval is accounted for; target down warns past 30 s', () => {
  const c = checkRules(DEFAULT_SLOS, { scrapeInterval: 30 });
  assert.equal(c.targetDown.fireWithin, 35);
  assert.ok(
    c.warnings.some((w) =>
      w.startsWith('target down: a dead process fires its alert up to 35 s later'),
    ),
  );
  // fast tier: 36 s + 2 × 30 s + 15 s + 15 s
  assert.equal(c.tiers.find((t) => t.tier === 'fast')!.fireWithin, 126);
  assert.equal(c.ok, false);
});

test('the report prints each tier with its time to fire', () => {
  const out = formatRulesCheck(checkRules(DEFAULT_SLOS));
  assert.match(
    out,
    /relay-ws-connect-errors \(slos\[1\]\): target 99%, highest possible burn rate 100×/,
  );
  assert.match(out, /fast\s+page\s+3m\/1m\s+20× \(20% errors\)\s+36 s \(≤ 1 min 36 s\)/);
  assert.match(
    out,
    /1h\s+page\s+1h\/5m\s+14\.4× \(14\.4% errors\)\s+8 min 38 s \(≤ 9 min 53 s\)\s+2%/,
  );
  assert.match(
    out,
    /Target down \(relay, replay, storage, host\): fires ≤ 20 s after a process dies/,
  );
  assert.match(out, /^OK: /m);
});
