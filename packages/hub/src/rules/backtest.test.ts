/**
 * The backtest engine on a small history and hand-written rules: every time it reports is
 * checked against a model of the rule semantics (aligned group schedules, recording rules
 * read at their latest evaluation, `for`, resolution), not against the engine itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { loadRuleFile, type GroupSpec } from './load.js';
import { RuleGroup } from './manager.js';
import { backtest, BacktestError, type BacktestAlert } from './backtest.js';

const T0 = Date.UTC(2025, 0, 1, 12);
const S = 15_000;
const MIN = 60_000;
/** errors{instance="a"} is 10 for samples in [BAD_FROM, BAD_TO), else 0. */
const BAD_FROM = T0 + 5 * MIN;
const BAD_TO = T0 + 12 * MIN;

const RULES = `
groups:
  - name: record
    interval: 15s
    rules:
      - record: job:errors:max
        expr: max without (instance) (errors)
  - name: alerts
    interval: 15s
    rules:
      - alert: ManyErrors
        expr: job:errors:max > 5
        for: 1m
        labels:
          severity: page
      - alert: ErrorsForLong
        expr: errors > 5
        for: 10m
        labels:
          severity: ticket
`;

function history(): MemQuerier {
  const q = new MemQuerier();
  for (let t = T0 - 10 * MIN; t <= T0 + 40 * MIN; t += S) {
    q.add(
      { __name__: 'errors', instance: 'a', job: 'relay' },
      t,
      t >= BAD_FROM && t < BAD_TO ? 10 : 0,
    );
    q.add({ __name__: 'up', instance: 'a', job: 'relay' }, t, 1);
    // What a live hub wrote: must not leak into the replay.
    q.add({ __name__: 'job:errors:max', job: 'relay' }, t, 100);
    q.add(
      { __name__: 'ALERTS', alertname: 'ManyErrors', alertstate: 'firing', job: 'relay' },
      t,
      1,
    );
  }
  return q;
}

const groups = (): GroupSpec[] => loadRuleFile(RULES, 'bt.yml');

/** Evaluation times of a group in [from, to], as the hub schedules them. */
function schedule(
  spec: GroupSpec,
  from: number,
  to: number,
  intervalMs = spec.intervalMs,
): number[] {
  const g = new RuleGroup({ ...spec, intervalMs });
  let t = g.aligned(from);
  if (t < from) t += intervalMs;
  const out: number[] = [];
  for (; t <= to; t += intervalMs) out.push(t);
  return out;
}

/** The latest sample time ≤ t of the 15 s history. */
const sampleAt = (t: number): number => T0 - 10 * MIN + Math.floor((t - (T0 - 10 * MIN)) / S) * S;
const bad = (sampleT: number): boolean => sampleT >= BAD_FROM && sampleT < BAD_TO;

interface Expected {
  pendingAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
}

/**
 * Prometheus's alert semantics over a condition evaluated at each group evaluation: pending
 * when it first holds, firing once it has held for `forMs`, resolved (or, if still pending,
 * dropped) at the first evaluation where it does not.
 */
function model(times: number[], cond: (t: number) => boolean, forMs: number): Expected[] {
  const out: Expected[] = [];
  let cur: Expected | undefined;
  for (const t of times) {
    if (cond(t)) {
      cur ??= out[out.push({ pendingAt: t, firedAt: undefined, resolvedAt: undefined }) - 1]!;
      if (cur.firedAt === undefined && t - cur.pendingAt >= forMs) cur.firedAt = t;
    } else if (cur !== undefined) {
      cur.resolvedAt = t;
      cur = undefined;
    }
  }
  return out;
}

function run(from: number, to: number, stepMs?: number) {
  return backtest({
    history: history(),
    groups: groups(),
    from,
    to,
    ...(stepMs !== undefined ? { stepMs } : {}),
  });
}

const times = (a: readonly BacktestAlert[], name: string): Expected[] =>
  a
    .filter((x) => x.alertname === name)
    .map((x) => ({ pendingAt: x.pendingAt, firedAt: x.firedAt, resolvedAt: x.resolvedAt }));

/** ManyErrors' condition at an alert evaluation: the recording rule's latest value. */
function manyErrorsCond(recTimes: number[]): (t: number) => boolean {
  return (t) => {
    let r: number | undefined;
    // Same-time evaluations run in file order: the recording group first.
    for (const x of recTimes) if (x <= t) r = x;
    return r !== undefined && bad(sampleAt(r));
  };
}

const cases: Array<{ name: string; from: number; to: number; stepMs?: number }> = [
  { name: 'whole incident', from: T0, to: T0 + 30 * MIN },
  { name: 'still firing at the end', from: T0, to: T0 + 10 * MIN },
  { name: 'already active at the start', from: T0 + 7 * MIN, to: T0 + 30 * MIN },
  { name: 'coarser step', from: T0, to: T0 + 30 * MIN, stepMs: MIN },
];

