import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { DISCONNECT_REASONS } from '@canopy/catalog';
import { ActorSystem, type Actor } from '../actors/actor.js';
import { checkEvent, eventId, NS_RE, type SignedEvent } from '../protocol/event.js';
import { newIdentity, type Identity } from '../protocol/keys.js';
import { isProtocolError, serverHandshake } from '../protocol/handshake.js';
import { MAX_FRAME, MAX_SUBS, parseFrame, type Frame } from '../protocol/frames.js';
import { Faults } from '../common/faults.js';
import { createLogger, type Logger } from '../common/log.js';
import { sendJson } from '../common/http.js';
import {
  closeServer,
  hostForUrl,
  portOf,
  startMetrics,
  type RunningService,
} from '../common/service.js';
import { relayMetrics, type RelayMetrics } from './metrics.js';
import { RelayDialer } from './dialer.js';
import type { TraceCarrier } from '../actors/actor.js';

type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

/** Options of {@link startRelay}. */
export interface RelayOptions {
  readonly listen: { readonly host: string; readonly port: number };
  readonly metrics: { readonly host: string; readonly port: number };
  /** Other relays to dial and keep linked (`ws://host:port`). */
  readonly peerRelays?: readonly string[];
  /** The relay's own identity (for relay-to-relay hellos). Default: a fresh one. */
  readonly identity?: Identity;
  /** A peer whose unsent bytes exceed this is a slow consumer and is dropped. Default 1 MiB. */
  readonly sendQueueBytes?: number;
  /** Sustained messages per second per peer before it is dropped as a flood. Default 2000. */
  readonly maxMsgsPerSecond?: number;
  /** Most peers at once; more are refused. Default 10000. */
  readonly maxPeers?: number;
  /** Time a peer has to answer the challenge. Default 5000 ms. */
  readonly helloTimeoutMs?: number;
  /** Time between keep-alive pings; a peer (or link) that misses a round is dropped. Default 15000 ms. */
  readonly pingIntervalMs?: number;
  readonly logger?: Logger;
}

interface Session {
  readonly ws: WebSocket;
  role: 'peer' | 'relay' | 'replay';
  readonly subs: Set<string>;
  all: boolean;
  joined: boolean;
  closeReason: DisconnectReason | undefined;
  tokens: number;
  refilledAt: number;
  inbox: Actor<Frame> | undefined;
}

interface FanoutMsg {
  ev: SignedEvent;
  tc: TraceCarrier | undefined;
  from: Session;
}

const SEEN_MAX = 200_000;

/**
 * Trace context is fanned out to every subscriber with the event, so it must be what it
 * claims (a few short string fields such as `traceparent`), not arbitrary peer data.
 */
function traceCarrierOk(tc: unknown): boolean {
  if (tc === undefined) return true;
  if (typeof tc !== 'object' || tc === null || Array.isArray(tc)) return false;
  const entries = Object.entries(tc);
  return (
    entries.length <= 4 &&
    entries.every(([k, v]) => k.length <= 32 && typeof v === 'string' && v.length <= 512)
  );
}

/**
 * The relay: a WebSocket server where peers prove their ed25519 key, subscribe to
 * namespaces and publish signed events that are fanned out to subscribers and to linked
 * relays. Emits every relay metric of the catalog.
 *
 * @example const relay = await startRelay({ listen: { host: '127.0.0.1', port: 7000 }, metrics: { host: '127.0.0.1', port: 9464 } });
 */
