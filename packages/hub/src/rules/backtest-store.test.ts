/**
 * The backtest's in-memory output store and the overlay over stored history: the Querier
 * and Appender contracts, and that series the rules produce are taken from the replay only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matcher } from '../model.js';
import { STALE_NAN, isStale } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { instantQuery } from '../promql/index.js';
import { MemSeriesStore } from './backtest-store.js';
import { OverlayQuerier, producedNames } from './backtest-overlay.js';
import { loadRuleFile } from './load.js';

const name = (n: string): Matcher => ({ name: '__name__', type: '=', value: n });

test('MemSeriesStore: only committed samples are visible, in order, range inclusive', () => {
  const s = new MemSeriesStore();
  const app = s.appender();
  assert.equal(app.append({ __name__: 'r', a: '1' }, 1000, 1), true);
  assert.equal(app.append({ __name__: 'r', a: '1' }, 1000, 2), false, 'same timestamp refused');
  assert.equal(app.append({ __name__: 'r', a: '1' }, 2000, 2), true);
  assert.deepEqual(s.select([name('r')], 0, 5000), []);
  app.commit();
  assert.equal(s.samples, 2);
  const [d] = s.select([name('r')], 1000, 2000);
  assert.deepEqual([...d!.t], [1000, 2000]);
  assert.deepEqual([...d!.v], [1, 2]);
  assert.deepEqual(
    s.select([name('r')], 1001, 1999).map((x) => x.t.length),
    [],
    'no sample in (1000, 2000)',
  );
  assert.equal(s.appender().append({ __name__: 'r', a: '1' }, 1500, 9), false, 'older refused');
});

test('MemSeriesStore: growth keeps staleness markers and earlier views', () => {
  const s = new MemSeriesStore();
  const app = s.appender();
  for (let i = 0; i < 70; i++) app.append({ __name__: 'g' }, i * 1000, i === 3 ? STALE_NAN : i);
  app.commit();
  const early = s.select([name('g')], 0, 10_000)[0]!;
  const app2 = s.appender();
  for (let i = 70; i < 200; i++) app2.append({ __name__: 'g' }, i * 1000, i);
  app2.commit();
  assert.equal(early.t.length, 11);
  const all = s.select([name('g')], 0, Infinity)[0]!;
  assert.equal(all.t.length, 200);
  assert.equal(isStale(all.v[3]!), true);
  assert.equal(all.v[199], 199);
});

test('MemSeriesStore: matchers, empty labels as absent, label names and values', () => {
  const s = new MemSeriesStore();
  const app = s.appender();
  app.append({ __name__: 'x', a: '1', b: '' }, 1000, 1);
  app.append({ __name__: 'x', a: '2' }, 1000, 2);
  app.append({ __name__: 'y', a: '1' }, 1000, 3);
  app.commit();
  assert.deepEqual(s.series([name('x'), { name: 'a', type: '=~', value: '1|3' }], 0, 2000), [
    { __name__: 'x', a: '1' },
  ]);
  assert.deepEqual(
    s.series([{ name: 'a', type: '=', value: '1' }], 0, 2000).map((l) => l['__name__']),
    ['x', 'y'],
  );
  assert.deepEqual(s.labelNames([], 0, 2000), ['__name__', 'a']);
  assert.deepEqual(s.labelValues('a', [name('x')], 0, 2000), ['1', '2']);
});

test('producedNames: ALERTS, ALERTS_FOR_STATE and each recording rule', () => {
  const groups = loadRuleFile(
    'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up\n      - alert: A\n        expr: up == 0\n',
    'r.yml',
  );
  assert.deepEqual([...producedNames(groups)].sort(), ['ALERTS', 'ALERTS_FOR_STATE', 'a:b']);
  const recOnly = loadRuleFile(
    'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up\n',
    'r.yml',
  );
  assert.deepEqual([...producedNames(recOnly)], ['a:b']);
});

test('OverlayQuerier: stored series of produced names are hidden, the replay’s are seen', () => {
  const stored = new MemQuerier();
  stored.add({ __name__: 'up', job: 'relay' }, 1000, 1);
  stored.add({ __name__: 'rec:x', job: 'relay' }, 1000, 99);
  stored.add({ __name__: 'ALERTS', alertname: 'A', alertstate: 'firing', job: 'relay' }, 1000, 1);
  const outputs = new MemSeriesStore();
  const app = outputs.appender();
  app.append({ __name__: 'rec:x', job: 'relay' }, 1000, 0.5);
  app.commit();
  const q = new OverlayQuerier(stored, outputs, new Set(['rec:x', 'ALERTS', 'ALERTS_FOR_STATE']));

  assert.deepEqual(
    q.select([name('rec:x')], 0, 2000).map((s) => [...s.v]),
    [[0.5]],
  );
  assert.deepEqual(q.select([name('ALERTS')], 0, 2000), []);
  assert.deepEqual(
    q.select([name('up')], 0, 2000).map((s) => s.labels),
    [{ __name__: 'up', job: 'relay' }],
  );
  // A selector without a fixed name sees both sides, stored produced names left out.
  const all = q.select([{ name: 'job', type: '=', value: 'relay' }], 0, 2000);
  assert.deepEqual(all.map((s) => `${s.labels['__name__']}=${s.v[0]}`).sort(), [
    'rec:x=0.5',
    'up=1',
  ]);
  assert.deepEqual(q.labelValues('__name__', [], 0, 2000), ['rec:x', 'up']);
  assert.deepEqual(q.labelNames([name('ALERTS')], 0, 2000), []);
  // And PromQL over it.
  const r = instantQuery(q, 'sum(rec:x)', 1000);
  assert.equal(r.resultType, 'vector');
  if (r.resultType === 'vector') assert.equal(r.result[0]!.value[1], '0.5');
});
