/**
 * `canopy rules backtest` over the rules generated from the built-in SLO spec and a
 * synthetic hub history written to a real TSDB: three days of a healthy relay, then a relay
 * target down for five minutes and a full WebSocket-connect outage of ten minutes. Each
 * alert's pending, fired and resolved times are checked against a model of the rule
 * semantics: the hub's aligned group schedules, rate() as the ratio of counter increases
 * (both counters share their sample times, so extrapolation cancels), recording rules read
 * at their latest evaluation, and alert conditions evaluated per group evaluation.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleGroup, TSDB, type Labels } from '@canopy/hub';
import { backtestCommand } from './backtest-command.js';

const S = 15_000;
const MIN = 60_000;
const T0 = Date.UTC(2025, 2, 1);
/** History starts early enough for every window up to 3 days to be full at T0. */
const H0 = T0 - 3 * 86_400_000 - 60 * MIN;
const H1 = T0 + 3 * 60 * MIN;
/** up{service="relay"} is 0 for samples in [DOWN_FROM, DOWN_TO). */
const DOWN_FROM = T0 + 30 * MIN;
const DOWN_TO = T0 + 35 * MIN;
/** Every WebSocket upgrade fails in [OUT_FROM, OUT_TO): half-way through a scrape interval. */
const OUT_FROM = T0 + 60 * MIN + 7_500;
const OUT_TO = T0 + 70 * MIN + 7_500;
/** Upgrades per second, all the time. */
const RATE = 10;
const FROM = T0;
const TO = T0 + 2 * 60 * MIN;

const relay = { instance: '127.0.0.1:7100', job: 'relay', service: 'relay' };
const WS = 'relay_ws_upgrades_total';
const BURN = 'RelayWsConnectErrorsBudgetBurn';

let root = '';
let out: {
  alerts: Array<{
    alertname: string;
    labels: Labels;
    pendingAt: string;
    firedAt: string | null;
    resolvedAt: string | null;
  }>;
  groups: Array<{ name: string; file: string; intervalSeconds: number; evaluations: number }>;
  ruleErrors: unknown[];
  summary: { fired: number; pages: number };
};

/** Seconds of outage in (a, b]. */
const outage = (a: number, b: number): number =>
  Math.max(0, Math.min(b, OUT_TO) - Math.max(a, OUT_FROM)) / 1000;

/** Counter values at sample time t (both start high, so rate() never clamps at zero). */
function counters(t: number): { good: number; bad: number } {
  const bad = outage(H0, t) * RATE;
  return { good: 1e6 + ((t - H0) / 1000) * RATE - bad, bad: 1e6 + bad };
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'canopy-backtest-'));
  const data = join(root, 'data');
  const db = TSDB.open({ dir: join(data, 'tsdb') });
  const app = db.appender();
  for (let t = H0; t <= H1; t += S) {
    app.append({ __name__: 'up', ...relay }, t, t >= DOWN_FROM && t < DOWN_TO ? 0 : 1);
    for (const service of ['replay', 'storage', 'host'])
      app.append({ __name__: 'up', instance: `${service}:1`, job: service, service }, t, 1);
    const c = counters(t);
    app.append({ __name__: WS, ...relay, result: 'success' }, t, c.good);
    app.append({ __name__: WS, ...relay, result: 'bad_hello' }, t, c.bad);
    // What a live hub evaluating the rules wrote: the replay must compute these afresh.
    const slo = { service: 'relay', slo: 'relay-ws-connect-errors' };
    app.append({ __name__: 'slo:error_ratio:rate5m', ...slo }, t, 1);
    app.append({ __name__: 'slo:error_ratio:rate1m', ...slo }, t, 1);
    app.append(
      { __name__: 'ALERTS', alertname: 'RelayDown', alertstate: 'firing', ...relay, slo: 'x' },
      t,
      1,
    );
  }
  app.commit();
  db.close();
  const config = join(root, 'canopy.yaml');
  writeFileSync(config, `hub:\n  data: ${JSON.stringify(data)}\n`);
  let text = '';
  let err = '';
  const code = backtestCommand(
    [
      '--config',
      config,
      '--from',
      new Date(FROM).toISOString(),
      '--to',
      String(TO / 1000),
      '--json',
    ],
    { out: (s) => void (text += s), err: (s) => void (err += s) },
  );
  assert.equal(code, 0, err);
  out = JSON.parse(text) as typeof out;
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Evaluation times of a group of the replay in [FROM, TO], from its name, file and interval. */
function schedule(name: string): number[] {
  const g = out.groups.find((x) => x.name === name);
  assert.ok(g !== undefined, `group ${name}`);
  const intervalMs = g.intervalSeconds * 1000;
  const rg = new RuleGroup({ name, file: g.file, intervalMs, limit: 0, rules: [] });
  let t = rg.aligned(FROM);
  if (t < FROM) t += intervalMs;
  const times: number[] = [];
  for (; t <= TO; t += intervalMs) times.push(t);
  assert.equal(times.length, g.evaluations, `${name} ran on the hub's schedule`);
  return times;
}

/** The latest sample time ≤ t. */
const sampleAt = (t: number): number => H0 + Math.floor((t - H0) / S) * S;