export async function startRelay(
  o: RelayOptions,
): Promise<RunningService & { readonly peers: () => number }> {
  const log = o.logger ?? createLogger('relay');
  const {
    registry,
    server: metricsServer,
    url: metricsUrl,
  } = await startMetrics(o.metrics.host, o.metrics.port);
  const m: RelayMetrics = relayMetrics(registry);
  const system = new ActorSystem(registry);
  const faults = new Faults(['relay-cpu', 'dial-fail']);
  const identity = o.identity ?? newIdentity();
  const sendLimit = o.sendQueueBytes ?? 1024 * 1024;
  const rate = o.maxMsgsPerSecond ?? 2000;
  const maxPeers = o.maxPeers ?? 10_000;
  const sessions = new Set<Session>();
  const byNs = new Map<string, Set<Session>>();
  const wildcard = new Set<Session>();
  const seen = new Map<string, true>();
  let joined = 0;

  function markSeen(id: string): boolean {
    if (seen.has(id)) return false;
    seen.set(id, true);
    if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value!);
    return true;
  }

  function drop(s: Session, reason: DisconnectReason, code = 1008): void {
    if (s.closeReason === undefined) s.closeReason = reason;
    if (reason === 'slow_consumer' || reason === 'rate_limited') s.ws.terminate();
    else s.ws.close(code, reason);
  }

  function deliver(s: Session, frame: Buffer, bytes: number): void {
    if (s.ws.readyState !== 1 || s.closeReason !== undefined) return;
    // Relay links and the replay carry everything: they get a deeper queue than a peer.
    if (s.ws.bufferedAmount > (s.role === 'peer' ? sendLimit : sendLimit * 64))
      return drop(s, 'slow_consumer');
    s.ws.send(frame, { binary: false });
    m.bytesOut.inc(bytes);
    m.gossipOut.inc();
  }

  const fanout = system.spawn<FanoutMsg>(
    'relay_fanout',
    () => (msg) => {
      // Encoded once per event, not once per subscriber.
      const frame = Buffer.from(
        JSON.stringify({ t: 'ev', ev: msg.ev, tc: msg.tc } satisfies Frame),
      );
      const bytes = frame.length;
      const subs = byNs.get(msg.ev.ns);
      if (subs !== undefined) for (const s of subs) if (s !== msg.from) deliver(s, frame, bytes);
      for (const s of wildcard) if (s !== msg.from) deliver(s, frame, bytes);
    },
    { capacity: 65_536 },
  );

  function unsubscribeAll(s: Session): void {
    for (const ns of s.subs) {
      const set = byNs.get(ns);
      set?.delete(s);
      if (set !== undefined && set.size === 0) byNs.delete(ns);
    }
    s.subs.clear();
    wildcard.delete(s);
  }

  function handleFrame(s: Session, f: Frame): void {
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
        const ev = checkEvent(f.ev);
        if (typeof ev === 'string' || !traceCarrierOk(f.tc)) return drop(s, 'protocol_error');
        m.gossipIn.inc();
        if (!markSeen(eventId(ev))) return;
        const msg: FanoutMsg = { ev, tc: f.tc, from: s };
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

  function join(s: Session): void {
    s.joined = true;
    joined++;
    sessions.add(s);
    m.peers.set(joined);
    m.connects.inc();
    s.inbox = system.spawn<Frame>('relay_session', () => (f) => handleFrame(s, f), {
      capacity: 512,
    });
  }

  function onMessage(s: Session, data: RawData, isBinary: boolean): void {
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

  function onClose(s: Session, code: number): void {
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

  function newSession(ws: WebSocket, role: Session['role']): Session {
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

  function accept(ws: WebSocket): void {
    const s = newSession(ws, 'peer');
    ws.on('error', (e) => {
      // A frame over MAX_FRAME (ws closes with 1009) or other protocol breakage is the peer's fault.
      s.closeReason ??= isProtocolError(e) ? 'protocol_error' : 'error';
    });
    ws.on('close', (code) => onClose(s, code));
    serverHandshake(ws, {
      timeoutMs: o.helloTimeoutMs ?? 5000,
      canJoin: () => joined < maxPeers,
      onResult: (result, bytes) => {
        m.bytesIn.inc(bytes);
        m.upgrades.labels({ result }).inc();
      },
      onJoin: (role) => {
        s.role = role;
        join(s);
        ws.on('message', (data, isBinary) => onMessage(s, data, isBinary));
      },
    });
  }

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (faults.handle(req, res)) return;
    if (req.url === '/healthz') return sendJson(res, 200, { ok: true });
    if (req.url === '/stats') return sendJson(res, 200, { peers: joined, links: dialers.length });
    sendJson(res, 404, {
      error: 'not found: the relay serves WebSocket peers, /healthz, /stats and /control/fault',
    });
  });
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_FRAME });
  wss.on('connection', accept);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const url = `ws://${hostForUrl(o.listen.host)}:${portOf(http)}`;

  const dialers = (o.peerRelays ?? []).map(
    (peerUrl) =>
      new RelayDialer({
        url: peerUrl,
        identity,
        metrics: m,
        faults,
        log,
        onLink: (ws) => {
          const s = newSession(ws, 'relay');
          // A dialed link answers pings like an accepted peer; without this the pinger
          // dropped every outbound link as timed out within 30 s.
          alive.set(ws, true);
          ws.on('pong', () => alive.set(ws, true));
          join(s);
          s.all = true;
          wildcard.add(s);
          ws.on('message', (data, isBinary) => onMessage(s, data, isBinary));
          ws.on('close', (code) => onClose(s, code));
        },
      }),
  );
  for (const d of dialers) d.start();

  // Faults: burn CPU while relay-cpu is on; cut links while dial-fail is on.
  let lastDialFail = false;
  const faultTimer = setInterval(() => {
    const cpu = faults.get('relay-cpu');
    if (cpu.on) {
      const share = cpu.value > 0 ? Math.min(cpu.value, 95) : 80;
      const until = performance.now() + (20 * share) / 100;
      while (performance.now() < until) {
        // busy: this is the fault
      }
    }
    const df = faults.get('dial-fail').on;
    if (df && !lastDialFail) for (const d of dialers) d.drop();
    lastDialFail = df;
  }, 20);
  faultTimer.unref();

  // Keep-alive: a peer that misses a ping round is dropped as timed out.
  const alive = new WeakMap<WebSocket, boolean>();
  const pinger = setInterval(() => {
    for (const s of sessions) {
      if (alive.get(s.ws) === false) {
        drop(s, 'timeout');
        continue;
      }
      alive.set(s.ws, false);
      s.ws.ping();
    }
  }, o.pingIntervalMs ?? 15_000);
  pinger.unref();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  });

  log.info({ url, metrics: metricsUrl, links: dialers.length }, 'relay listening');
  return {
    name: 'relay',
    url,
    metricsUrl,
    registry,
    peers: () => joined,
    async stop() {
      clearInterval(faultTimer);
      clearInterval(pinger);
      for (const d of dialers) d.stop();
      for (const s of sessions) {
        s.closeReason ??= 'server_shutdown';
        s.ws.close(1001, 'server_shutdown');
      }
      for (const c of wss.clients) c.terminate();
      wss.close();
      system.stop();
      await closeServer(http);
      await closeServer(metricsServer);
    },
  };
}
