/**
 * Bad input against a real relay and a real replay on loopback: every malformed, oversized,
 * unsigned, unknown or flooding peer is refused (`relay_ws_upgrades_total{result}`) or
 * dropped with its reason (`relay_peer_disconnects_total{reason}`), the service stays up
 * (a fresh peer still publishes and a subscriber still receives), and nothing bad is
 * delivered to subscribers or applied by the replay.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startRelay } from './relay.js';
import { startReplay } from '../replay/replay.js';
import { connectPeer, type PeerConnection } from '../protocol/client.js';
import { signEvent, type SignedEvent } from '../protocol/event.js';
import { helloBytes, newIdentity, signBytes, type Identity } from '../protocol/keys.js';
import { MAX_FRAME, parseFrame, type Frame } from '../protocol/frames.js';
import { createLogger } from '../common/log.js';
import type { RunningService } from '../common/service.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };
const RATE = 50;
const HELLO_TIMEOUT_MS = 300;
const WAIT_MS = 5000;
/** Peers always joined to the relay under test: the replay and two subscribers. */
const BASE_PEERS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects if `p` does not settle within `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every 20 ms for at most `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = performance.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

/** A scrape as `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const get = async () => (await fetch(url, { signal: AbortSignal.timeout(WAIT_MS) })).text();
  const text = await within(get(), WAIT_MS + 1000, `scrape ${url}`);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** A socket that has not said hello: frames received, and how it closed. */
interface RawSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

function openRaw(url: string): Promise<RawSocket> {
  return within(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: MAX_FRAME * 4 });
      const frames: Frame[] = [];
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
      );
      ws.on('error', () => {});
      ws.on('message', (d) => {
        const f = parseFrame(d.toString());
        if (f !== undefined) frames.push(f);
      });
      ws.once('open', () => resolve({ ws, frames, closed }));
      ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
    }),
    WAIT_MS,
    'open a socket',
  );
}

/** Waits for the challenge and returns its nonce. */
async function challenge(raw: RawSocket): Promise<string> {
  await until(() => raw.frames.some((f) => f.t === 'challenge'), WAIT_MS, 'challenge');
  const c = raw.frames.find((f) => f.t === 'challenge');
  assert.ok(c !== undefined && c.t === 'challenge');
  return c.nonce;
}

/** A welcomed peer and how its socket closed. */
async function joinPeer(url: string, id = newIdentity()) {
  const conn = await connectPeer({ url, identity: id, timeoutMs: WAIT_MS });
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    conn.ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  return { conn, id, closed };
}

