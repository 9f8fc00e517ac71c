import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newIdentity } from '../protocol/keys.js';
import { signEvent } from '../protocol/event.js';
import {
  makeEvents,
  postEvents,
  request,
  sampleValue,
  startFakeReplay,
  startTestStorage,
  storedCount,
  tempDir,
  waitFor,
} from './test-support.js';

const alice = newIdentity();
const bob = newIdentity();
const mallory = newIdentity();

test('backfill: a gap is filled from replay, only inside the gap, and counted', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const all = makeEvents(alice, 'gap', [1, 2, 3, 4, 5, 6, 7, 8]);
  // Replay also holds a forged event inside bob's gap and an event of another stream.
  const forged = { ...signEvent(mallory, 'gap', 2, 'forged'), author: bob.publicKey };
  const replay = await startFakeReplay([...all, forged, ...makeEvents(bob, 'other', [1])]);
  const db = join(t.dir, 'backfill.db');
  const svc = await startTestStorage(db, { replayUrl: replay.url, backfillIntervalMs: 30 });
  try {
    // Live forwarding delivered 1, 2, 5, 6 of alice and 1, 3 of bob.
    const live = [all[0], all[1], all[4], all[5], ...makeEvents(bob, 'gap', [1, 3])];
    assert.deepEqual((await postEvents(svc.url, { events: live })).body, {
      stored: 6,
      duplicates: 0,
    });
    await waitFor('seq 3 and 4 backfilled', async () => (await storedCount(svc.url)) === 8);

    const r = await request(`${svc.url}/events?ns=gap&author=${alice.publicKey}`);
    assert.deepEqual(r.body.events, all.slice(0, 6), 'filled up to the highest stored seq only');
    const text = svc.registry.render();
    assert.equal(sampleValue(text, 'storage_events_backfilled_total'), 2);

    // The contract: after_seq is the last seq before the gap, limit 500.
    const asked = replay.requests.find((q) => q.get('author') === alice.publicKey)!;
    assert.equal(asked.get('ns'), 'gap');
    assert.equal(asked.get('after_seq'), '2');
    assert.equal(asked.get('limit'), '500');
    // Bob's gap is still open: replay only has a forged event for it.
    assert.ok(replay.requests.some((q) => q.get('author') === bob.publicKey));

    await svc.stop();
    const ro = new Database(db, { readonly: true });
    try {
      const flags = ro
        .prepare<[string], { seq: number; backfilled: number }>(
          'SELECT seq, backfilled FROM events WHERE author = ? ORDER BY seq',
        )
        .all(alice.publicKey);
      assert.deepEqual(
        flags.map((f) => [f.seq, f.backfilled]),
        [
          [1, 0],
          [2, 0],
          [3, 1],
          [4, 1],
          [5, 0],
          [6, 0],
        ],
      );
      assert.equal(
        ro.prepare('SELECT COUNT(*) FROM events WHERE author = ?').pluck().get(bob.publicKey),
        2,
      );
    } finally {
      ro.close();
    }
  } finally {
    await svc.stop();
    await replay.close();
  }
});

test('backfill: an unreachable replay leaves storage up and writing', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const replay = await startFakeReplay([]);
  const url = replay.url;
  await replay.close(); // nothing listens there any more
  const svc = await startTestStorage(join(t.dir, 'down.db'), {
    replayUrl: url,
    backfillIntervalMs: 20,
  });
  try {
    await postEvents(svc.url, { events: makeEvents(alice, 'down', [1, 3]) });
    // Let several rounds fail.
    await new Promise((r) => setTimeout(r, 200));
    const w = await postEvents(svc.url, { events: makeEvents(alice, 'down', [5]) });
    assert.deepEqual(w.body, { stored: 1, duplicates: 0 });
    assert.equal((await request(`${svc.url}/healthz`)).status, 200);
    const text = svc.registry.render();
    assert.equal(sampleValue(text, 'storage_events_backfilled_total'), 0);
    assert.equal(sampleValue(text, 'actor_panics_total{actor="storage_backfill"}'), 0);
  } finally {
    await svc.stop();
  }
});
