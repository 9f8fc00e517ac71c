import { newIdentity, type Identity } from '../protocol/keys.js';
import { signEvent } from '../protocol/event.js';
import { connectPeer, type PeerConnection } from '../protocol/client.js';
import { faultOwner, switchFault, type FaultStep } from './schedule.js';
import type { FaultName } from '../common/faults.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Relays to spread peers over (`ws://…`). */
  readonly relays: readonly string[];
  /** Replay base URL (`http://…`), for sync sessions after each (re)connect. Optional. */
  readonly replayUrl?: string;
  /** Storage base URL, needed only for the slow-disk fault. */
  readonly storageUrl?: string;
  /** Simulated peers. */
  readonly peers: number;
  /** Events published per second, over all peers. */
  readonly rate: number;
  /** Peers that disconnect and come back, per minute. */
  readonly churn: number;
  /** Run time in seconds; `Infinity` runs until `signal` aborts. */
  readonly durationS: number;
  /** Namespaces the peers share. Default 8. */
  readonly namespaces?: number;
  /** Faults to switch during the run. */
  readonly faults?: readonly FaultStep[];
  /** Stops a service for `kill:SERVICE` steps (given by the orchestrator). */
  readonly kill?: (service: string) => Promise<void>;
  /** Receives a progress line every second. */
  readonly onProgress?: (p: LoadProgress) => void;
  /** Aborts the run early. */
  readonly signal?: AbortSignal;
}

/** Counters of a run so far. */
export interface LoadProgress {
  elapsedS: number;
  connected: number;
  published: number;
  received: number;
  synced: number;
  reconnects: number;
  errors: Record<string, number>;
}

interface SimPeer {
  readonly id: Identity;
  readonly relay: string;
  readonly ns: readonly string[];
  readonly seq: Map<string, number>;
  conn: PeerConnection | undefined;
  connecting: boolean;
}

/** Formats a progress line: `12s peers 200 · pub 400/s · recv 1.2k/s · sync 40 · errors 0`. */
export function formatProgress(p: LoadProgress, prev: LoadProgress | undefined): string {
  const dt =
    prev === undefined ? Math.max(p.elapsedS, 1e-9) : Math.max(p.elapsedS - prev.elapsedS, 1e-9);
  const rate = (a: number, b: number) => Math.round((a - b) / dt);
  const errs = Object.values(p.errors).reduce((a, b) => a + b, 0);
  return (
    `${p.elapsedS.toFixed(0).padStart(4)}s peers ${p.connected} · pub ${rate(p.published, prev?.published ?? 0)}/s` +
    ` · recv ${rate(p.received, prev?.received ?? 0)}/s · sync ${p.synced} · churn ${p.reconnects} · errors ${errs}`
  );
}

/**
 * Drives simulated peers against the relays: each has its own ed25519 key, connects,
 * subscribes to two namespaces, publishes signed events at its share of `rate`, syncs from
 * the replay after each (re)connect, and churns. Faults are switched on schedule through
 * the services' control endpoints. Resolves with the final counters.
 */
