import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Appender, Labels } from '../model.js';
import { labelsKey } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { instantQuery } from '../promql/index.js';
import { TSDB } from '../tsdb/index.js';
import { loadRuleFile } from './load.js';
import { RuleManager } from './manager.js';
import type { SinkAlert } from './rule.js';

/** An appender over a MemQuerier that rejects out-of-order samples like the TSDB. */
function memAppender(q: MemQuerier): () => Appender {
  const last = new Map<string, number>();
  return () => {
    const pending: Array<[Labels, number, number]> = [];
    return {
      append(l, t, v) {
        const k = labelsKey(l);
        if ((last.get(k) ?? -Infinity) >= t) return false;
        last.set(k, t);
        pending.push([l, t, v]);
        return true;
      },
      commit() {
        for (const [l, t, v] of pending.splice(0)) q.add(l, t, v);
      },
    };
  };
}

const T0 = 1_700_000_040_000;
const RULES = `
groups:
  - name: errors
    interval: 15s
    rules:
      - alert: HighErrors
        expr: errors > 5
        for: 1m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} has {{ $value }} errors"
          dashboard: "{{ $externalURL }}/d/relay"
`;

function vec(q: MemQuerier, expr: string, t: number): Array<{ metric: Labels; value: string }> {
  const d = instantQuery(q, expr, t);
  assert.equal(d.resultType, 'vector');
  return d.resultType === 'vector'
    ? d.result.map((r) => ({ metric: r.metric, value: r.value[1] }))
    : [];
}

test('alert state machine: pending → firing after for → resolved', () => {
  const q = new MemQuerier();
  const sent: SinkAlert[][] = [];
  const m = new RuleManager(loadRuleFile(RULES, 'r.yml'), {
    querier: q,
    appender: memAppender(q),
    sink: { send: (a) => sent.push([...a]) },
    externalURL: 'http://hub:9090',
  });
  const g = m.groups[0]!;
  const rule = g.rules[0]!;
  assert.equal(rule.kind, 'alerting');
  if (rule.kind !== 'alerting') return;
  const step = (i: number, a: number, b: number): number => {
    const t = T0 + i * 15_000;
    q.add({ __name__: 'errors', instance: 'a' }, t, a);
    q.add({ __name__: 'errors', instance: 'b' }, t, b);
    m.evalGroup(g, t);
    return t;
  };
  // 0 s: a over the threshold → pending; b briefly too.
  let t = step(0, 10, 10);
  assert.equal(rule.state, 'pending');
  assert.equal(rule.active().length, 2);
  assert.deepEqual(
    vec(q, 'ALERTS', t).map((r) => r.metric),
    [
      {
        __name__: 'ALERTS',
        alertname: 'HighErrors',
        alertstate: 'pending',
        instance: 'a',
        severity: 'page',
      },
      {
        __name__: 'ALERTS',
        alertname: 'HighErrors',
        alertstate: 'pending',
        instance: 'b',
        severity: 'page',
      },
    ],
  );
  assert.deepEqual(
    vec(q, 'ALERTS_FOR_STATE{instance="a"}', t).map((r) => r.value),
    [String(T0 / 1000)],
  );
  // b drops before `for`: a pending alert just goes away, never sent.
  for (let i = 1; i <= 3; i++) t = step(i, 10, 0);
  assert.equal(rule.state, 'pending');
  assert.equal(rule.active().length, 1);
  assert.equal(sent.length, 0);
  // 60 s: a has held for `for` → firing, sent.
  t = step(4, 12, 0);
  assert.equal(rule.state, 'firing');
  assert.equal(sent.length, 1);
  const fired = sent[0]![0]!;
  assert.equal(fired.status, 'firing');
  assert.deepEqual(fired.labels, { alertname: 'HighErrors', instance: 'a', severity: 'page' });
  assert.equal(fired.annotations.summary, 'a has 12 errors');
  assert.equal(fired.annotations.dashboard, 'http://hub:9090/d/relay');
  assert.equal(fired.startsAt, t);
  assert.equal(fired.endsAt, t + 4 * 60_000);
  assert.equal(fired.generatorURL, 'http://hub:9090/graph?g0.expr=errors+%3E+5&g0.tab=1');
  assert.deepEqual(
    vec(q, 'ALERTS', t).map((r) => r.metric.alertstate),
    ['firing'],
  );
  const active = rule.active()[0]!;
  assert.equal(active.activeAt, T0);
  // Not re-sent until resendDelay (60 s) has passed.
  for (let i = 5; i <= 7; i++) step(i, 12, 0);
  assert.equal(sent.length, 1);
  t = step(8, 12, 0);
  assert.equal(sent.length, 2);
  assert.equal(sent[1]![0]!.status, 'firing');
  // The expression returns nothing → resolved, sent once with endsAt = resolve time.
  t = step(9, 0, 0);
  assert.equal(rule.state, 'inactive');
  assert.equal(rule.active().length, 0);
  assert.equal(sent.length, 3);
  const resolved = sent[2]![0]!;
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.endsAt, t);
  assert.equal(resolved.startsAt, T0 + 4 * 15_000);
  // ALERTS and ALERTS_FOR_STATE went stale.
  assert.deepEqual(vec(q, 'ALERTS', t), []);
  assert.deepEqual(vec(q, 'ALERTS_FOR_STATE', t), []);
  step(10, 0, 0);
  assert.equal(sent.length, 3);
  // Firing again starts a new alert (pending first).
  t = step(11, 9, 0);
  assert.equal(rule.state, 'pending');
  assert.equal(rule.active()[0]!.activeAt, t);
});

