/**
 * Reading a TSDB through a private copy: the data is all there (WAL included), the original
 * folder is left byte-for-byte as it was, and each way it can't be read says why.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from './tsdb.js';
import { openSnapshot, TsdbUnavailable } from './snapshot.js';

const T0 = Date.UTC(2025, 0, 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'canopy-snap-'));
  dirs.push(d);
  return d;
}

function filled(dir: string, n = 100): TSDB {
  const db = TSDB.open({ dir });
  const app = db.appender();
  for (let i = 0; i < n; i++) app.append({ __name__: 'up', job: 'relay' }, T0 + i * 15_000, 1);
  app.commit();
  return db;
}

function digest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort())
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

const up = [{ name: '__name__', type: '=' as const, value: 'up' }];

test('snapshot: reads everything a stopped hub stored and leaves its folder untouched', () => {
  const dir = join(tempDir(), 'tsdb');
  filled(dir).close();
  const before = digest(dir);
  const snap = openSnapshot(dir, { tmpDir: tempDir() });
  try {
    assert.ok(snap.bytes > 0);
    const [s] = snap.db.select(up, 0, Infinity);
    assert.equal(s!.t.length, 100);
    // Writing to the copy is allowed and stays in the copy.
    const app = snap.db.appender();
    app.append({ __name__: 'up', job: 'relay' }, T0 + 10_000_000, 0);
    app.commit();
  } finally {
    snap.close();
  }
  assert.deepEqual(digest(dir), before);
});

test('snapshot: the copy is deleted on close', () => {
  const dir = join(tempDir(), 'tsdb');
  filled(dir).close();
  const tmp = tempDir();
  const snap = openSnapshot(dir, { tmpDir: tmp });
  assert.equal(readdirSync(tmp).length, 1);
  snap.close();
  snap.close();
  assert.deepEqual(readdirSync(tmp), []);
});

test('snapshot: a store whose SQLite log was left by a killed hub is read with the log', () => {
  // Copy the files of an open TSDB, as a kill -9 leaves them: the database and its -wal.
  const src = join(tempDir(), 'tsdb');
  const db = filled(src, 50);
  const crashed = join(tempDir(), 'tsdb');
  mkdirSync(crashed);
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(crashed, f));
  db.close();
  assert.ok(existsSync(join(crashed, 'tsdb.sqlite-wal')), 'the crash left a SQLite log');
  const snap = openSnapshot(crashed, { tmpDir: tempDir() });
  try {
    assert.equal(snap.db.select(up, 0, Infinity)[0]!.t.length, 50);
  } finally {
    snap.close();
  }
});

const refused: Array<[string, (root: string) => string, RegExp]> = [
  [
    'a missing folder',
    (root) => join(root, 'nope'),
    /nope does not exist: no hub has stored data there/,
  ],
  [
    'a folder without a TSDB',
    (root) => {
      mkdirSync(join(root, 'empty'));
      return join(root, 'empty');
    },
    /empty holds no TSDB \(.*tsdb\.sqlite is missing\)/,
  ],
  [
    'a file instead of a folder',
    (root) => {
      writeFileSync(join(root, 'file'), 'x');
      return join(root, 'file');
    },
    /file is not a folder/,
  ],
  [
    'a file that is not a database',
    (root) => {
      mkdirSync(join(root, 'junk'));
      writeFileSync(join(root, 'junk', 'tsdb.sqlite'), 'not sqlite at all, just text'.repeat(50));
      return join(root, 'junk');
    },
    /cannot open a copy of .*junk\/tsdb\.sqlite: file is not a database/,
  ],
];
for (const [name, make, re] of refused)
  test(`snapshot refuses ${name}`, () => {
    const dir = make(tempDir());
    assert.throws(
      () => openSnapshot(dir, { tmpDir: tempDir() }),
      (e: unknown) => e instanceof TsdbUnavailable && re.test(e.message),
    );
  });

test('snapshot refuses a store a running hub holds, and says what to do', () => {
  const dir = join(tempDir(), 'tsdb');
  const db = filled(dir);
  try {
    assert.throws(
      () => openSnapshot(dir, { tmpDir: tempDir() }),
      (e: unknown) =>
        e instanceof TsdbUnavailable &&
        /is in use by a running hub \(.*is locked\): stop `canopy hub` \/ `canopy up` first/.test(
          e.message,
        ),
    );
  } finally {
    db.close();
  }
});