export async function runLoad(o: LoadOptions): Promise<LoadProgress> {
  const nsCount = o.namespaces ?? 8;
  const namespaces = Array.from({ length: nsCount }, (_, i) => `ns-${i}`);
  const p: LoadProgress = {
    elapsedS: 0,
    connected: 0,
    published: 0,
    received: 0,
    synced: 0,
    reconnects: 0,
    errors: {},
  };
  const err = (kind: string) => void (p.errors[kind] = (p.errors[kind] ?? 0) + 1);
  const t0 = performance.now();
  let ending = false;

  const peers: SimPeer[] = Array.from({ length: o.peers }, (_, i) => ({
    id: newIdentity(),
    relay: o.relays[i % o.relays.length]!,
    ns: [namespaces[i % nsCount]!, namespaces[(i * 7 + 3) % nsCount]!],
    seq: new Map(),
    conn: undefined,
    connecting: false,
  }));

  async function sync(peer: SimPeer): Promise<void> {
    if (o.replayUrl === undefined) return;
    const ns = peer.ns[0]!;
    try {
      await new Promise<void>((resolve, reject) => {
        let conn: PeerConnection | undefined;
        const timer = setTimeout(() => {
          conn?.ws.terminate();
          reject(new Error('sync timeout'));
        }, 10_000);
        connectPeer({
          url: o.replayUrl!.replace(/^http/, 'ws'),
          identity: peer.id,
          onFrame: (f) => {
            if (f.t === 'sync-done' || f.t === 'err') {
              clearTimeout(timer);
              conn?.close();
              if (f.t === 'err') reject(new Error(f.reason));
              else resolve();
            }
          },
        }).then(
          (c) => {
            conn = c;
            c.sync(ns, { [peer.id.publicKey]: peer.seq.get(ns) ?? 0 });
          },
          (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        );
      });
      p.synced++;
    } catch {
      err('sync');
    }
  }

  async function connect(peer: SimPeer): Promise<void> {
    if (peer.connecting || peer.conn !== undefined || ending) return;
    peer.connecting = true;
    try {
      const conn = await connectPeer({
        url: peer.relay,
        identity: peer.id,
        onFrame: (f) => {
          if (f.t === 'ev') p.received++;
        },
      });
      if (ending) {
        conn.close();
        return;
      }
      peer.conn = conn;
      p.connected++;
      conn.subscribe(peer.ns);
      conn.ws.once('close', () => {
        p.connected--;
        if (peer.conn === conn) peer.conn = undefined;
        if (!ending && !churning.has(peer)) {
          err('dropped');
          setTimeout(() => void connect(peer), 500).unref();
        }
      });
      void sync(peer);
    } catch {
      err('connect');
      if (!ending) setTimeout(() => void connect(peer), 1000).unref();
    } finally {
      peer.connecting = false;
    }
  }

  // Connect in small waves so the relay sees a ramp, not a thundering herd.
  for (let i = 0; i < peers.length; i += 50) {
    await Promise.all(peers.slice(i, i + 50).map(connect));
    if (o.signal?.aborted === true) break;
  }

  const churning = new Set<SimPeer>();
  let carry = 0;
  let churnCarry = 0;
  const tickMs = 50;
  let lastTick = performance.now();
  const publishTick = setInterval(() => {
    // Credit the time that really passed: a timer that fires late (a busy event loop) must
    // not quietly lower the rate. Capped so a long stall does not end in one huge burst.
    const now = performance.now();
    const dt = Math.min(now - lastTick, 1000);
    lastTick = now;
    carry += (o.rate * dt) / 1000;
    const live = peers.filter((x) => x.conn !== undefined && x.conn.ws.readyState === 1);
    while (carry >= 1 && live.length > 0) {
      carry--;
      const peer = live[Math.floor(Math.random() * live.length)]!;
      const ns = peer.ns[Math.floor(Math.random() * peer.ns.length)]!;
      const seq = (peer.seq.get(ns) ?? 0) + 1;
      peer.seq.set(ns, seq);
      peer.conn!.publish(signEvent(peer.id, ns, seq, `load event ${seq}`));
      p.published++;
    }
    if (live.length === 0) carry = Math.min(carry, o.rate);
    churnCarry += (o.churn * dt) / 60_000;
    while (churnCarry >= 1 && live.length > 0) {
      churnCarry--;
      const peer = live[Math.floor(Math.random() * live.length)]!;
      if (churning.has(peer)) continue; // picked twice in one tick
      const conn = peer.conn!;
      churning.add(peer);
      p.reconnects++;
      // Come back a little after the close completes: a timer racing the close would see
      // the old socket's close as a drop and connect the peer twice.
      conn.ws.once('close', () =>
        setTimeout(
          () => {
            churning.delete(peer);
            void connect(peer);
          },
          200 + Math.random() * 800,
        ).unref(),
      );
      conn.close();
    }
  }, tickMs);

  const progressTick = setInterval(() => {
    p.elapsedS = (performance.now() - t0) / 1000;
    o.onProgress?.({ ...p, errors: { ...p.errors } });
  }, 1000);

  // Fault schedule.
  const owners: Record<'relay' | 'replay' | 'storage', readonly string[]> = {
    relay: o.relays,
    replay: o.replayUrl !== undefined ? [o.replayUrl] : [],
    storage: o.storageUrl !== undefined ? [o.storageUrl] : [],
  };
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  for (const step of o.faults ?? []) {
    const apply = async (on: boolean) => {
      try {
        if (step.fault === 'kill') {
          if (on) await o.kill?.(step.target ?? '');
          return;
        }
        const urls = owners[faultOwner(step.fault as FaultName)];
        if (urls.length === 0) throw new Error(`no URL for the service that owns ${step.fault}`);
        for (const u of urls) await switchFault(u, step.fault as FaultName, on, step.value);
      } catch {
        err('fault');
      }
    };
    timers.push(setTimeout(() => void apply(true), step.at * 1000));
    if (step.until !== undefined)
      timers.push(setTimeout(() => void apply(false), step.until * 1000));
  }

  await new Promise<void>((resolve) => {
    // Timers hold at most 2^31−1 ms (~24.8 days); longer runs end by the signal.
    const ms = o.durationS * 1000;
    const t = ms <= 2 ** 31 - 1 ? setTimeout(resolve, ms) : undefined;
    if (o.signal?.aborted === true) resolve();
    o.signal?.addEventListener('abort', () => {
      if (t !== undefined) clearTimeout(t);
      resolve();
    });
  });
  ending = true;
  clearInterval(publishTick);
  clearInterval(progressTick);
  for (const t of timers) clearTimeout(t);
  // Faults still on are switched off so the services recover.
  for (const step of o.faults ?? []) {
    if (step.fault === 'kill') continue;
    for (const u of owners[faultOwner(step.fault as FaultName)])
      await switchFault(u, step.fault as FaultName, false).catch(() => {});
  }
  await Promise.all(
    peers.map(
      (x) =>
        new Promise<void>((resolve) => {
          if (x.conn === undefined || x.conn.ws.readyState !== 1) return resolve();
          x.conn.ws.once('close', () => resolve());
          x.conn.close();
          setTimeout(resolve, 2000).unref();
        }),
    ),
  );
  p.elapsedS = (performance.now() - t0) / 1000;
  return p;
}
