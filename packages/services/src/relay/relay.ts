import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { ActorSystem } from '../actors/actor.js';
import { newIdentity, type Identity } from '../protocol/keys.js';
import { isProtocolError, serverHandshake } from '../protocol/handshake.js';
import { MAX_FRAME } from '../protocol/frames.js';
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
import { serviceTracing, type ServiceTracingOptions } from '../common/tracing.js';
import { relayMetrics, type RelayMetrics } from './metrics.js';
import { RelayDialer } from './dialer.js';
import { createRelayCore } from './core.js';

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
  /** OTLP export of the relay's spans (`relay fan-out`). Default: off. */
  readonly tracing?: ServiceTracingOptions;
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
  const { tracing, tracer } = serviceTracing('relay', registry, o.tracing);
  const system = new ActorSystem(registry, tracer);
  const faults = new Faults(['relay-cpu', 'dial-fail', 'ws-reject']);
  const identity = o.identity ?? newIdentity();
  const sendLimit = o.sendQueueBytes ?? 1024 * 1024;
  const rate = o.maxMsgsPerSecond ?? 2000;
  const maxPeers = o.maxPeers ?? 10_000;
  const core = createRelayCore<WebSocket>({ metrics: m, system, sendLimit, rate });
  const { sessions, newSession, join, onMessage, onClose, drop } = core;

  function accept(ws: WebSocket): void {
    const s = newSession(ws, 'peer');
    ws.on('error', (e) => {
      // A frame over MAX_FRAME (ws closes with 1009) or other protocol breakage is the peer's fault.
      s.closeReason ??= isProtocolError(e) ? 'protocol_error' : 'error';
    });
    ws.on('close', (code) => onClose(s, code));
    serverHandshake(ws, {
      timeoutMs: o.helloTimeoutMs ?? 5000,
      // ws-reject: every peer's hello is refused (result="rejected"), as a full relay would.
      canJoin: () => !faults.get('ws-reject').on && core.joined() < maxPeers,
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
    if (req.url === '/stats')
      return sendJson(res, 200, { peers: core.joined(), links: dialers.length });
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
          core.subscribeAll(s);
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
    tracing: tracing.stats,
    peers: () => core.joined(),
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
      await tracing.shutdown();
      await closeServer(http);
      await closeServer(metricsServer);
    },
  };
}
