/**
 * The TSDB as the hub uses it: appends and commits, matcher selection, order rules,
 * reopening, compaction, staleness markers through every storage level, metadata and stats.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Labels, Matcher, SeriesData } from '../model.js';
import { STALE_NAN, isStale } from '../model.js';
import { BLOCK_WINDOW_MS, HEAD_WINDOW_MS } from './head.js';
import { TSDB } from './tsdb.js';
import type { TSDBOptions } from './tsdb.js';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 15_000;

const dirs: string[] = [];
const open: TSDB[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'canopy-tsdb-'));
  dirs.push(d);
  return d;
}

function openDb(o: Partial<TSDBOptions> & { dir?: string } = {}): TSDB {
  const db = TSDB.open({ ...o, dir: o.dir ?? tempDir() });
  open.push(db);
  return db;
}

function closeDb(db: TSDB): void {
  db.close();
  open.splice(open.indexOf(db), 1);
}

const eq = (name: string, value: string): Matcher => ({ name, type: '=', value });
const neq = (name: string, value: string): Matcher => ({ name, type: '!=', value });
const re = (name: string, value: string): Matcher => ({ name, type: '=~', value });
const nre = (name: string, value: string): Matcher => ({ name, type: '!~', value });

/** Appends `n` samples per series at STEP from T0 + offset, one commit per scrape. */
function fill(
  db: TSDB,
  series: Labels[],
  n: number,
  value: (s: number, i: number) => number,
  offset = 0,
) {
  for (let i = 0; i < n; i++) {
    const app = db.appender();
    series.forEach((l, s) => assert.ok(app.append(l, T0 + offset + i * STEP, value(s, i))));
    app.commit();
  }
}

function names(data: SeriesData[]): string[] {
  return data.map((d) => `${d.labels.__name__}{${d.labels.job ?? ''},${d.labels.mode ?? ''}}`);
}

