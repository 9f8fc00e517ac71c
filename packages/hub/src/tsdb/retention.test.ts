/**
 * Retention by time and by size: old chunks go, series left without data are forgotten, the
 * newest data stays intact, and the file really shrinks.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels, Matcher } from '../model.js';
import { BLOCK_WINDOW_MS } from './head.js';
import { TSDB } from './tsdb.js';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 60_000;
const DAY = 86_400_000;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'canopy-retention-'));
  dirs.push(d);
  return d;
}

const value = (s: number, i: number): number => (s % 2 === 0 ? i * 3 + s : Math.sin(i + s) * 100);

/** Appends samples [from, to) (in steps) for the given series, a commit per step. */
function fill(db: TSDB, series: Labels[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const app = db.appender();
    series.forEach((l, s) => app.append(l, T0 + i * STEP, value(s, i)));
    app.commit();
    if (i % 500 === 0) db.compact();
  }
}

const all: Matcher[] = [{ name: '__name__', type: '=~', value: '.+' }];
const labels = (n: number): Labels[] =>
  Array.from({ length: n }, (_, s) => ({ __name__: 'm', series: String(s) }));

describe('retention by time', () => {
  it('drops chunks older than retentionMs and forgets series left without data', () => {
    const db = TSDB.open({ dir: tempDir(), retentionMs: DAY });
    try {
      const gone = { __name__: 'gone' };
      fill(db, [gone], 0, 60); // one hour on the first day only
      fill(db, labels(4), 0, (3 * DAY) / STEP);
      db.compact(Infinity);
      const after = db.stats();
      const newest = T0 + 3 * DAY - STEP;
      const cutoff = newest - DAY;
      assert.ok(after.oldestMs! >= cutoff - BLOCK_WINDOW_MS, `oldest ${after.oldestMs}`);
      const kept3Days = 4 * ((DAY + BLOCK_WINDOW_MS) / STEP + 1);
      assert.ok(after.samples <= kept3Days, `${after.samples} samples kept`);
      assert.equal(after.series, 4, 'the series without recent data is forgotten');
      assert.deepEqual(db.series([{ name: '__name__', type: '=', value: 'gone' }], 0, newest), []);
      assert.deepEqual(db.select(all, T0, T0 + DAY), []);
      // What is kept is intact.
      const kept = db.select(all, cutoff, newest);
      assert.equal(kept.length, 4);
      for (const d of kept) {
        const s = Number(d.labels.series);
        assert.equal(d.t.length, DAY / STEP + 1);
        d.t.forEach((t, k) => assert.equal(d.v[k], value(s, (t - T0) / STEP)));
      }
      // The forgotten series can come back.
      const app = db.appender();
      assert.ok(app.append(gone, newest + STEP, 1));
      app.commit();
      assert.equal(
        db.select([{ name: '__name__', type: '=', value: 'gone' }], 0, newest + STEP).length,
        1,
      );
    } finally {
      db.close();
    }
  });
});

describe('retention by size', () => {
  it('drops the oldest chunks until the file fits, and the file shrinks', () => {
    const dir = tempDir();
    const series = labels(40);
    let db = TSDB.open({ dir });
    fill(db, series, 0, (2 * DAY) / STEP);
    db.compact(Infinity);
    db.close();
    db = TSDB.open({ dir });
    db.compact(Infinity);
    const full = db.stats();
    db.close();
    const limit = Math.floor(full.bytesOnDisk / 2);
    db = TSDB.open({ dir, retentionBytes: limit });
    try {
      db.compact(Infinity);
      const st = db.stats();
      assert.ok(st.bytesOnDisk <= limit, `${st.bytesOnDisk} > ${limit}`);
      assert.ok(st.oldestMs! > full.oldestMs!, 'the oldest data went first');
      const newest = T0 + 2 * DAY - STEP;
      const kept = db.select(all, st.oldestMs!, newest);
      assert.equal(kept.length, 40);
      for (const d of kept) {
        const s = Number(d.labels.series);
        assert.equal(d.t[d.t.length - 1], newest, 'the newest data stays');
        assert.equal(d.t.length, (newest - d.t[0]!) / STEP + 1, 'no holes');
        d.t.forEach((t, k) => assert.equal(d.v[k], value(s, (t - T0) / STEP)));
      }
      // Appending continues under the limit.
      fill(db, series, (2 * DAY) / STEP, (2 * DAY) / STEP + 10);
      db.compact(Infinity);
      assert.ok(db.stats().bytesOnDisk <= limit);
    } finally {
      db.close();
    }
  });

  it('stops when nothing but the head is left', () => {
    const db = TSDB.open({ dir: tempDir(), retentionBytes: 1 });
    try {
      fill(db, labels(3), 0, 200);
      db.compact(Infinity);
      const st = db.stats();
      assert.equal(st.chunks, 0);
      assert.equal(st.headSeries, 3, 'the head is never dropped');
      assert.equal(db.select(all, 0, T0 + DAY).length, 3);
    } finally {
      db.close();
    }
  });
});