test('for: 0s fires on the first evaluation; health reports query errors', () => {
  const q = new MemQuerier();
  const sent: SinkAlert[] = [];
  const m = new RuleManager(
    loadRuleFile(
      'groups:\n  - name: g\n    interval: 5s\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 0s\n      - record: bad\n        expr: label_replace(up, "x", "$1", "instance", "(")\n',
      'r.yml',
    ),
    { querier: q, appender: memAppender(q), sink: { send: (a) => sent.push(...a) } },
  );
  q.add({ __name__: 'up', instance: 'a' }, T0, 0);
  m.evalGroup(m.groups[0]!, T0);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.status, 'firing');
  const [alert, bad] = m.groups[0]!.rules;
  assert.equal(alert!.health.health, 'ok');
  assert.equal(bad!.health.health, 'err');
  assert.notEqual(bad!.health.lastError, '');
});

test('tick evaluates each group on its own interval, aligned', () => {
  const q = new MemQuerier();
  const m = new RuleManager(
    loadRuleFile(
      'groups:\n  - name: fast\n    interval: 5s\n    rules:\n      - record: a\n        expr: vector(1)\n  - name: slow\n    interval: 30s\n    rules:\n      - record: b\n        expr: vector(2)\n',
      'r.yml',
    ),
    { querier: q, appender: memAppender(q) },
  );
  const evals = new Map<string, number[]>();
  const orig = m.evalGroup.bind(m);
  m.evalGroup = (g, ts) => {
    evals.set(g.spec.name, [...(evals.get(g.spec.name) ?? []), ts]);
    orig(g, ts);
  };
  for (let t = T0; t <= T0 + 60_000; t += 1000) m.tick(t);
  const fast = evals.get('fast')!;
  const slow = evals.get('slow')!;
  assert.ok(fast.length >= 12 && fast.length <= 13, `fast: ${fast.length}`);
  assert.ok(slow.length >= 2 && slow.length <= 3, `slow: ${slow.length}`);
  for (const xs of [fast, slow])
    for (let i = 1; i < xs.length; i++)
      assert.equal(xs[i]! - xs[i - 1]!, xs === fast ? 5000 : 30_000);
  // A clock jump skips missed evaluations rather than replaying them.
  const before = fast.length;
  m.tick(T0 + 3_600_000);
  assert.equal(evals.get('fast')!.length, before + 1);
});

test('recording rule output is queryable from the TSDB and seen by later rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-rules-'));
  const db = TSDB.open({ dir });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = db.appender();
  for (let i = 0; i < 10; i++) {
    app.append({ __name__: 'reqs_total', service: 'relay', code: '500' }, T0 + i * 15_000, i * 3);
    app.append({ __name__: 'reqs_total', service: 'relay', code: '200' }, T0 + i * 15_000, i * 30);
  }
  app.commit();
  const sent: SinkAlert[] = [];
  const m = new RuleManager(
    loadRuleFile(
      `groups:
  - name: rec
    interval: 15s
    rules:
      - record: service:reqs:rate1m
        expr: sum by (service) (rate(reqs_total[1m]))
        labels:
          team: sync
      - alert: Busy
        expr: service:reqs:rate1m > 1
        annotations:
          value: '{{ $value | printf "%.2f" }} req/s'
`,
      'r.yml',
    ),
    { querier: db, appender: () => db.appender(), sink: { send: (a) => sent.push(...a) } },
  );
  const t = T0 + 9 * 15_000;
  m.evalGroup(m.groups[0]!, t);
  const d = instantQuery(db, 'service:reqs:rate1m', t);
  assert.equal(d.resultType, 'vector');
  if (d.resultType !== 'vector') return;
  assert.deepEqual(d.result.length, 1);
  assert.deepEqual(d.result[0]!.metric, {
    __name__: 'service:reqs:rate1m',
    service: 'relay',
    team: 'sync',
  });
  assert.equal(Number(d.result[0]!.value[1]).toFixed(2), '2.20');
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.annotations.value, '2.20 req/s');
  assert.equal(sent[0]!.labels.team, 'sync');
});