/** Error ratio over [t - w, t] from the first and last samples in it, as the rules compute it. */
function errorRatio(t: number, windowS: number): number {
  const first = H0 + Math.ceil((t - windowS * 1000 - H0) / S) * S;
  const last = sampleAt(t);
  const a = counters(first);
  const b = counters(last);
  const good = b.good - a.good;
  const bad = b.bad - a.bad;
  return 1 - good / (good + bad);
}

/** The value a recording group wrote last at or before t (same-time: recording runs first). */
function recorded(times: number[], t: number, windowS: number): number | undefined {
  let r: number | undefined;
  for (const x of times) if (x <= t) r = x;
  return r === undefined ? undefined : errorRatio(r, windowS);
}

const WINDOW_GROUP: Record<number, string> = {
  60: 'slo-error-ratio-1m',
  180: 'slo-error-ratio-3m',
  300: 'slo-error-ratio-5m',
  1800: 'slo-error-ratio-30m',
  3600: 'slo-error-ratio-1h',
  7200: 'slo-error-ratio-2h',
  21600: 'slo-error-ratio-6h',
  86400: 'slo-error-ratio-1d',
  259200: 'slo-error-ratio-3d',
};

/** A burn tier's condition: both windows' burn rates over the threshold (target 0.99). */
function burning(longS: number, shortS: number, burn: number): (t: number) => boolean {
  const long = schedule(WINDOW_GROUP[longS]!);
  const short = schedule(WINDOW_GROUP[shortS]!);
  return (t) => {
    const l = recorded(long, t, longS);
    const s = recorded(short, t, shortS);
    return l !== undefined && s !== undefined && l / 0.01 > burn && s / 0.01 > burn;
  };
}

interface Times {
  pendingAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
}

/** Alert semantics with `for: 0s`: pending and firing when it holds, resolved when not. */
function episodes(times: number[], cond: (t: number) => boolean): Times[] {
  const res: Times[] = [];
  let cur: Times | undefined;
  for (const t of times) {
    if (cond(t)) cur ??= res[res.push({ pendingAt: t, firedAt: t, resolvedAt: undefined }) - 1];
    else if (cur !== undefined) {
      cur.resolvedAt = t;
      cur = undefined;
    }
  }
  return res;
}

const ms = (s: string | null): number | undefined => (s === null ? undefined : Date.parse(s));

function reported(alertname: string): Times[] {
  return out.alerts
    .filter((a) => a.alertname === alertname)
    .map((a) => ({
      pendingAt: ms(a.pendingAt)!,
      firedAt: ms(a.firedAt),
      resolvedAt: ms(a.resolvedAt),
    }));
}

const cases: Array<{
  alert: string;
  expect: () => Times[];
  /** What the design promises, checked on top of the exact times. */
  bounds?: (e: Times) => void;
}> = [
  {
    alert: 'RelayDown',
    expect: () =>
      episodes(
        schedule('target-down-alerts'),
        (t) => sampleAt(t) >= DOWN_FROM && sampleAt(t) < DOWN_TO,
      ),
    bounds: (e) => {
      // The first evaluation after up == 0 is stored: within one 5 s group interval.
      assert.ok(e.firedAt! >= DOWN_FROM && e.firedAt! < DOWN_FROM + 5_000);
      assert.ok(e.resolvedAt! >= DOWN_TO && e.resolvedAt! < DOWN_TO + 5_000);
    },
  },
  {
    alert: `${BURN}Fast`,
    expect: () => episodes(schedule('slo-burn-rate-alerts'), burning(180, 60, 20)),
    bounds: (e) => {
      assert.ok(e.firedAt! - OUT_FROM <= 2 * MIN, 'pages within 2 minutes of a full outage');
      assert.ok(e.resolvedAt! > OUT_TO && e.resolvedAt! - OUT_TO <= 2 * MIN);
    },
  },
  {
    alert: `${BURN}1h`,
    expect: () => episodes(schedule('slo-burn-rate-alerts'), burning(3600, 300, 14.4)),
    bounds: (e) => {
      // 14.4 × 1% of an hour is about 8.6 min of full outage; it ends with the 5 m window.
      assert.ok(e.firedAt! - OUT_FROM >= 8.5 * MIN && e.firedAt! < OUT_TO);
      assert.ok(e.resolvedAt! > OUT_TO + 4 * MIN && e.resolvedAt! < OUT_TO + 6 * MIN);
    },
  },
  { alert: `${BURN}6h`, expect: () => [] },
  { alert: `${BURN}1d`, expect: () => [] },
  { alert: `${BURN}3d`, expect: () => [] },
];

for (const c of cases)
  test(`backtest of the default rules: ${c.alert}`, () => {
    const want = c.expect();
    assert.deepEqual(reported(c.alert), want);
    if (c.bounds !== undefined) {
      assert.equal(want.length, 1, 'one episode');
      c.bounds(want[0]!);
    }
  });

test('backtest of the default rules: nothing else alerts, nothing fails', () => {
  const names = new Set(out.alerts.map((a) => a.alertname));
  assert.deepEqual([...names].sort(), ['RelayDown', `${BURN}1h`, `${BURN}Fast`]);
  assert.deepEqual(out.ruleErrors, []);
  assert.deepEqual(out.summary.fired, 3);
  assert.deepEqual(out.summary.pages, 3);
  const down = out.alerts.find((a) => a.alertname === 'RelayDown')!;
  assert.deepEqual(down.labels, {
    alertname: 'RelayDown',
    ...relay,
    severity: 'page',
    slo: 'target-up',
  });
});
