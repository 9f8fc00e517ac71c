import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { actors, SLO_BOUNDS, storage } from '@canopy/catalog';
import { newIdentity } from '../protocol/keys.js';
import { startStorage } from './service.js';
import {
  makeEvents,
  postEvents,
  request,
  sampleValue,
  startFakeReplay,
  startTestStorage,
  storedCount,
  tempDir,
  WAIT_MS,
} from './test-support.js';

const alice = newIdentity();

async function scrape(metricsUrl: string): Promise<string> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(res.status, 200);
  return res.text();
}

test('service: /metrics exposes every storage metric of the catalog and the storage actors', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const replay = await startFakeReplay([]);
  const svc = await startTestStorage(join(t.dir, 'm.db'), {
    replayUrl: replay.url,
    backfillIntervalMs: 50,
  });
  try {
    await postEvents(svc.url, { events: makeEvents(alice, 'metrics', [1, 2]) });
    const text = await scrape(svc.metricsUrl);
    for (const spec of Object.values(storage))
      assert.match(text, new RegExp(`^# TYPE ${spec.name} `, 'm'), spec.name);
    assert.equal(sampleValue(text, 'storage_write_duration_seconds_count'), 1);
    assert.ok(sampleValue(text, 'storage_db_size_bytes')! > 0, 'db size');
    const free = sampleValue(text, 'storage_disk_free_bytes')!;
    const size = sampleValue(text, 'storage_disk_size_bytes')!;
    assert.ok(free > 0 && size >= free, `disk free ${free} of ${size}`);
    assert.equal(sampleValue(text, 'storage_events_backfilled_total'), 0);
    for (const type of ['storage_writer', 'storage_backfill'])
      for (const spec of Object.values(actors))
        assert.match(
          text,
          new RegExp(`^${spec.name}\\{actor="${type}"\\} `, 'm'),
          `${spec.name} ${type}`,
        );
  } finally {
    await svc.stop();
    await replay.close();
  }
});

test('service: the slow-disk fault moves write duration over the 100 ms SLO bound', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const svc = await startTestStorage(join(t.dir, 'slow.db'));
  try {
    const bound = SLO_BOUNDS.storage_write_duration_seconds;
    const overBound = (): number => {
      const text = svc.registry.render();
      const count = sampleValue(text, 'storage_write_duration_seconds_count')!;
      const within = sampleValue(text, `storage_write_duration_seconds_bucket{le="${bound}"}`)!;
      return count - within;
    };
    const fault = (on: boolean): ReturnType<typeof request> =>
      request(`${svc.url}/control/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'slow-disk', on }), // default delay: 150 ms
      });
    await postEvents(svc.url, { events: makeEvents(alice, 'slow', [1]) });
    const before = overBound();
    assert.equal((await fault(true)).status, 200);
    const w = await postEvents(svc.url, { events: makeEvents(alice, 'slow', [2, 3]) });
    assert.deepEqual(w.body, { stored: 2, duplicates: 0 });
    assert.equal(overBound(), before + 1, 'the slowed batch lands above the bound');
    assert.equal((await fault(false)).status, 200);
    assert.equal(await storedCount(svc.url), 3);
  } finally {
    await svc.stop();
  }
});

test('service: stop and restart on the same file keeps every event', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const db = join(t.dir, 'durable.db');
  const evs = makeEvents(alice, 'durable', [1, 2, 3, 4]);
  const a = await startTestStorage(db);
  try {
    assert.deepEqual((await postEvents(a.url, { events: evs })).body, {
      stored: 4,
      duplicates: 0,
    });
  } finally {
    await a.stop();
  }
  await a.stop(); // idempotent
  const b = await startTestStorage(db);
  try {
    assert.equal(await storedCount(b.url), 4);
    const r = await request(`${b.url}/events?ns=durable&author=${alice.publicKey}`);
    assert.deepEqual(r.body.events, evs);
    assert.deepEqual((await postEvents(b.url, { events: evs })).body, {
      stored: 0,
      duplicates: 4,
    });
  } finally {
    await b.stop();
  }
});

test('service: a port in use fails startup with the OS error and leaves the first instance serving', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const db = join(t.dir, 'busy.db');
  const a = await startTestStorage(db);
  try {
    const port = Number(new URL(a.url).port);
    await assert.rejects(
      startStorage({
        listen: { host: '127.0.0.1', port },
        metrics: { host: '127.0.0.1', port: 0 },
        db: join(t.dir, 'other.db'),
      }),
      /EADDRINUSE/,
    );
    assert.equal((await request(`${a.url}/healthz`)).status, 200);
  } finally {
    await a.stop();
  }
});
