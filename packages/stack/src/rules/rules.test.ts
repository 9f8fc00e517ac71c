/**
 * The generated rule file and its tests: golden copies checked in and equal to what the
 * generator makes, valid for promtool and vmalert, and their promtool tests passing (and
 * failing when the rules are broken).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEFAULT_SLOS, type Slo } from '@canopy/catalog';
import { parseSlos } from '../slo/validate.js';
import { buildRules, renderRules, RULE_FILE, RULE_TEST_FILE, GROUPS } from './generate.js';
import { buildRuleTests, renderRuleTests } from './promtool-tests.js';

const GOLDEN = fileURLToPath(new URL('../../generated/rules/', import.meta.url));
const PROMTOOL = '/usr/bin/promtool';
const VMALERT = '/usr/bin/vmalert';
const ci = process.env['CI'] !== undefined && process.env['CI'] !== '';

function skipReason(path: string): string | false {
  if (existsSync(path) || ci) return false;
  return `${path} is not installed (Debian packages prometheus, victoria-metrics; in CI this fails)`;
}

function run(cmd: string, args: string[], cwd?: string) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 180_000,
    ...(cwd !== undefined ? { cwd } : {}),
  });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the checked-in rule file and tests are what the generator makes (npm run gen:rules)', () => {
  for (const [file, text] of [
    [RULE_FILE, renderRules(DEFAULT_SLOS)],
    [RULE_TEST_FILE, renderRuleTests(DEFAULT_SLOS)],
  ] as const)
    assert.equal(
      readFileSync(join(GOLDEN, file), 'utf8'),
      text,
      `packages/stack/generated/rules/${file} is stale: run npm run gen:rules`,
    );
});

test('recording and alerting rules live in separate groups, each with its interval', () => {
  const file = buildRules(DEFAULT_SLOS);
  for (const g of file.groups) {
    assert.match(g.interval, /^\d+[smh]$/, g.name);
    const kinds = new Set(g.rules.map((r) => ('alert' in r ? 'alert' : 'record')));
    assert.equal(kinds.size, 1, `${g.name} mixes recording and alerting rules`);
  }
  assert.deepEqual(
    file.groups.map((g) => g.name),
    [
      ...['1m', '3m', '5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map(
        (w) => `slo-error-ratio-${w}`,
      ),
      GROUPS.slices,
      GROUPS.budget,
      GROUPS.burnAlerts,
      GROUPS.gaugeAlerts,
      GROUPS.targetDown,
    ],
  );
});

test('every alert has service, slo and severity labels and the four annotations', () => {
  for (const g of buildRules(DEFAULT_SLOS).groups)
    for (const r of g.rules) {
      if (!('alert' in r)) continue;
      assert.ok(r.labels['service'] !== undefined && r.labels['slo'] !== undefined, r.alert);
      assert.ok(r.labels['severity'] === 'page' || r.labels['severity'] === 'ticket', r.alert);
      const keys = Object.keys(r.annotations);
      for (const k of ['summary', 'value', 'dashboard'])
        assert.ok(keys.includes(k), `${r.alert} ${k}`);
      if (g.name !== GROUPS.targetDown) assert.ok(keys.includes('budget_left'), r.alert);
      assert.match(r.annotations['dashboard']!, /\/d\/[a-z]+$/);
    }
});

test('the test file covers every SLO: outage, slow burn and blip; gauges; target down', () => {
  const t = buildRuleTests(DEFAULT_SLOS);
  assert.deepEqual(t.notes, []);
  // 3 ratio/latency SLOs × 3 cases + 7 gauge SLOs + swap's silent case + target down
  assert.equal(t.groups.length, 3 * 3 + 7 + 1 + 1);
  const cases = t.groups.map((g) => g.about);
  for (const slo of DEFAULT_SLOS)
    assert.ok(
      cases.some((c) => c.startsWith(`${slo.name} (`)),
      slo.name,
    );
});

test('a user spec with expression ratios and its own tiers gets rules, and a note for what cannot be tested', () => {
  const slos = parseSlos([
    {
      name: 'gossip-delivery',
      service: 'relay',
      description: 'gossip messages sent ≥ 99.5% of received',
      kind: 'ratio',
      good: 'sum(rate(relay_gossip_messages_total{direction="out"}[$window]))',
      total: 'sum(rate(relay_gossip_messages_total{direction="in"}[$window]))',
      target: 0.995,
      window: '7d',
      tiers: [
        { name: 'fast', severity: 'page', long: '5m', short: '1m', errorRatio: 0.2 },
        { name: '1h', severity: 'page', long: '1h', short: '5m', burnRate: 14.4 },
        { name: '1d', severity: 'ticket', long: '1d', short: '2h', burnRate: 3 },
      ],
    },
  ]);
  const text = renderRules(slos);
  assert.match(
    text,
    /record: slo:error_ratio:rate7d\n\s+expr: 1 - sum\(sum\(rate\(relay_gossip_messages_total\{direction="out"\}\[7d\]\)\)\)/,
  );
  assert.ok(!text.includes('$window'));
  const t = buildRuleTests(slos);
  assert.deepEqual(t.notes, [
    'gossip-delivery (slos[0]): no tests: good and total are expressions, not selectors',
  ]);
  assert.equal(t.groups.length, 1); // target down only
});

describe('promtool and vmalert on the generated files', () => {
  test('promtool check rules', { skip: skipReason(PROMTOOL) }, () => {
    const r = run(PROMTOOL, ['check', 'rules', join(GOLDEN, RULE_FILE)]);
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS: \d+ rules found/);
  });

  test('vmalert -dryRun', { skip: skipReason(VMALERT) }, () => {
    const r = run(VMALERT, ['-dryRun', `-rule=${join(GOLDEN, RULE_FILE)}`]);
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, r.out);
    assert.doesNotMatch(r.out, /\t(error|fatal)\t/);
  });

  test(
    'promtool test rules: every generated case passes',
    { skip: skipReason(PROMTOOL) },
    async (t) => {
      // The same cases as `promtool test rules canopy.rules.test.yml` in the golden folder,
      // split over four processes: one promtool takes ~25 s for them all.
      const dir = tempDir(t);
      const file = parse(readFileSync(join(GOLDEN, RULE_TEST_FILE), 'utf8')) as {
        rule_files: string[];
        tests: unknown[];
      };
      const chunks = [0, 1, 2, 3].map((c) => {
        const path = join(dir, `chunk-${c}.test.yml`);
        const part = {
          ...file,
          rule_files: [join(GOLDEN, RULE_FILE)],
          tests: file.tests.filter((_, i) => i % 4 === c),
        };
        writeFileSync(path, JSON.stringify(part));
        return path;
      });
      const results = await Promise.all(
        chunks.map(
          (path) =>
            new Promise<{ code: number | null; out: string }>((resolve) => {
              execFile(
                PROMTOOL,
                ['test', 'rules', path],
                { timeout: 180_000 },
                (err, stdout, stderr) =>
                  resolve({
                    code: err === null ? 0 : ((err.code as number | null) ?? 1),
                    out: stdout + stderr,
                  }),
              );
            }),
        ),
      );
      for (const r of results) {
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /SUCCESS/);
      }
    },
  );

  test(
    'promtool test rules fails when the rules are broken',
    { skip: skipReason(PROMTOOL) },
    (t) => {
      // The outage case of the ws SLO against rules whose fast tier needs 50% errors: the
      // full outage no longer pages within 2 minutes, and the test must say so.
      const ws = DEFAULT_SLOS.filter((s) => s.name === 'relay-ws-connect-errors');
      const broken: Slo[] = ws.map((s) => ({
        ...(s as Extract<Slo, { kind: 'ratio' }>),
        tiers: [
          { name: 'fast', severity: 'page', long: '5m', short: '1m', errorRatio: 0.5 },
          { name: '1h', severity: 'page', long: '1h', short: '5m', burnRate: 14.4 },
          { name: '6h', severity: 'page', long: '6h', short: '30m', burnRate: 6 },
          { name: '1d', severity: 'ticket', long: '1d', short: '2h', burnRate: 3 },
          { name: '3d', severity: 'ticket', long: '3d', short: '6h', burnRate: 1 },
        ],
      }));
      const dir = tempDir(t);
      writeFileSync(join(dir, RULE_FILE), renderRules(broken));
      const tests = parse(renderRuleTests(ws)) as { tests: unknown[] };
      tests.tests = tests.tests.slice(0, 1); // the outage case
      writeFileSync(join(dir, RULE_TEST_FILE), JSON.stringify(tests));
      const r = run(PROMTOOL, ['test', 'rules', RULE_TEST_FILE], dir);
      assert.equal(r.error, undefined, String(r.error));
      assert.notEqual(r.status, 0, r.out);
      assert.match(r.out, /alertname: RelayWsConnectErrorsBudgetBurnFast, time: 1h2m/);
    },
  );

  test(
    'a user spec with expression ratios passes promtool check rules',
    { skip: skipReason(PROMTOOL) },
    (t) => {
      const dir = tempDir(t);
      const slos = parseSlos([
        {
          name: 'gossip-delivery',
          service: 'relay',
          description: 'gossip out ≥ 99.5% of in',
          kind: 'ratio',
          good: 'sum(rate(relay_gossip_messages_total{direction="out"}[$window]))',
          total: 'sum(rate(relay_gossip_messages_total{direction="in"}[$window]))',
          target: 0.995,
        },
      ]);
      writeFileSync(join(dir, RULE_FILE), renderRules(slos, { dashboardUrl: 'http://hub:9400' }));
      const r = run(PROMTOOL, ['check', 'rules', join(dir, RULE_FILE)]);
      assert.equal(r.status, 0, r.out);
    },
  );
});
