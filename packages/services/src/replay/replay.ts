import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { replay as spec } from '@canopy/catalog';
import { ActorSystem } from '../actors/actor.js';
import { checkEvent, NS_RE, type SignedEvent } from '../protocol/event.js';
import { newIdentity, type Identity } from '../protocol/keys.js';
import { MAX_FRAME, parseFrame, type Frame } from '../protocol/frames.js';
import { serverHandshake } from '../protocol/handshake.js';
import { connectPeer, type PeerConnection } from '../protocol/client.js';
import { Faults } from '../common/faults.js';
import { createLogger, type Logger } from '../common/log.js';
import { HttpError, sendError, sendJson } from '../common/http.js';
import {
  closeServer,
  hostForUrl,
  portOf,
  startMetrics,
  type RunningService,
} from '../common/service.js';
import { serviceTracing, type ServiceTracingOptions } from '../common/tracing.js';
import { HeadSet } from './heads.js';
import { Forwarder } from './forwarder.js';

/** Options of {@link startReplay}. */
export interface ReplayOptions {
  /** Relay to join as a peer (`ws://…`). */
  readonly relayUrl: string;
  /** Storage to forward applied events to (`http://…`). */
  readonly storageUrl: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly metrics: { readonly host: string; readonly port: number };
  readonly identity?: Identity;
  /** Sync requests waiting beyond this are refused with `busy`. Default 10000. */
  readonly syncQueueLimit?: number;
  readonly logger?: Logger;
  /** OTLP export of the replay's spans (`replay apply`, `replay sync session`, `replay forward batch`). Default: off. */
  readonly tracing?: ServiceTracingOptions;
}

interface SyncRequest {
  ws: WebSocket;
  ns: string;
  since: Record<string, number>;
}

const SYNC_LIMIT = 5000;
/** Sync requests one peer may have waiting; more are answered `busy` (a flood stays bounded). */
const MAX_SYNCS_PER_PEER = 4;

function sinceOk(v: unknown): v is Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const entries = Object.entries(v);
  return (
    entries.length <= 10_000 &&
    entries.every(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0)
  );
}

/**
 * The replay: joins a relay as a peer, verifies and applies every event (dedupe, per
 * namespace/author heads), forwards applied events to storage in batches and serves sync
 * sessions ("what am I missing since X") on its own WebSocket.
 */