test('start evaluates on timers until stop', async () => {
  const q = new MemQuerier();
  const m = new RuleManager(
    loadRuleFile(
      'groups:\n  - name: g\n    interval: 1s\n    rules:\n      - record: one\n        expr: vector(1)\n',
      'r.yml',
    ),
    { querier: q, appender: memAppender(q) },
  );
  m.start();
  const first = m.groups[0]!.lastEvaluation;
  assert.ok(first !== undefined && first <= Date.now());
  await new Promise((r) => setTimeout(r, 1300));
  m.stop();
  const last = m.groups[0]!.lastEvaluation!;
  assert.ok(last >= first + 1000, `${last - first}`);
  assert.equal((last - first) % 1000, 0);
  assert.equal(vec(q, 'one', last)[0]!.value, '1');
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(m.groups[0]!.lastEvaluation, last);
});

test('keep_firing_for keeps a firing alert firing after its condition clears', () => {
  const q = new MemQuerier();
  const sent: SinkAlert[][] = [];
  const text = `
groups:
  - name: g
    interval: 15s
    rules:
      - alert: Flappy
        expr: errors > 5
        keep_firing_for: 1m
`;
  const m = new RuleManager(loadRuleFile(text, 'k.yml'), {
    querier: q,
    appender: memAppender(q),
    sink: { send: (a) => sent.push([...a]) },
  });
  const g = m.groups[0]!;
  const rule = g.rules[0]!;
  if (rule.kind !== 'alerting') return assert.fail('alerting rule expected');
  const states: string[] = [];
  // firing at 0 s (for: 0), clear from 15 s on; stays firing until 15 s + 1 m.
  for (let i = 0; i <= 7; i++) {
    const t = T0 + i * 15_000;
    q.add({ __name__: 'errors' }, t, i === 0 ? 10 : 0);
    m.evalGroup(g, t);
    states.push(rule.state);
  }
  assert.deepEqual(states, [
    'firing', // 0 s
    'firing', // 15 s: cleared, kept (0 s of 60)
    'firing', // 30 s
    'firing', // 45 s
    'firing', // 60 s: 45 s since clearing
    'inactive', // 75 s: 60 s since clearing → resolved
    'inactive',
    'inactive',
  ]);
  const resolved = sent.flat().filter((a) => a.status === 'resolved');
  assert.equal(resolved.length >= 1, true);
  assert.equal(resolved[0]!.endsAt, T0 + 5 * 15_000);
  // ALERTS stays 1 while kept firing
  assert.equal(vec(q, 'ALERTS{alertname="Flappy"}', T0 + 4 * 15_000).length, 1);
});

test('alert state survives a restart: the for clock and firing alerts are restored', async () => {
  const { RuleStateStore } = await import('./state.js');
  const dir = mkdtempSync(join(tmpdir(), 'canopy-rulestate-'));
  try {
    const file = join(dir, 'alerting.sqlite');
    const q = new MemQuerier();
    const app = memAppender(q);
    const specs = loadRuleFile(RULES, 'r.yml');
    let store = new RuleStateStore(file);
    let m = new RuleManager(specs, { querier: q, appender: app, state: store });
    const at = (i: number) => T0 + i * 15_000;
    for (let i = 0; i <= 2; i++) {
      q.add({ __name__: 'errors', instance: 'a' }, at(i), 10);
      m.evalGroup(m.groups[0]!, at(i));
    }
    let rule = m.groups[0]!.rules[0]!;
    if (rule.kind !== 'alerting') return assert.fail('alerting rule expected');
    assert.equal(rule.state, 'pending');
    store.close();

    // restart at 45 s: the alert keeps its activeAt and fires at 60 s, as if never stopped
    store = new RuleStateStore(file);
    m = new RuleManager(specs, { querier: q, appender: app, state: store });
    rule = m.groups[0]!.rules[0]!;
    if (rule.kind !== 'alerting') return assert.fail('alerting rule expected');
    assert.equal(rule.state, 'pending');
    assert.equal(rule.active()[0]?.activeAt, at(0));
    q.add({ __name__: 'errors', instance: 'a' }, at(3), 10);
    m.evalGroup(m.groups[0]!, at(3));
    assert.equal(rule.state, 'pending');
    q.add({ __name__: 'errors', instance: 'a' }, at(4), 10);
    m.evalGroup(m.groups[0]!, at(4));
    assert.equal(rule.state, 'firing');
    assert.equal(rule.active()[0]?.firedAt, at(4));
    store.close();

    // a second restart: still firing with the same firedAt, and then it resolves
    store = new RuleStateStore(file);
    m = new RuleManager(specs, { querier: q, appender: app, state: store });
    rule = m.groups[0]!.rules[0]!;
    if (rule.kind !== 'alerting') return assert.fail('alerting rule expected');
    assert.equal(rule.state, 'firing');
    assert.equal(rule.active()[0]?.firedAt, at(4));
    q.add({ __name__: 'errors', instance: 'a' }, at(5), 0);
    m.evalGroup(m.groups[0]!, at(5));
    assert.equal(rule.state, 'inactive');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