function bits(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const SERIES: Labels[] = [
  { __name__: 'cpu', job: 'relay', mode: 'idle' },
  { __name__: 'cpu', job: 'relay', mode: 'user' },
  { __name__: 'cpu', job: 'replay', mode: 'idle' },
  { __name__: 'cpu', job: 'storage' },
  { __name__: 'mem', job: 'relay' },
];

describe('select', () => {
  const cases: { name: string; m: Matcher[]; want: string[] }[] = [
    {
      name: 'equality',
      m: [eq('__name__', 'cpu'), eq('job', 'relay')],
      want: ['cpu{relay,idle}', 'cpu{relay,user}'],
    },
    {
      name: 'inequality',
      m: [eq('__name__', 'cpu'), neq('job', 'relay')],
      want: ['cpu{replay,idle}', 'cpu{storage,}'],
    },
    {
      name: 'regex',
      m: [re('job', 're.*')],
      want: ['cpu{relay,idle}', 'cpu{relay,user}', 'cpu{replay,idle}', 'mem{relay,}'],
    },
    { name: 'regex is anchored', m: [re('job', 'lay')], want: [] },
    {
      name: 'negated regex',
      m: [eq('__name__', 'cpu'), nre('mode', 'idle|user')],
      want: ['cpu{storage,}'],
    },
    {
      name: 'regex matching empty selects absent labels',
      m: [eq('__name__', 'cpu'), re('mode', 'user|')],
      want: ['cpu{relay,user}', 'cpu{storage,}'],
    },
    {
      name: '!="" means present',
      m: [neq('mode', '')],
      want: ['cpu{relay,idle}', 'cpu{relay,user}', 'cpu{replay,idle}'],
    },
    {
      name: '="" means absent',
      m: [eq('__name__', 'cpu'), eq('mode', '')],
      want: ['cpu{storage,}'],
    },
    { name: 'unknown label value', m: [eq('job', 'nope')], want: [] },
    { name: 'unknown label name', m: [eq('zone', 'a')], want: [] },
    {
      name: 'all matchers of one name',
      m: [re('__name__', '.+'), nre('job', 'relay|replay')],
      want: ['cpu{storage,}'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const db = openDb();
      fill(db, SERIES, 3, (s, i) => s * 100 + i);
      assert.deepEqual(names(db.select(c.m, T0, T0 + 10 * STEP)), c.want);
    });
  }

  it('returns samples in [mint, maxt] only, and omits series without any', () => {
    const db = openDb();
    fill(db, SERIES.slice(0, 1), 10, (_s, i) => i);
    const [d] = db.select([eq('__name__', 'cpu')], T0 + 2 * STEP, T0 + 4 * STEP);
    assert.deepEqual([...d!.t], [T0 + 2 * STEP, T0 + 3 * STEP, T0 + 4 * STEP]);
    assert.deepEqual([...d!.v], [2, 3, 4]);
    assert.deepEqual(db.select([eq('__name__', 'cpu')], T0 + 11 * STEP, T0 + 20 * STEP), []);
  });

  it('answers labelNames, labelValues and series with range and matchers', () => {
    const db = openDb();
    fill(db, SERIES, 2, () => 1);
    fill(db, [{ __name__: 'late', zone: 'b' }], 2, () => 1, 100 * STEP);
    const all: Matcher[] = [];
    assert.deepEqual(db.labelNames(all, T0, T0 + STEP), ['__name__', 'job', 'mode']);
    assert.deepEqual(db.labelNames(all, T0, T0 + 200 * STEP), ['__name__', 'job', 'mode', 'zone']);
    assert.deepEqual(db.labelValues('job', [eq('__name__', 'cpu')], T0, T0 + STEP), [
      'relay',
      'replay',
      'storage',
    ]);
    assert.deepEqual(db.labelValues('mode', [eq('job', 'relay')], T0, T0 + STEP), ['idle', 'user']);
    assert.deepEqual(db.series([eq('job', 'storage')], T0, T0 + STEP), [
      { __name__: 'cpu', job: 'storage' },
    ]);
    assert.deepEqual(db.series([eq('__name__', 'late')], T0, T0 + STEP), []);
  });

  it('treats an empty label value as an absent label', () => {
    const db = openDb();
    const app = db.appender();
    assert.ok(app.append({ __name__: 'x', job: '' }, T0, 1));
    assert.equal(app.append({ __name__: 'x' }, T0, 2), false);
    app.commit();
    assert.deepEqual(db.series([], T0, T0), [{ __name__: 'x' }]);
  });
});

describe('append order', () => {
  it('rejects out-of-order and duplicate timestamps per series', () => {
    const db = openDb();
    const a = { __name__: 'a' };
    const b = { __name__: 'b' };
    let app = db.appender();
    assert.equal(app.append(a, T0 + 2000, 1), true);
    assert.equal(app.append(a, T0 + 2000, 2), false, 'duplicate in the same batch');
    assert.equal(app.append(a, T0 + 1000, 2), false, 'older in the same batch');
    assert.equal(app.append(b, T0 + 1000, 1), true, 'other series are independent');
    app.commit();
    app = db.appender();
    assert.equal(app.append(a, T0 + 2000, 3), false, 'duplicate of a committed sample');
    assert.equal(app.append(a, T0 + 1500, 3), false, 'older than a committed sample');
    assert.equal(app.append(a, T0 + 3000, 3), true);
    app.commit();
    const [d] = db.select([eq('__name__', 'a')], 0, T0 + 10_000);
    assert.deepEqual([...d!.t], [T0 + 2000, T0 + 3000]);
    assert.deepEqual([...d!.v], [1, 3]);
  });

  it('keeps uncommitted samples invisible', () => {
    const db = openDb();
    const app = db.appender();
    app.append({ __name__: 'a' }, T0, 1);
    assert.deepEqual(db.select([eq('__name__', 'a')], 0, T0), []);
    app.commit();
    assert.equal(db.select([eq('__name__', 'a')], 0, T0).length, 1);
  });

  it('lets the first of two racing appenders win a timestamp', () => {
    const db = openDb();
    const a = { __name__: 'a' };
    const one = db.appender();
    const two = db.appender();
    assert.ok(one.append(a, T0 + 10, 1));
    assert.ok(two.append(a, T0 + 10, 2));
    assert.ok(two.append(a, T0 + 20, 2));
    one.commit();
    two.commit();
    const [d] = db.select([eq('__name__', 'a')], 0, T0 + 100);
    assert.deepEqual([...d!.t], [T0 + 10, T0 + 20]);
    assert.deepEqual([...d!.v], [1, 2]);
  });

  it('refuses non-integer timestamps with a clear error', () => {
    const db = openDb();
    assert.throws(() => db.appender().append({ __name__: 'a' }, 1.5, 1), /integer number of ms/);
  });
});

describe('durability and compaction', () => {
  it('keeps every sample across close, reopen and compaction, stale markers bit-exact', () => {
    const dir = tempDir();
    let db = openDb({ dir });
    const n = (2 * BLOCK_WINDOW_MS) / STEP + 37; // two full windows and a bit
    const value = (s: number, i: number): number =>
      i % 101 === 100 ? STALE_NAN : i % 13 === 0 ? NaN : s === 1 ? i * 0.001 : i * 7 + s;
    fill(db, SERIES.slice(0, 3), n, value);
    const check = (label: string): void => {
      const got = db.select([eq('__name__', 'cpu')], 0, T0 + n * STEP);
      assert.equal(got.length, 3, label);
      got.forEach((d, s) => {
        assert.equal(d.t.length, n, label);
        const want = new Float64Array(n);
        for (let i = 0; i < n; i++) want[i] = value(s, i);
        assert.deepEqual(bits(d.v), bits(want), label);
        assert.equal(isStale(d.v[100]!), true, label);
        assert.equal(d.t[n - 1], T0 + (n - 1) * STEP, label);
      });
    };
    check('head and head chunks');
    assert.ok(db.stats().chunks > 0);
    db.compact(Infinity);
    check('after compaction');
    closeDb(db);
    db = openDb({ dir });
    check('after reopen');
    db.compact(Infinity);
    check('after compacting again');
    const st = db.stats();
    assert.equal(st.samples, 3 * n);
    assert.equal(st.series, 3);
    assert.equal(st.headSeries, 0, 'close() writes the head out');
    assert.equal(st.oldestMs, T0);
    // Two complete windows, merged into one chunk each (or a few when large), plus the rest.
    assert.ok(st.chunks <= 3 * 4, `${st.chunks} chunks`);
  });

  it('sees chunks written and deleted after a query (cached chunk lists and values)', () => {
    const db = openDb();
    const perWindow = HEAD_WINDOW_MS / STEP;
    const sel = [eq('__name__', 'cpu')];
    const count = (): number => db.select(sel, 0, T0 + 9e9)[0]!.t.length;
    fill(db, SERIES.slice(0, 1), perWindow + 3, (_s, i) => i);
    assert.equal(count(), perWindow + 3);
    // The head cut moves samples from the head into a new chunk row.
    fill(db, SERIES.slice(0, 1), 2 * perWindow, (_s, i) => i, (perWindow + 3) * STEP);
    assert.equal(count(), 3 * perWindow + 3);
    db.compact(Infinity);
    assert.equal(count(), 3 * perWindow + 3);
    const v = db.select(sel, 0, T0 + 9e9)[0]!.v;
    for (let i = 0; i < v.length; i++)
      assert.equal(v[i], i < perWindow + 3 ? i : i - perWindow - 3);
  });

  it('shares one timestamps blob among series scraped together', () => {
    const dir = tempDir();
    const db = openDb({ dir });
    fill(db, SERIES, BLOCK_WINDOW_MS / STEP, (s, i) => s + i);
    closeDb(db);
    openDb({ dir }).compact(Infinity);
    closeDb(open[0]!);
    const raw = new Database(join(dir, 'tsdb.sqlite'), { readonly: true });
    const blobs = raw.prepare('SELECT count(*) AS n, sum(refs) AS refs FROM timestamps').get() as {
      n: number;
      refs: number;
    };
    raw.close();
    assert.deepEqual(blobs, { n: 1, refs: SERIES.length });
  });

  it('continues appending after reopen, rejecting what is already stored', () => {
    const dir = tempDir();
    let db = openDb({ dir });
    fill(db, SERIES.slice(0, 1), 5, (_s, i) => i);
    closeDb(db);
    db = openDb({ dir });
    const app = db.appender();
    assert.equal(app.append(SERIES[0]!, T0 + 4 * STEP, 9), false);
    assert.equal(app.append(SERIES[0]!, T0 + 5 * STEP, 5), true);
    app.commit();
    assert.deepEqual(
      [...db.select([eq('__name__', 'cpu')], 0, T0 + 10 * STEP)[0]!.v],
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('decodes only the chunks that overlap the query range', () => {
    const dir = tempDir();
    let db = openDb({ dir });
    const perWindow = HEAD_WINDOW_MS / STEP;
    fill(db, SERIES.slice(0, 1), 3 * perWindow, (_s, i) => i);
    closeDb(db);
    // Corrupt the middle chunk: queries that don't touch it must still work.
    const raw = new Database(join(dir, 'tsdb.sqlite'));
    const rows = raw.prepare('SELECT id FROM chunks ORDER BY mint').all() as { id: number }[];
    assert.equal(rows.length, 3);
    raw
      .prepare('UPDATE chunks SET data = ? WHERE id = ?')
      .run(Buffer.from([1, 0xff, 0xff]), rows[1]!.id);
    raw.close();
    db = openDb({ dir });
    const sel = [eq('__name__', 'cpu')];
    assert.equal(db.select(sel, T0, T0 + perWindow * STEP - 1)[0]!.t.length, perWindow);
    assert.equal(db.select(sel, T0 + 2 * perWindow * STEP, T0 + 9e9)[0]!.t.length, perWindow);
    assert.throws(() => db.select(sel, T0 + perWindow * STEP, T0 + perWindow * STEP), RangeError);
  });

  it('persists metadata, writing only changes', () => {
    const dir = tempDir();
    let db = openDb({ dir });
    db.setMetadata('up', { type: 'gauge', help: 'Target is up.', unit: '' });
    db.setMetadata('relay_bytes_total', { type: 'counter', help: 'Bytes.', unit: 'bytes' });
    db.setMetadata('up', { type: 'gauge', help: 'Target up.', unit: '' });
    closeDb(db);
    db = openDb({ dir });
    assert.deepEqual(db.metadata('up'), { up: [{ type: 'gauge', help: 'Target up.', unit: '' }] });
    assert.deepEqual(Object.keys(db.metadata()).sort(), ['relay_bytes_total', 'up']);
    assert.deepEqual(db.metadata('nope'), {});
  });

  it('refuses a second opener of the same directory', () => {
    const dir = tempDir();
    const db = openDb({ dir });
    fill(db, SERIES.slice(0, 1), 1, () => 1);
    assert.throws(() => TSDB.open({ dir }), /in use by another process/);
  });

  it('refuses use after close', () => {
    const db = openDb();
    closeDb(db);
    assert.throws(() => db.select([], 0, 1), /closed/);
  });
});
