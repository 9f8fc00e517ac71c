import type { Server } from 'node:http';
import { Registry, collectRuntimeMetrics, serveMetrics } from '@canopy/telemetry';
import { relay, replay, storage, actors, ACTOR_TYPES, SERVICES } from '@canopy/catalog';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Host to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** First port; relay, replay and storage take three consecutive ports. Default 9464. */
  readonly port?: number;
  /** Milliseconds between workload ticks. Default 100. */
  readonly tickMs?: number;
}

/** A running demo: three /metrics endpoints fed by a synthetic workload. */
export interface Demo {
  readonly urls: Readonly<Record<(typeof SERVICES)[number], string>>;
  stop(): Promise<void>;
}

/**
 * Serves the catalog's relay, replay and storage metrics from a synthetic workload, one
 * /metrics endpoint per service. It exercises the telemetry library until the reference
 * services exist; it is not a service itself.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const bind = options.host ?? '127.0.0.1';
  const port = options.port ?? 9464;
  const regs = { relay: new Registry(), replay: new Registry(), storage: new Registry() };
  for (const r of Object.values(regs)) collectRuntimeMetrics(r);

  const R = regs.relay;
  const peers = R.gauge(relay.peersConnected).labels();
  const connects = R.counter(relay.peerConnects).labels();
  const disconnects = R.counter(relay.peerDisconnects);
  const bytes = R.counter(relay.bytes);
  const gossip = R.counter(relay.gossipMessages);
  const dial = R.histogram(relay.dialDuration).labels();
  const upgrades = R.counter(relay.wsUpgrades);
  R.counter(relay.dialFailures);
  const P = regs.replay;
  const applied = P.counter(replay.eventsApplied).labels();
  const queue = P.gauge(replay.syncQueueDepth).labels();
  const served = P.counter(replay.peersServed).labels();
  const heads = P.gauge(replay.headSetSize).labels();
  const age = P.gauge(replay.headEventAge).labels();
  const S = regs.storage;
  const write = S.histogram(storage.writeDuration).labels();
  const dbSize = S.gauge(storage.dbSize).labels();
  S.counter(storage.eventsBackfilled);
  S.gauge(storage.diskFree).labels().set(50e9);
  S.gauge(storage.diskSize).labels().set(100e9);
  const actorMetrics = Object.values(regs).map((r) => ({
    depth: r.gauge(actors.mailboxDepth),
    msgs: r.counter(actors.messages),
    lag: r.gauge(actors.mailboxLag),
  }));

  let t = 0;
  const tick = setInterval(() => {
    t++;
    const wave = 0.5 + 0.5 * Math.sin(t / 50);
    const n = Math.round(20 + 80 * wave);
    peers.set(n);
    if (Math.random() < 0.3) {
      connects.inc();
      upgrades.labels({ result: 'success' }).inc();
    }
    if (Math.random() < 0.2) disconnects.labels({ reason: 'client_close' }).inc();
    const msgs = Math.round(n * 5 * Math.random());
    gossip.labels({ direction: 'in' }).inc(msgs);
    gossip.labels({ direction: 'out' }).inc(msgs * 3);
    bytes.labels({ direction: 'in' }).inc(msgs * 300);
    bytes.labels({ direction: 'out' }).inc(msgs * 900);
    if (Math.random() < 0.05) dial.observe(0.05 + Math.random() * 0.5);
    applied.inc(msgs);
    queue.set(Math.round(10 * wave * Math.random()));
    if (Math.random() < 0.1) served.inc();
    heads.set(100 + t / 10);
    age.set(0.2 + Math.random());
    write.observe(0.002 + Math.random() * 0.01);
    dbSize.set(1e6 + t * 4096);
    for (const a of actorMetrics) {
      const type = ACTOR_TYPES[t % ACTOR_TYPES.length]!;
      a.depth.labels({ actor: type }).set(Math.round(Math.random() * 5));
      a.msgs.labels({ actor: type }).inc(msgs);
      a.lag.labels({ actor: type }).set(Math.random() / 1000);
    }
  }, options.tickMs ?? 100);
  tick.unref();

  const servers: Server[] = [];
  const urls = {} as Record<(typeof SERVICES)[number], string>;
  let i = 0;
  for (const s of SERVICES) {
    const server = await serveMetrics(regs[s], { host: bind, port: port === 0 ? 0 : port + i++ });
    servers.push(server);
    const a = server.address();
    const p = typeof a === 'object' && a !== null ? a.port : port;
    urls[s] = `http://${bind.includes(':') ? `[${bind}]` : bind}:${p}/metrics`;
  }
  return {
    urls,
    async stop() {
      clearInterval(tick);
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
