import type { RawData } from 'ws';
import type { DISCONNECT_REASONS } from '@canopy/catalog';
import type { ActorSystem, Actor } from '../actors/actor.js';
import { checkEvent, eventId, NS_RE, type SignedEvent } from '../protocol/event.js';
import { MAX_SUBS, parseFrame, type Frame } from '../protocol/frames.js';
import type { RelayMetrics } from './metrics.js';

/** Why a relay session ended (the catalog's `reason` label). */
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

/**
 * The part of a `ws` WebSocket the relay's per-frame and fan-out logic uses; a real socket
 * or, in benchmarks, a stub.
 */
export interface RelaySocket {
  /** 1 while open (as `WebSocket.OPEN`). */
  readonly readyState: number;
  /** Bytes queued but not yet written. */
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
}

/** One connected peer, relay link or replay, as the relay core tracks it. */
export interface RelaySession<W extends RelaySocket = RelaySocket> {
  readonly ws: W;
  role: 'peer' | 'relay' | 'replay';
  readonly subs: Set<string>;
  all: boolean;
  joined: boolean;
  closeReason: DisconnectReason | undefined;
  tokens: number;
  refilledAt: number;
  inbox: Actor<Frame> | undefined;
}

/** Options of {@link createRelayCore}. */
export interface RelayCoreOptions {
  readonly metrics: RelayMetrics;
  readonly system: ActorSystem;
  /** A peer whose unsent bytes exceed this is a slow consumer and is dropped. */
  readonly sendLimit: number;
  /** Sustained messages per second per session before it is dropped as a flood. */
  readonly rate: number;
  /**
   * Whether to verify event signatures. Default true; `false` exists only so benchmarks can
   * measure the rest of the path without the (dominant) ed25519 verification.
   */
  readonly verify?: boolean;
}

interface FanoutMsg<W extends RelaySocket> {
  ev: SignedEvent;
  from: RelaySession<W>;
}

const SEEN_MAX = 200_000;

/**
 * Trace context is fanned out to every subscriber with the event, so it must be what it
 * claims (a few short string fields such as `traceparent`), not arbitrary peer data.
 */
function traceCarrierOk(tc: unknown): boolean {
  if (tc === undefined) return true;
  if (typeof tc !== 'object' || tc === null || Array.isArray(tc)) return false;
  // One pass over the keys, no entries array per frame.
  let n = 0;
  for (const k in tc) {
    if (!Object.hasOwn(tc, k)) continue;
    const v = (tc as Record<string, unknown>)[k];
    if (++n > 4 || k.length > 32 || typeof v !== 'string' || v.length > 512) return false;
  }
  return true;
}

/**
 * The relay without its network: sessions, subscriptions, rate limiting, frame handling,
 * de-duplication and fan-out. {@link startRelay} feeds it sockets; benchmarks feed it stubs.
 *
 * @example
 * const core = createRelayCore({ metrics: relayMetrics(registry), system, sendLimit: 1 << 20, rate: 2000 });
 * const s = core.newSession(ws, 'peer');
 * core.join(s);
 * ws.on('message', (data, isBinary) => core.onMessage(s, data, isBinary));
 */
