import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newIdentity } from '../protocol/keys.js';
import { signEvent } from '../protocol/event.js';
import { EventStore } from './store.js';
import { SCHEMA_VERSION } from './schema.js';
import { makeEvents, tempDir } from './test-support.js';

const alice = newIdentity();
const bob = newIdentity();

test('store: a written batch reads back in write order and by stream', () => {
  const store = new EventStore(':memory:');
  try {
    // A fractional ts must come back bit-exact, or the event id and signature would change.
    const evs = [
      ...makeEvents(alice, 'chat', [1, 2, 3]),
      signEvent(bob, 'chat', 1, 'ünïcødé ✓', 1_700_000_000_000.25),
    ];
    assert.deepEqual(store.write(evs, false), { stored: 4, duplicates: 0 });
    assert.equal(store.count, 4);
    assert.deepEqual(
      store.write([signEvent(bob, 'chat', 1, 'ünïcødé ✓', 1_700_000_000_000.25)], false),
      {
        stored: 0,
        duplicates: 1,
      },
    );
    const all = store.readAfter(0, 10);
    assert.deepEqual(
      all.map((r) => r.event),
      evs,
    );
    const page = store.readAfter(all[1]!.rowid, 2);
    assert.deepEqual(
      page.map((r) => r.event),
      evs.slice(2, 4),
    );
    assert.deepEqual(store.readStream('chat', alice.publicKey, 1, 10), evs.slice(1, 3));
    assert.deepEqual(store.readStream('chat', alice.publicKey, 0, 1), evs.slice(0, 1));
    assert.deepEqual(store.readStream('other', alice.publicKey, 0, 10), []);
  } finally {
    store.close();
  }
});

test('store: duplicates are counted, not errors, within and across batches', () => {
  const store = new EventStore(':memory:');
  try {
    const evs = makeEvents(alice, 'chat', [1, 2]);
    const a = evs[0]!;
    const b = evs[1]!;
    assert.deepEqual(store.write([a, a, b], false), { stored: 2, duplicates: 1 });
    assert.deepEqual(store.write([b, a], false), { stored: 0, duplicates: 2 });
    assert.equal(store.count, 2);
    assert.equal(store.readAfter(0, 10).length, 2);
  } finally {
    store.close();
  }
});

test('store: gaps are found per stream, round-robin, and equivocation does not hide them', () => {
  const store = new EventStore(':memory:');
  try {
    store.write(makeEvents(alice, 'chat', [1, 2, 5]), false); // gap 3–4
    store.write(makeEvents(bob, 'chat', [3]), false); // gap 1–2
    store.write(makeEvents(alice, 'news', [1, 2, 3]), false); // complete
    // Two different events for seq 2 of bob/news: still a gap at 1.
    store.write([signEvent(bob, 'news', 2, 'x'), signEvent(bob, 'news', 2, 'y')], false);
    assert.equal(store.count, 9);

    const all = store.gappyStreams('', '', 10);
    const keys = all.map(
      (s) => `${s.ns}/${s.author === alice.publicKey ? 'alice' : 'bob'}/${s.maxSeq}`,
    );
    assert.deepEqual(keys.sort(), ['chat/alice/5', 'chat/bob/3', 'news/bob/2']);

    assert.equal(store.firstGapAfter('chat', alice.publicKey), 2);
    assert.equal(store.firstGapAfter('chat', bob.publicKey), 0);
    assert.equal(store.firstGapAfter('news', bob.publicKey), 0);
    assert.equal(store.firstGapAfter('news', alice.publicKey), 3);

    // Paging: two at a time covers every gappy stream exactly once.
    const first = store.gappyStreams('', '', 2);
    const last = first[first.length - 1]!;
    const rest = store.gappyStreams(last.ns, last.author, 2);
    assert.equal(first.length + rest.length, 3);

    store.write(makeEvents(alice, 'chat', [3, 4]), true);
    assert.equal(store.firstGapAfter('chat', alice.publicKey), 5);
    assert.equal(
      store.gappyStreams('', '', 10).some((s) => s.ns === 'chat' && s.author === alice.publicKey),
      false,
    );
  } finally {
    store.close();
  }
});

test('store: events survive close and reopen; the journal is WAL', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'events.db');
    const a = new EventStore(path);
    assert.equal(a.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(a.db.pragma('synchronous', { simple: true }), 1); // NORMAL
    a.write(makeEvents(alice, 'chat', [1, 2, 4]), false);
    a.close();
    const b = new EventStore(path);
    try {
      assert.equal(b.count, 3);
      assert.equal(b.readAfter(0, 10).length, 3);
      assert.equal(b.firstGapAfter('chat', alice.publicKey), 2);
      assert.deepEqual(b.write(makeEvents(alice, 'chat', [1]), false), {
        stored: 0,
        duplicates: 1,
      });
    } finally {
      b.close();
    }
  } finally {
    t.cleanup();
  }
});

test('store: a database of a newer schema is refused with a message naming the file', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'future.db');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => new EventStore(path),
      (e: Error) => {
        assert.match(e.message, new RegExp(`future\\.db has schema version ${SCHEMA_VERSION + 1}`));
        return true;
      },
    );
  } finally {
    t.cleanup();
  }
});