export async function startReplay(
  o: ReplayOptions,
): Promise<RunningService & { readonly applied: () => number }> {
  const log = o.logger ?? createLogger('replay');
  const {
    registry,
    server: metricsServer,
    url: metricsUrl,
  } = await startMetrics(o.metrics.host, o.metrics.port);
  const { tracing, tracer } = serviceTracing('replay', registry, o.tracing);
  const system = new ActorSystem(registry, tracer);
  const faults = new Faults(['stall-replay']);
  const heads = new HeadSet();
  const forwarder = new Forwarder({
    storageUrl: o.storageUrl,
    log,
    ...(tracer !== undefined ? { tracer } : {}),
  });
  const identity = o.identity ?? newIdentity();
  let stopped = false;
  let appliedCount = 0;

  const waitWhileStalled = async (): Promise<void> => {
    for (let i = 0; faults.get('stall-replay').on && !stopped && i < 1_000_000; i++)
      await new Promise((r) => setTimeout(r, 50));
  };

  const applied = registry.counter(spec.eventsApplied).labels();
  const served = registry.counter(spec.peersServed).labels();
  const headSize = registry.gauge(spec.headSetSize).labels();
  registry.gauge(spec.headEventAge, {
    collect: (g) =>
      g.labels().set(heads.newestTs === 0 ? 0 : Math.max(0, (Date.now() - heads.newestTs) / 1000)),
  });

  const forward = system.spawn<SignedEvent>(
    'replay_forwarder',
    () => (ev, ctx) => forwarder.push(ev, ctx.trace),
    { capacity: 65_536 },
  );
  const applier = system.spawn<SignedEvent>(
    'replay_applier',
    () => async (raw, ctx) => {
      await waitWhileStalled();
      const ev = checkEvent(raw);
      if (typeof ev === 'string') {
        log.warn({ problem: ev }, 'event refused');
        ctx.span?.setAttribute('canopy.result', ev);
        return;
      }
      if (!heads.apply(ev)) {
        ctx.span?.setAttribute('canopy.result', 'duplicate');
        return;
      }
      ctx.span?.setAttribute('canopy.result', 'applied');
      appliedCount++;
      applied.inc();
      headSize.set(heads.size);
      if (!forward.trySend(ev, ctx.trace)) await forward.send(ev, ctx.trace);
    },
    { capacity: 65_536, span: 'replay apply' },
  );
  // Sync requests each peer has waiting: one peer may not fill the queue for everyone.
  const queuedBy = new WeakMap<WebSocket, number>();
  const syncer = system.spawn<SyncRequest>(
    'replay_sync',
    () => async (req, ctx) => {
      queuedBy.set(req.ws, (queuedBy.get(req.ws) ?? 1) - 1);
      await waitWhileStalled();
      if (req.ws.readyState !== 1) return;
      const events = heads.missing(req.ns, req.since, SYNC_LIMIT);
      for (const ev of events) req.ws.send(JSON.stringify({ t: 'ev', ev } satisfies Frame));
      req.ws.send(
        JSON.stringify({ t: 'sync-done', ns: req.ns, count: events.length } satisfies Frame),
      );
      served.inc();
      ctx.span?.setAttribute('canopy.events', events.length);
    },
    { capacity: o.syncQueueLimit ?? 10_000, span: 'replay sync session' },
  );
  registry.gauge(spec.syncQueueDepth, { collect: (g) => g.labels().set(syncer.depth) });

  // The relay link: reconnects with backoff; events go to the applier with backpressure.
  let link: PeerConnection | undefined;
  let attempt = 0;
  const connect = async (): Promise<void> => {
    while (!stopped) {
      try {
        link = await connectPeer({
          url: o.relayUrl,
          identity,
          role: 'replay',
          onFrame: (f) => {
            if (f.t !== 'ev') return;
            if (!applier.trySend(f.ev, f.tc)) {
              link?.ws.pause();
              applier.send(f.ev, f.tc).then(
                () => link?.ws.resume(),
                () => {},
              );
            }
          },
        });
        attempt = 0;
        link.subscribe(['*']);
        log.info('joined relay');
        await new Promise<void>((r) => link!.ws.once('close', () => r()));
        if (!stopped) log.warn('relay link closed; reconnecting');
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'relay join failed');
      }
      if (stopped) return;
      const delay = Math.min(5000, 100 * 2 ** Math.min(attempt++, 6));
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  };
  void connect();

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (faults.handle(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://replay');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
      if (url.pathname === '/stats')
        return sendJson(res, 200, {
          applied: appliedCount,
          heads: heads.size,
          forwarded: forwarder.forwarded,
          pendingForward: forwarder.pending,
        });
      if (url.pathname === '/events') {
        if (req.method !== 'GET') throw new HttpError(405, 'use GET');
        const ns = url.searchParams.get('ns') ?? '';
        const author = url.searchParams.get('author') ?? '';
        const after = Number(url.searchParams.get('after_seq') ?? '0');
        const limit = Number(url.searchParams.get('limit') ?? '500');
        if (!NS_RE.test(ns)) throw new HttpError(400, 'ns: expected a namespace name');
        if (!/^[A-Za-z0-9_-]{43}$/.test(author))
          throw new HttpError(400, 'author: expected a base64url public key');
        if (!Number.isSafeInteger(after) || after < 0)
          throw new HttpError(400, 'after_seq: expected a whole number ≥ 0');
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
          throw new HttpError(400, 'limit: expected 1–1000');
        return sendJson(res, 200, { events: heads.range(ns, author, after, limit) });
      }
      throw new HttpError(
        404,
        'not found: the replay serves WebSocket sync sessions, /events, /stats, /healthz and /control/fault',
      );
    } catch (e) {
      sendError(res, e);
    }
  });
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_FRAME });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    serverHandshake(ws, {
      onResult: () => {},
      onJoin: () => {
        ws.on('message', (data, isBinary) => {
          const f = isBinary ? undefined : parseFrame(data.toString());
          if (
            f === undefined ||
            f.t !== 'sync' ||
            typeof f.ns !== 'string' ||
            !NS_RE.test(f.ns) ||
            !sinceOk(f.since)
          ) {
            ws.send(JSON.stringify({ t: 'err', reason: 'protocol_error' } satisfies Frame));
            ws.close(1008, 'protocol_error');
            return;
          }
          const queued = queuedBy.get(ws) ?? 0;
          // A sync session joins the peer's trace when it sent one (a malformed one: a new trace).
          const tc = typeof f.tc === 'object' && f.tc !== null ? f.tc : undefined;
          if (queued >= MAX_SYNCS_PER_PEER || !syncer.trySend({ ws, ns: f.ns, since: f.since }, tc))
            ws.send(JSON.stringify({ t: 'err', reason: 'busy' } satisfies Frame));
          else queuedBy.set(ws, queued + 1);
        });
      },
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const base = `${hostForUrl(o.listen.host)}:${portOf(http)}`;
  log.info({ metrics: metricsUrl }, 'replay listening');
  return {
    name: 'replay',
    url: `http://${base}`,
    metricsUrl,
    registry,
    tracing: tracing.stats,
    applied: () => appliedCount,
    async stop() {
      stopped = true;
      link?.ws.terminate();
      await forwarder.flush();
      forwarder.stop();
      for (const c of wss.clients) c.terminate();
      wss.close();
      system.stop();
      await tracing.shutdown();
      await closeServer(http);
      await closeServer(metricsServer);
    },
  };
}