export function createRelayCore<W extends RelaySocket>(o: RelayCoreOptions) {
  const { metrics: m, system, sendLimit, rate } = o;
  const verify = o.verify ?? true;
  const sessions = new Set<RelaySession<W>>();
  const byNs = new Map<string, Set<RelaySession<W>>>();
  const wildcard = new Set<RelaySession<W>>();
  const seen = new Map<string, true>();
  let joined = 0;

  function markSeen(id: string): boolean {
    if (seen.has(id)) return false;
    seen.set(id, true);
    if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value!);
    return true;
  }

  function drop(s: RelaySession<W>, reason: DisconnectReason, code = 1008): void {
    if (s.closeReason === undefined) s.closeReason = reason;
    if (reason === 'slow_consumer' || reason === 'rate_limited') s.ws.terminate();
    else s.ws.close(code, reason);
  }

  /** Sends a frame to one session; 1 if sent, 0 if not (closed, or dropped as slow). */
  function deliver(s: RelaySession<W>, frame: Buffer, bytes: number): number {
    if (s.ws.readyState !== 1 || s.closeReason !== undefined) return 0;
    // Relay links and the replay carry everything: they get a deeper queue than a peer.
    if (s.ws.bufferedAmount > (s.role === 'peer' ? sendLimit : sendLimit * 64)) {
      drop(s, 'slow_consumer');
      return 0;
    }
    s.ws.send(frame, { binary: false });
    m.bytesOut.inc(bytes);
    m.gossipOut.inc();
    return 1;
  }

  // The "relay fan-out" span (when tracing is on): publish taken from the session's inbox →
  // sent to every subscriber; the event goes out with the span's own trace context.
  const fanout = system.spawn<FanoutMsg<W>>(
    'relay_fanout',
    () => (msg, ctx) => {
      // Encoded once per event, not once per subscriber.
      const frame = Buffer.from(
        JSON.stringify({ t: 'ev', ev: msg.ev, tc: ctx.trace } satisfies Frame),
      );
      const bytes = frame.length;
      let sent = 0;
      const subs = byNs.get(msg.ev.ns);
      if (subs !== undefined)
        for (const s of subs) if (s !== msg.from) sent += deliver(s, frame, bytes);
      for (const s of wildcard) if (s !== msg.from) sent += deliver(s, frame, bytes);
      // Counts only: never which peers.
      if (ctx.span !== undefined) {
        ctx.span.setAttribute('canopy.fanout.recipients', sent);
        ctx.span.setAttribute('canopy.event.bytes', bytes);
      }
    },
    { capacity: 65_536, span: 'relay fan-out' },
  );

  function unsubscribeAll(s: RelaySession<W>): void {
    for (const ns of s.subs) {
      const set = byNs.get(ns);
      set?.delete(s);
      if (set !== undefined && set.size === 0) byNs.delete(ns);
    }
    s.subs.clear();
    wildcard.delete(s);
  }

  function handleFrame(s: RelaySession<W>, f: Frame): void {
    switch (f.t) {
      case 'sub': {
        if (s.ws.readyState !== 1) return;
        if (!Array.isArray(f.ns) || f.ns.length > MAX_SUBS) return drop(s, 'protocol_error');
        for (const ns of f.ns) {
          if (ns === '*') {
            s.all = true;
            wildcard.add(s);
          } else if (typeof ns === 'string' && NS_RE.test(ns)) {
            if (s.subs.size >= MAX_SUBS) return drop(s, 'protocol_error');
            s.subs.add(ns);
            let set = byNs.get(ns);
            if (set === undefined) byNs.set(ns, (set = new Set()));
            set.add(s);
          } else return drop(s, 'protocol_error');
        }
        return;
      }
      case 'pub':
      case 'ev': {
        if (f.t === 'ev' && s.role !== 'relay') return drop(s, 'protocol_error');
        const ev = checkEvent(f.ev, verify);
        if (typeof ev === 'string' || !traceCarrierOk(f.tc)) return drop(s, 'protocol_error');
        m.gossipIn.inc();
        if (!markSeen(eventId(ev))) return;
        const msg: FanoutMsg<W> = { ev, from: s };
        if (!fanout.trySend(msg, f.tc)) {
          // Fan-out is behind: stop reading from this peer until it catches up.
          s.ws.pause();
          fanout.send(msg, f.tc).then(
            () => s.ws.resume(),
            () => {},
          );
        }
        return;
      }
      case 'ping':
        return;
      default:
        return drop(s, 'protocol_error');
    }
  }

  /** Counts a session as joined and starts its inbox actor. */
  function join(s: RelaySession<W>): void {
    s.joined = true;
    joined++;
    sessions.add(s);
    m.peers.set(joined);
    m.connects.inc();
    s.inbox = system.spawn<Frame>('relay_session', () => (f) => handleFrame(s, f), {
      capacity: 512,
    });
  }

  /** Subscribes a session to every namespace (relay links). */
  function subscribeAll(s: RelaySession<W>): void {
    s.all = true;
    wildcard.add(s);
  }

  /** One received WebSocket message: token bucket, parse, then the session's inbox. */
  function onMessage(s: RelaySession<W>, data: RawData, isBinary: boolean): void {
    const size = (data as Buffer).length;
    m.bytesIn.inc(size);
    if (isBinary) return drop(s, 'protocol_error');
    const now = performance.now();
    s.tokens = Math.min(rate * 2, s.tokens + ((now - s.refilledAt) * rate) / 1000);
    s.refilledAt = now;
    if (--s.tokens < 0) return drop(s, 'rate_limited');
    const f = parseFrame(data.toString());
    if (f === undefined) return drop(s, 'protocol_error');
    if (!s.inbox!.trySend(f, f.t === 'pub' || f.t === 'ev' ? f.tc : undefined))
      drop(s, 'rate_limited');
  }

  /** The session's socket closed with `code`. */
  function onClose(s: RelaySession<W>, code: number): void {
    // Frames that arrived before the close are still handled (nothing published is lost).
    s.inbox?.stopWhenDrained();
    unsubscribeAll(s);
    if (!s.joined) return;
    sessions.delete(s);
    joined--;
    m.peers.set(joined);
    const reason: DisconnectReason =
      s.closeReason ??
      (code === 1000 || code === 1001 || code === 1005
        ? 'client_close'
        : code === 1009
          ? 'protocol_error'
          : 'error');
    m.disconnects.labels({ reason }).inc();
  }

  /** A new, not yet joined session over `ws`. */
  function newSession(ws: W, role: RelaySession['role']): RelaySession<W> {
    return {
      ws,
      role,
      subs: new Set(),
      all: false,
      joined: false,
      closeReason: undefined,
      tokens: rate * 2,
      refilledAt: performance.now(),
      inbox: undefined,
    };
  }

  return {
    /** Joined sessions. */
    sessions: sessions as ReadonlySet<RelaySession<W>>,
    /** How many sessions are joined. */
    joined: () => joined,
    newSession,
    join,
    subscribeAll,
    onMessage,
    onClose,
    drop,
  };
}

/** A relay core (see {@link createRelayCore}). */
export type RelayCore<W extends RelaySocket = RelaySocket> = ReturnType<typeof createRelayCore<W>>;