for (const c of cases) {
  test(`backtest: ${c.name}: pending, fired and resolved times follow the rule semantics`, () => {
    const [rec, alerts] = groups();
    const recTimes = schedule(rec!, c.from, c.to, Math.max(rec!.intervalMs, c.stepMs ?? 0));
    const alertTimes = schedule(alerts!, c.from, c.to, Math.max(alerts!.intervalMs, c.stepMs ?? 0));
    const r = run(c.from, c.to, c.stepMs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.groups.map((g) => [g.name, g.evaluations]),
      [
        ['record', recTimes.length],
        ['alerts', alertTimes.length],
      ],
    );
    const many = model(alertTimes, manyErrorsCond(recTimes), MIN);
    assert.ok(many.length === 1 && many[0]!.firedAt !== undefined, 'the case is meaningful');
    assert.deepEqual(times(r.alerts, 'ManyErrors'), many);
    // Condition held 7 min: pending, never fired (for: 10m), dropped when it cleared.
    const long = model(alertTimes, (t) => bad(sampleAt(t)), 10 * MIN);
    assert.equal(long[0]!.firedAt, undefined);
    assert.deepEqual(times(r.alerts, 'ErrorsForLong'), long);
    const first = r.alerts.find((a) => a.alertname === 'ManyErrors')!;
    assert.deepEqual(first.labels, { alertname: 'ManyErrors', job: 'relay', severity: 'page' });
    assert.equal(first.activeAtStart, first.pendingAt === alertTimes[0]);
    assert.equal(first.group, 'alerts');
  });
}

test('backtest: an alert on raw series active at the start is marked so', () => {
  const r = run(T0 + 7 * MIN, T0 + 30 * MIN);
  const long = r.alerts.filter((a) => a.alertname === 'ErrorsForLong');
  assert.equal(long.length, 1);
  assert.equal(long[0]!.activeAtStart, true);
});

test('backtest: alerts are sorted by pending time', () => {
  const r = run(T0, T0 + 30 * MIN);
  const p = r.alerts.map((a) => a.pendingAt);
  assert.deepEqual(
    p,
    [...p].sort((a, b) => a - b),
  );
});

test('backtest: a failing rule is reported with its first error and count', () => {
  const g = loadRuleFile(
    `groups:
  - name: g
    interval: 1m
    rules:
      - record: clash
        expr: label_replace(errors, "x", "1", "", "") or label_replace(up, "x", "2", "", "")
        labels:
          x: "0"
`,
    'bad.yml',
  );
  const r = backtest({ history: history(), groups: g, from: T0, to: T0 + 10 * MIN });
  const evals = r.groups[0]!.evaluations;
  assert.ok(evals >= 10);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.rule, 'clash');
  assert.equal(r.errors[0]!.count, evals);
  assert.match(r.errors[0]!.error, /same labelset/);
});

test('backtest: the rules write only to memory, and their outputs are counted', () => {
  const h = history();
  const before = h.select([{ name: '__name__', type: '=~', value: '.+' }], 0, Infinity);
  const r = backtest({ history: h, groups: groups(), from: T0, to: T0 + 30 * MIN });
  assert.ok(r.samplesWritten > 0);
  const after = h.select([{ name: '__name__', type: '=~', value: '.+' }], 0, Infinity);
  assert.equal(after.length, before.length);
});

const bad2: Array<[string, () => unknown, RegExp]> = [
  ['inverted range', () => run(T0 + MIN, T0), /start \(2025-01-01T12:01:00.000Z\) must be before/],
  ['empty range', () => run(T0, T0), /must be before/],
  [
    'no samples in range',
    () => run(T0 + 86_400_000, T0 + 2 * 86_400_000),
    /no stored samples between 2025-01-02T12:00:00.000Z and 2025-01-03T12:00:00.000Z/,
  ],
  ['zero step', () => run(T0, T0 + MIN, 0), /step must be more than 0/],
  [
    'no rules',
    () => backtest({ history: history(), groups: [], from: T0, to: T0 + MIN }),
    /no rules to replay/,
  ],
];
for (const [name, f, re] of bad2)
  test(`backtest refuses: ${name}`, () => {
    assert.throws(f, (e: unknown) => e instanceof BacktestError && re.test(e.message));
  });

test('backtest: only stored produced series in the range count as no history', () => {
  const q = new MemQuerier();
  const l: Labels = { __name__: 'job:errors:max', job: 'relay' };
  q.add(l, T0, 1);
  assert.throws(
    () => backtest({ history: q, groups: groups(), from: T0 - MIN, to: T0 + MIN }),
    /no stored samples/,
  );
});
