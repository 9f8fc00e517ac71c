/**
 * Backfill: history written into a series behind (and around) its head, merged with what
 * is stored, surviving reopen and compaction, staleness markers bit-exact.
 */
import { afterEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STALE_NAN, isStale } from '../model.js';
import { mergeSorted } from './backfill.js';
import { BLOCK_WINDOW_MS } from './head.js';
import { TSDB } from './tsdb.js';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 15_000;
const UP = { __name__: 'up', job: 'relay' };
const dirs: string[] = [];
const dbs: TSDB[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openDb(dir?: string): { db: TSDB; dir: string } {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'canopy-backfill-'));
  if (dir === undefined) dirs.push(d);
  const db = TSDB.open({ dir: d, retentionMs: 0 });
  dbs.push(db);
  return { db, dir: d };
}

function steps(from: number, n: number, value: (i: number) => number) {
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = from + i * STEP;
    v[i] = value(i);
  }
  return { t, v };
}

function all(db: TSDB) {
  return db.samplesOf(UP, -Infinity, Infinity);
}

it('merges history behind and into the head, keeps stored samples, and appends go on after', () => {
  const { db } = openDb();
  // Live data: 100 samples from T0 + 1 day, in the head.
  const app = db.appender();
  const live = steps(T0 + 86_400_000, 100, (i) => 1000 + i);
  for (let i = 0; i < 100; i++) app.append(UP, live.t[i]!, live.v[i]!);
  app.commit();
  // A day of history before it, plus three samples inside the head's range: two at live
  // timestamps (different values: the stored ones stay) and one between two live samples.
  const old = steps(T0, 5760, (i) => (i === 10 ? STALE_NAN : i));
  const inside = {
    t: Float64Array.of(live.t[5]!, live.t[5]! + 1, live.t[6]!),
    v: Float64Array.of(-1, -2, -3),
  };
  assert.equal(db.backfill([{ labels: UP, ...old }]), 5760);
  assert.equal(db.backfill([{ labels: UP, ...inside }]), 1);
  const got = all(db)!;
  assert.equal(got.t.length, 5760 + 100 + 1);
  assert.equal(got.t[0], T0);
  assert.ok(isStale(got.v[10]!));
  const at = (t: number) => got.v[got.t.indexOf(t)];
  assert.equal(at(live.t[5]!), 1005);
  assert.equal(at(live.t[5]! + 1), -2);
  for (let i = 1; i < got.t.length; i++) assert.ok(got.t[i]! > got.t[i - 1]!);
  // Later samples still append through the head; an older one is still refused there.
  const app2 = db.appender();
  assert.equal(app2.append(UP, live.t[99]! + STEP, 7), true);
  assert.equal(app2.append(UP, live.t[50]!, 7), false);
  app2.commit();
  assert.equal(db.lastTimestamp(UP), live.t[99]! + STEP);
  assert.equal(all(db)!.t.length, 5760 + 100 + 2);
});

it('survives reopen and compaction, and is visible to select with matchers', () => {
  const { db, dir } = openDb();
  const old = steps(T0, 3 * 1440, (i) => (i % 500 === 499 ? STALE_NAN : i * 2));
  db.backfill([{ labels: UP, ...old }]);
  db.close();
  const again = openDb(dir).db;
  while (!again.compact(Infinity));
  const got = again.select([{ name: 'job', type: '=', value: 'relay' }], T0, T0 + BLOCK_WINDOW_MS);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.t.length, BLOCK_WINDOW_MS / STEP + 1);
  const whole = again.samplesOf(UP, -Infinity, Infinity)!;
  assert.deepEqual([...whole.t], [...old.t]);
  for (let i = 0; i < old.t.length; i++) {
    if (i % 500 === 499) assert.ok(isStale(whole.v[i]!), `stale marker ${i}`);
    else assert.equal(whole.v[i], i * 2);
  }
  assert.equal(again.stats().samples, old.t.length);
});

it('samplesOf matches the exact label set only; lastTimestamp is -Infinity for unknown series', () => {
  const { db } = openDb();
  db.backfill([{ labels: { ...UP, extra: 'x' }, ...steps(T0, 3, (i) => i) }]);
  assert.equal(db.samplesOf(UP, -Infinity, Infinity), undefined);
  assert.equal(db.lastTimestamp(UP), -Infinity);
  assert.equal(db.lastTimestamp({ ...UP, extra: 'x', empty: '' }), T0 + 2 * STEP);
});

it('mergeSorted keeps the first run at equal timestamps', () => {
  const m = mergeSorted(
    { t: Float64Array.of(1, 3, 5), v: Float64Array.of(10, 30, 50) },
    Float64Array.of(0, 3, 4, 6),
    Float64Array.of(0, 99, 40, 60),
  );
  assert.deepEqual([...m.t], [0, 1, 3, 4, 5, 6]);
  assert.deepEqual([...m.v], [0, 10, 30, 40, 50, 60]);
});