describe('relay and replay under bad input', { timeout: 60_000 }, () => {
  let relay: RunningService;
  let replay: RunningService;
  let replayWs: string;
  let subscriber: PeerConnection;
  let wildcard: PeerConnection;
  /** Events the subscribers received, by subscriber. */
  const got = { chat: [] as SignedEvent[], all: [] as SignedEvent[] };
  /** Signatures of the good events published, the only ones anyone may receive. */
  const good = new Set<string>();
  let goodSeq = 0;
  const publisher = newIdentity();

  const relayMetric = async (series: string) => (await scrape(relay.metricsUrl)).get(series) ?? 0;
  const upgrades = (result: string) => relayMetric(`relay_ws_upgrades_total{result="${result}"}`);
  const disconnects = (reason: string) =>
    relayMetric(`relay_peer_disconnects_total{reason="${reason}"}`);

  /** A fresh, good peer can join and publish, and both subscribers receive the event. */
  async function relayStillWorks(): Promise<void> {
    const { conn } = await joinPeer(relay.url, publisher);
    const ev = signEvent(publisher, 'chat', ++goodSeq, `good ${goodSeq}`);
    good.add(ev.sig);
    conn.publish(ev);
    await until(
      () => got.chat.some((e) => e.sig === ev.sig) && got.all.some((e) => e.sig === ev.sig),
      WAIT_MS,
      'the subscribers receive a good event',
    );
    conn.close();
    await until(
      async () => (await relayMetric('relay_peers_connected')) === BASE_PEERS,
      WAIT_MS,
      'the good publisher has left',
    );
    for (const e of [...got.chat, ...got.all])
      assert.ok(good.has(e.sig), `only good events are delivered (got seq ${e.seq} of ${e.ns})`);
  }

  /** Runs `act` and checks one more refusal with `result`, and no join. */
  async function refused(result: string, act: () => Promise<void>): Promise<void> {
    const before = await scrape(relay.metricsUrl);
    await act();
    await until(
      async () =>
        (await upgrades(result)) ===
        (before.get(`relay_ws_upgrades_total{result="${result}"}`) ?? 0) + 1,
      WAIT_MS,
      `relay_ws_upgrades_total{result="${result}"} + 1`,
    );
    const now = await scrape(relay.metricsUrl);
    assert.equal(now.get('relay_peer_connects_total'), before.get('relay_peer_connects_total'));
    assert.equal(now.get('relay_peers_connected'), before.get('relay_peers_connected'));
    await relayStillWorks();
  }

  /** Runs `act` on a welcomed peer and checks it is dropped with `reason`. */
  async function dropped(
    reason: string,
    act: (conn: PeerConnection, id: Identity) => void | Promise<void>,
  ): Promise<{ code: number; reason: string }> {
    const before = await disconnects(reason);
    const { conn, id, closed } = await joinPeer(relay.url);
    await act(conn, id);
    const how = await within(closed, WAIT_MS, `the relay drops the peer (${reason})`);
    await until(
      async () => (await disconnects(reason)) === before + 1,
      WAIT_MS,
      `relay_peer_disconnects_total{reason="${reason}"} + 1`,
    );
    await relayStillWorks();
    return how;
  }

  before(async () => {
    const silent = (name: string) => createLogger(name, 'silent');
    relay = await startRelay({
      listen: LOOPBACK,
      metrics: LOOPBACK,
      maxMsgsPerSecond: RATE,
      helloTimeoutMs: HELLO_TIMEOUT_MS,
      logger: silent('relay'),
    });
    // Nothing listens on the storage URL: forwarding retries in the background, unseen.
    replay = await startReplay({
      relayUrl: relay.url,
      storageUrl: 'http://127.0.0.1:9',
      listen: LOOPBACK,
      metrics: LOOPBACK,
      logger: silent('replay'),
    });
    replayWs = replay.url.replace(/^http/, 'ws');
    subscriber = await connectPeer({
      url: relay.url,
      identity: newIdentity(),
      onFrame: (f) => void (f.t === 'ev' && got.chat.push(f.ev)),
    });
    subscriber.subscribe(['chat']);
    wildcard = await connectPeer({
      url: relay.url,
      identity: newIdentity(),
      onFrame: (f) => void (f.t === 'ev' && got.all.push(f.ev)),
    });
    wildcard.subscribe(['*']);
    await until(
      async () => (await relayMetric('relay_peers_connected')) === BASE_PEERS,
      WAIT_MS,
      'replay and both subscribers joined',
    );
    await relayStillWorks();
  });

  after(async () => {
    subscriber?.close();
    wildcard?.close();
    await replay?.stop();
    await relay?.stop();
  });

  // ---- refused before joining: relay_ws_upgrades_total{result} ----

  test('a hello that is not JSON is refused as bad_hello', async () => {
    await refused('bad_hello', async () => {
      const raw = await openRaw(relay.url);
      await challenge(raw);
      raw.ws.send('{"t":"hello", this is not json');
      const how = await within(raw.closed, WAIT_MS, 'close');
      assert.equal(how.code, 1008);
      assert.deepEqual(raw.frames.at(-1), { t: 'err', reason: 'bad_hello' });
    });
  });

  test('a binary hello is refused as bad_hello', async () => {
    await refused('bad_hello', async () => {
      const raw = await openRaw(relay.url);
      await challenge(raw);
      raw.ws.send(Buffer.from([0x7b, 0x00, 0xff, 0x7d]));
      assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1008);
    });
  });

  test('a first frame of an unknown type is refused as bad_hello', async () => {
    await refused('bad_hello', async () => {
      const raw = await openRaw(relay.url);
      await challenge(raw);
      raw.ws.send(JSON.stringify({ t: 'gimme-everything' }));
      assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1008);
    });
  });

  test('a hello signed over the wrong bytes or by another key is refused as bad_signature', async () => {
    const id = newIdentity();
    const other = newIdentity();
    for (const sign of [
      (nonce: string) => signBytes(id, helloBytes(nonce + 'x')),
      (nonce: string) => signBytes(other, helloBytes(nonce)),
      () => 'A'.repeat(86),
    ])
      await refused('bad_signature', async () => {
        const raw = await openRaw(relay.url);
        const nonce = await challenge(raw);
        raw.ws.send(JSON.stringify({ t: 'hello', key: id.publicKey, sig: sign(nonce) }));
        assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1008);
        assert.deepEqual(raw.frames.at(-1), { t: 'err', reason: 'bad_signature' });
      });
  });

  test('a hello whose key is not a base64url ed25519 key is refused as bad_hello', async () => {
    const id = newIdentity();
    for (const key of ['not-a-key', id.publicKey + 'AA', 'z'.repeat(43).replace('z', '+'), 42])
      await refused('bad_hello', async () => {
        const raw = await openRaw(relay.url);
        const nonce = await challenge(raw);
        raw.ws.send(JSON.stringify({ t: 'hello', key, sig: signBytes(id, helloBytes(nonce)) }));
        assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1008);
      });
  });

  test('a peer that never says hello is refused after the hello timeout', async () => {
    await refused('bad_hello', async () => {
      const t0 = performance.now();
      const raw = await openRaw(relay.url);
      await challenge(raw);
      const how = await within(raw.closed, WAIT_MS, 'close after the hello timeout');
      const waited = performance.now() - t0;
      assert.equal(how.code, 1008);
      assert.ok(
        waited >= HELLO_TIMEOUT_MS - 50 && waited < HELLO_TIMEOUT_MS + 3000,
        `closed after ${waited.toFixed(0)} ms (timeout ${HELLO_TIMEOUT_MS} ms)`,
      );
    });
  });

  test('an oversized first frame is refused (bad_hello) with close code 1009', async () => {
    await refused('bad_hello', async () => {
      const raw = await openRaw(relay.url);
      await challenge(raw);
      raw.ws.send('x'.repeat(MAX_FRAME + 1024));
      assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1009);
    });
  });

  // ---- dropped after joining: relay_peer_disconnects_total{reason} ----

  test('a malformed JSON frame drops the peer as protocol_error', async () => {
    const how = await dropped('protocol_error', (c) => c.ws.send('{"t":"pub",'));
    assert.equal(how.code, 1008);
  });

  test('a binary frame drops the peer as protocol_error', async () => {
    await dropped('protocol_error', (c) => c.ws.send(Buffer.from('{"t":"ping"}')));
  });

  test('frames of unknown or wrong-direction types drop the peer as protocol_error', async () => {
    const id = newIdentity();
    await dropped('protocol_error', (c) => c.ws.send(JSON.stringify({ t: 'shout' })));
    await dropped('protocol_error', (c) => c.ws.send(JSON.stringify({ t: 'welcome' })));
    await dropped('protocol_error', (c) => c.ws.send(JSON.stringify({ t: 'hello' })));
    await dropped('protocol_error', (c) => c.ws.send(JSON.stringify({ t: 'sub', ns: ['Bad NS'] })));
    await dropped('protocol_error', (c) =>
      c.ws.send(JSON.stringify({ t: 'sub', ns: Array.from({ length: 65 }, (_, i) => `n${i}`) })),
    );
    // Only relay links may send `ev`: a peer forging a relayed event is dropped, not heard.
    await dropped('protocol_error', (c) =>
      c.ws.send(JSON.stringify({ t: 'ev', ev: signEvent(id, 'chat', 1, 'forged relay frame') })),
    );
  });

  test('an oversized frame (> 64 KiB) drops the peer as protocol_error with 1009', async () => {
    const id = newIdentity();
    const how = await dropped('protocol_error', (c) =>
      c.publish(signEvent(id, 'chat', 1, 'y'.repeat(16 * 1024), Date.now()), {
        junk: 'z'.repeat(MAX_FRAME),
      }),
    );
    assert.equal(how.code, 1009);
  });

  test('an event with a bad signature drops the peer and is not delivered', async () => {
    await dropped('protocol_error', (c, id) => {
      const ev = signEvent(id, 'chat', 1, 'honest body');
      c.publish({ ...ev, body: 'tampered body' });
    });
    await dropped('protocol_error', (c, id) => {
      const ev = signEvent(id, 'chat', 1, 'signed by someone else');
      c.publish({ ...ev, author: newIdentity().publicKey });
    });
    await dropped('protocol_error', (c, id) => {
      c.publish({ ...signEvent(id, 'chat', 1, 'no signature'), sig: '' });
    });
  });

  test('an event with a malformed namespace or fields drops the peer and is not delivered', async () => {
    for (const ns of ['Chat', 'chat room', '', '-chat', 'x'.repeat(65), 'chat/../etc'])
      await dropped('protocol_error', (c, id) => c.publish(signEvent(id, ns, 1, 'bad ns')));
    await dropped('protocol_error', (c, id) => c.publish(signEvent(id, 'chat', 0, 'seq 0')));
    await dropped('protocol_error', (c, id) =>
      c.ws.send(JSON.stringify({ t: 'pub', ev: { ...signEvent(id, 'chat', 1, 'b'), seq: '1' } })),
    );
    await dropped('protocol_error', (c) => c.ws.send(JSON.stringify({ t: 'pub', ev: null })));
  });

  test('trace context that is not a small string map drops the peer; the event is not delivered', async () => {
    for (const tc of [
      'traceparent',
      ['a'],
      { traceparent: 42 },
      { traceparent: 'x'.repeat(600) },
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v'])),
    ])
      await dropped('protocol_error', (c, id) =>
        c.ws.send(JSON.stringify({ t: 'pub', ev: signEvent(id, 'chat', 1, 'bad tc'), tc })),
      );
  });

  test(`a flood from one peer (far over ${RATE} msgs/s) drops it as rate_limited; the excess is not delivered`, async () => {
    const id = newIdentity();
    const N = 1000;
    const events = Array.from({ length: N }, (_, i) => signEvent(id, 'chat', i + 1, `flood ${i}`));
    const frames = events.map((ev) => JSON.stringify({ t: 'pub', ev } satisfies Frame));
    // All are validly signed: those within the rate may be delivered, the excess must not.
    for (const e of events) good.add(e.sig);
    const sent = { n: 0 };
    const t0 = performance.now();
    const how = await dropped('rate_limited', (c) => {
      for (let i = 0; i < N && c.ws.readyState === WebSocket.OPEN; i++) {
        c.ws.send(frames[i]!);
        sent.n++;
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(how.code, 1006, 'a flooder is cut off, not politely closed');
    const flood = new Set(events.map((e) => e.sig));
    const delivered = got.all.filter((e) => flood.has(e.sig)).length;
    // The bucket holds 2 s worth; whatever came later was dropped unread.
    const allowed = RATE * 2 + Math.ceil(RATE * seconds) + 1;
    assert.ok(sent.n > allowed, `the flood was real: ${sent.n} frames sent`);
    assert.ok(
      delivered <= allowed,
      `${delivered} of ${sent.n} flood events delivered (at most ${allowed} allowed)`,
    );
    const seqs = got.all.filter((e) => flood.has(e.sig)).map((e) => e.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: delivered }, (_, i) => i + 1),
      'the first ones, in order',
    );
  });

  test('the replay applied only the good events', async () => {
    const expected = got.all.length;
    await until(
      async () => (await scrape(replay.metricsUrl)).get('replay_events_applied_total') === expected,
      WAIT_MS,
      `replay_events_applied_total = ${expected}`,
    );
    const stats = (await (await fetch(`${replay.url}/stats`)).json()) as { applied: number };
    assert.equal(stats.applied, expected);
  });

  // ---- the replay's sync socket ----

  test('bad sync frames are answered with protocol_error and the socket is closed; good syncs still work', async () => {
    const key = newIdentity().publicKey;
    const bad: Array<string | Buffer> = [
      JSON.stringify({ t: 'sync', ns: 'Bad NS', since: {} }),
      JSON.stringify({ t: 'sync', ns: 'chat' }),
      JSON.stringify({ t: 'sync', ns: 'chat', since: [] }),
      JSON.stringify({ t: 'sync', ns: 'chat', since: null }),
      JSON.stringify({ t: 'sync', ns: 'chat', since: { [key]: -1 } }),
      JSON.stringify({ t: 'sync', ns: 'chat', since: { [key]: 1.5 } }),
      JSON.stringify({ t: 'sync', ns: 'chat', since: { [key]: '3' } }),
      JSON.stringify({ t: 'sync', ns: 7, since: {} }),
      JSON.stringify({ t: 'pub', ev: signEvent(newIdentity(), 'chat', 1, 'not here') }),
      JSON.stringify({ t: 'what' }),
      '{"t":"sync",',
      Buffer.from([1, 2, 3]),
    ];
    const servedBefore = (await scrape(replay.metricsUrl)).get('replay_peers_served_total') ?? 0;
    for (const frame of bad) {
      const frames: Frame[] = [];
      const c = await connectPeer({
        url: replayWs,
        identity: newIdentity(),
        onFrame: (f) => void frames.push(f),
      });
      const closed = new Promise<number>((r) => c.ws.on('close', (code) => r(code)));
      c.ws.send(frame);
      assert.equal(await within(closed, WAIT_MS, `close after ${String(frame)}`), 1008);
      assert.deepEqual(frames, [{ t: 'err', reason: 'protocol_error' }], String(frame));
    }
    // Oversized: closed by the WebSocket layer.
    const big = await connectPeer({ url: replayWs, identity: newIdentity() });
    const bigClosed = new Promise<number>((r) => big.ws.on('close', (code) => r(code)));
    big.sync('chat', { [key]: 0, pad: 0, ...{ ['x'.repeat(MAX_FRAME)]: 0 } });
    assert.equal(await within(bigClosed, WAIT_MS, 'oversized sync closed'), 1009);

    // A bad hello is refused there too.
    const raw = await openRaw(replayWs);
    const nonce = await challenge(raw);
    raw.ws.send(
      JSON.stringify({ t: 'hello', key, sig: signBytes(newIdentity(), helloBytes(nonce)) }),
    );
    assert.equal((await within(raw.closed, WAIT_MS, 'close')).code, 1008);
    assert.deepEqual(raw.frames.at(-1), { t: 'err', reason: 'bad_signature' });

    // The replay is still up and serves only good events.
    const frames: Frame[] = [];
    const c = await connectPeer({
      url: replayWs,
      identity: newIdentity(),
      onFrame: (f) => void frames.push(f),
    });
    c.sync('chat', {});
    await until(() => frames.some((f) => f.t === 'sync-done'), WAIT_MS, 'sync-done');
    c.close();
    const evs = frames.flatMap((f) => (f.t === 'ev' ? [f.ev] : []));
    const done = frames.find((f) => f.t === 'sync-done');
    assert.ok(done?.t === 'sync-done' && done.count === evs.length && evs.length > 0);
    for (const e of evs) assert.ok(good.has(e.sig), 'the replay serves only good events');
    assert.equal(
      (await scrape(replay.metricsUrl)).get('replay_peers_served_total'),
      servedBefore + 1,
      'only the good sync was served',
    );
  });

  test('a sync flood from one peer is bounded: the excess is answered busy, other peers are still served', async () => {
    const N = 500;
    const replies = { done: 0, busy: 0, other: 0 };
    const flooder = await connectPeer({
      url: replayWs,
      identity: newIdentity(),
      onFrame: (f) => {
        if (f.t === 'sync-done') replies.done++;
        else if (f.t === 'err' && f.reason === 'busy') replies.busy++;
        else if (f.t !== 'ev') replies.other++;
      },
    });
    const frame = JSON.stringify({ t: 'sync', ns: 'chat', since: {} } satisfies Frame);
    for (let i = 0; i < N && flooder.ws.readyState === WebSocket.OPEN; i++) flooder.ws.send(frame);
    await until(() => replies.done + replies.busy === N, WAIT_MS, 'every sync answered');
    assert.equal(replies.other, 0);
    assert.ok(replies.busy >= N / 2, `${replies.busy} of ${N} refused as busy`);
    const frames: Frame[] = [];
    const polite = await connectPeer({
      url: replayWs,
      identity: newIdentity(),
      onFrame: (f) => void frames.push(f),
    });
    polite.sync('chat', {});
    await until(() => frames.some((f) => f.t === 'sync-done'), 2000, 'another peer is served');
    flooder.close();
    polite.close();
  });

  // ---- HTTP endpoints ----

  test('replay HTTP: bad query parameters are 400 with a message naming the parameter', async () => {
    const key = newIdentity().publicKey;
    const cases: Array<[string, number, RegExp]> = [
      [`/events?ns=Bad%20NS&author=${key}`, 400, /^ns: /],
      [`/events?author=${key}`, 400, /^ns: /],
      ['/events?ns=chat&author=nope', 400, /^author: /],
      ['/events?ns=chat', 400, /^author: /],
      [`/events?ns=chat&author=${key}&after_seq=-1`, 400, /^after_seq: /],
      [`/events?ns=chat&author=${key}&after_seq=abc`, 400, /^after_seq: /],
      [`/events?ns=chat&author=${key}&after_seq=1.5`, 400, /^after_seq: /],
      [`/events?ns=chat&author=${key}&limit=0`, 400, /^limit: /],
      [`/events?ns=chat&author=${key}&limit=1001`, 400, /^limit: /],
      [`/events?ns=chat&author=${key}&limit=ten`, 400, /^limit: /],
      ['/nope', 404, /not found/],
    ];
    for (const [path, status, message] of cases) {
      const res = await fetch(`${replay.url}${path}`, { signal: AbortSignal.timeout(WAIT_MS) });
      const body = (await res.json()) as { error?: string };
      assert.equal(res.status, status, path);
      assert.match(body.error ?? '', message, path);
    }
    const post = await fetch(`${replay.url}/events?ns=chat&author=${key}`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
    const ok = await fetch(`${replay.url}/events?ns=chat&author=${publisher.publicKey}`);
    const events = ((await ok.json()) as { events: SignedEvent[] }).events;
    assert.equal(ok.status, 200);
    assert.equal(events.length, goodSeq);
  });

  test('fault control endpoints refuse bad bodies and unknown faults with 4xx and a message', async () => {
    const post = (base: string, body: string, type = 'application/json') =>
      fetch(`${base.replace(/^ws/, 'http')}/control/fault`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
        signal: AbortSignal.timeout(WAIT_MS),
      });
    const cases: Array<[string, string, string, number, RegExp]> = [
      [
        relay.url,
        '{"name":"slow-disk","on":true}',
        'application/json',
        400,
        /unknown fault "slow-disk".*relay-cpu, dial-fail/,
      ],
      [relay.url, '{"name":"relay-cpu","on":"yes"}', 'application/json', 400, /"on": boolean/],
      [
        relay.url,
        '{"name":"relay-cpu","on":true,"value":-5}',
        'application/json',
        400,
        /"value" must be a number/,
      ],
      [relay.url, '{"name":', 'application/json', 400, /not valid JSON/],
      [relay.url, 'name=relay-cpu', 'text/plain', 415, /content-type application\/json/],
      [
        replay.url,
        '{"name":"dial-fail","on":true}',
        'application/json',
        400,
        /unknown fault "dial-fail".*stall-replay/,
      ],
      [replay.url, 'x'.repeat(5000), 'application/json', 413, /over the limit/],
    ];
    for (const [base, body, type, status, message] of cases) {
      const res = await post(base, body, type);
      const json = (await res.json()) as { error?: string };
      assert.equal(res.status, status, body.slice(0, 60));
      assert.match(json.error ?? '', message, body.slice(0, 60));
    }
    const state = await fetch(`${relay.url.replace(/^ws/, 'http')}/control/fault`);
    assert.deepEqual(await state.json(), {
      'relay-cpu': { on: false, value: 0 },
      'dial-fail': { on: false, value: 0 },
      'ws-reject': { on: false, value: 0 },
    });
    const unknown = await fetch(`${relay.url.replace(/^ws/, 'http')}/anything`);
    assert.equal(unknown.status, 404);
    await unknown.arrayBuffer();
    await relayStillWorks();
  });
});
