import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RunningService } from '../common/service.js';
import { newIdentity } from '../protocol/keys.js';
import { signEvent, type SignedEvent } from '../protocol/event.js';
import {
  makeEvents,
  postEvents,
  request,
  startTestStorage,
  storedCount,
  tempDir,
} from './test-support.js';

const alice = newIdentity();
const mallory = newIdentity();

describe('storage HTTP API', () => {
  const t = tempDir();
  let svc: RunningService;
  let base: string;

  before(async () => {
    svc = await startTestStorage(join(t.dir, 'api.db'));
    base = svc.url;
  });
  after(async () => {
    await svc?.stop();
    t.cleanup();
  });

  test('POST /events stores a batch; GET /events reads it back by cursor and by stream', async () => {
    const evs = makeEvents(alice, 'api-rt', [1, 2, 3, 4, 5]);
    const w = await postEvents(base, { events: evs });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body, { stored: 5, duplicates: 0 });

    const collected: SignedEvent[] = [];
    let cursor = 0;
    for (let i = 0; i < 10; i++) {
      const r = await request(`${base}/events?after=${cursor}&limit=2`);
      assert.equal(r.status, 200);
      const page = r.body.events as SignedEvent[];
      if (page.length === 0) {
        assert.equal(r.body.next, cursor, 'an empty page keeps the cursor');
        break;
      }
      collected.push(...page);
      cursor = r.body.next as number;
    }
    assert.deepEqual(
      collected.filter((e) => e.ns === 'api-rt'),
      evs,
    );

    const s = await request(
      `${base}/events?ns=api-rt&author=${alice.publicKey}&after_seq=2&limit=2`,
    );
    assert.equal(s.status, 200);
    assert.deepEqual(s.body, { events: evs.slice(2, 4) });
  });

  test('duplicates are reported, not errors', async () => {
    const evs = makeEvents(alice, 'api-dup', [1, 2]);
    assert.deepEqual((await postEvents(base, { events: evs })).body, { stored: 2, duplicates: 0 });
    const again = await postEvents(base, {
      events: [...evs, ...makeEvents(alice, 'api-dup', [3])],
    });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { stored: 1, duplicates: 2 });
    assert.deepEqual((await postEvents(base, { events: [] })).body, { stored: 0, duplicates: 0 });
  });

  const good = makeEvents(alice, 'api-bad', [1, 2, 3]);
  const forged = { ...signEvent(mallory, 'api-bad', 4, 'forged'), author: alice.publicKey };
  const big = JSON.stringify({ events: [{ ...good[0], body: 'x'.repeat(4 * 1024 * 1024) }] });
  const cases: Array<{
    name: string;
    body: string;
    type?: string;
    status: number;
    message: RegExp;
  }> = [
    {
      name: 'bad signature',
      body: JSON.stringify({ events: [good[0], good[1], forged] }),
      status: 400,
      message: /events\[2\] has a bad signature.*nothing was written/,
    },
    {
      name: 'malformed event',
      body: JSON.stringify({ events: [good[0], { ...good[1], seq: 0 }, good[2]] }),
      status: 400,
      message: /events\[1\] is malformed: "seq" must be an integer/,
    },
    {
      name: 'event that is not an object',
      body: JSON.stringify({ events: [good[0], 'hello'] }),
      status: 400,
      message: /events\[1\] is malformed: not an object/,
    },
    {
      name: 'no events array',
      body: JSON.stringify({ evts: good }),
      status: 400,
      message: /"events" must be an array/,
    },
    {
      name: 'body is an array',
      body: JSON.stringify(good),
      status: 400,
      message: /expected a JSON object/,
    },
    {
      name: 'too many events',
      body: JSON.stringify({ events: Array.from({ length: 1001 }, () => good[0]) }),
      status: 413,
      message: /batch of 1001 events is over the limit of 1000/,
    },
    {
      name: 'oversized body',
      body: big,
      status: 413,
      message: /over the limit of 4194304/,
    },
    {
      name: 'wrong content type',
      body: JSON.stringify({ events: good }),
      type: 'text/plain',
      status: 415,
      message: /expected content-type application\/json, got "text\/plain"/,
    },
    {
      name: 'invalid JSON',
      body: '{"events": [',
      status: 400,
      message: /body is not valid JSON/,
    },
  ];

  for (const c of cases)
    test(`a bad batch is refused whole: ${c.name}`, async () => {
      const before = await storedCount(base);
      const r = await request(`${base}/events`, {
        method: 'POST',
        headers: { 'content-type': c.type ?? 'application/json' },
        body: c.body,
      });
      assert.equal(r.status, c.status);
      assert.match(String(r.body.error), c.message);
      assert.equal(await storedCount(base), before, 'nothing was written');
      assert.equal((await request(`${base}/healthz`)).status, 200, 'the service stays up');
      const s = await request(`${base}/events?ns=api-bad&author=${alice.publicKey}`);
      assert.deepEqual(s.body.events, []);
    });

  const badQueries: Array<[string, RegExp]> = [
    ['limit=0', /"limit" must be an integer from 1 to 1000/],
    ['limit=1001', /"limit" must be an integer from 1 to 1000/],
    ['after=-1', /"after" must be an integer/],
    ['after=abc', /"after" must be an integer/],
    ['after=1&after=2', /"after" is given more than once/],
    ['cursor=5', /unknown query parameter "cursor"/],
    ['ns=chat', /"author" is missing/],
    ['author=abc', /"ns" is missing/],
    ['ns=Chat!&author=abc', /"ns" must be 1–64 lowercase/],
    ['ns=chat&author=a%20b', /"author" must be a base64url public key/],
    ['ns=chat&author=abc&after=3', /"after" cannot be combined/],
    ['after_seq=3', /"after_seq" needs "ns" and "author"/],
    ['ns=chat&author=abc&after_seq=1.5', /"after_seq" must be an integer/],
  ];
  for (const [q, message] of badQueries)
    test(`GET /events?${q} is a 400 naming the parameter`, async () => {
      const r = await request(`${base}/events?${q}`);
      assert.equal(r.status, 400);
      assert.match(String(r.body.error), message);
    });

  test('GET /stats, /healthz; 404 and 405 say what exists', async () => {
    assert.equal(typeof (await request(`${base}/stats`)).body.events, 'number');
    assert.deepEqual((await request(`${base}/healthz`)).body, { ok: true });
    const nf = await request(`${base}/nope`);
    assert.equal(nf.status, 404);
    assert.match(String(nf.body.error), /no such path "\/nope"; storage serves .*\/events/);
    const res = await fetch(`${base}/events`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, POST');
    assert.match(((await res.json()) as { error: string }).error, /method DELETE not allowed/);
    assert.equal((await request(`${base}/stats`, { method: 'POST' })).status, 405);
  });

  test('/control/fault switches slow-disk and refuses unknown faults', async () => {
    const get = await request(`${base}/control/fault`);
    assert.deepEqual(get.body, { 'slow-disk': { on: false, value: 0 } });
    const post = (body: unknown): ReturnType<typeof request> =>
      request(`${base}/control/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await post({ name: 'relay-cpu', on: true });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /this service supports: slow-disk/);
    assert.deepEqual((await post({ name: 'slow-disk', on: true, value: 5 })).body, {
      'slow-disk': { on: true, value: 5 },
    });
    assert.deepEqual((await post({ name: 'slow-disk', on: false })).body, {
      'slow-disk': { on: false, value: 0 },
    });
  });
});
