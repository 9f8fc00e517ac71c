/**
 * Relay fan-out with telemetry on vs off, in one process and without sockets.
 *
 * Two relay cores (`createRelayCore`, the code `startRelay` runs per message) share this
 * process: one over `new Registry()` (telemetry on) and one over
 * `new Registry({ enabled: false })` (off, as `CANOPY_TELEMETRY=off`). Each has 50 stub
 * subscriber sessions whose `send` only adds the frame's length to a counter, and one
 * publisher session. The same pre-signed `pub` frames go in as Buffers through
 * `onMessage`, the path a socket's bytes take: bytes-in counter, token bucket, `parseFrame`,
 * session actor, signature check, de-duplication, fan-out actor, `deliver` — everything but
 * `ws` framing and the kernel. Rounds alternate on/off (order swapped every pair); each
 * round is timed (process CPU time) until all its deliveries have landed.
 *
 * Signature verification (ed25519, tens of µs per event) is part of the real path and
 * dominates it, which dilutes telemetry's share. The `unverified` variant runs the same
 * rounds on cores built with `verify: false` to show the worst case share of telemetry.
 *
 * Usage: `npm run bench -- --relay-core [--json]`
 */
import { Registry } from '@canopy/telemetry';
import {
  ActorSystem,
  createRelayCore,
  newIdentity,
  relayMetrics,
  signEvent,
} from '@canopy/services';
import { drain, StubSocket } from './relay-stub.js';
import { median } from './stats.js';

const SUBSCRIBERS = 50;
/** Pairs of rounds; `RELAY_CORE_ROUNDS` raises it for a tighter median on a busy machine. */
const ROUNDS = Number(process.env.RELAY_CORE_ROUNDS ?? 20);
const EVENTS_PER_ROUND = 1000;
/** Frames fed before waiting for their deliveries: under the session inbox's capacity (512). */
const BATCH = 250;

interface Rig {
  /** Feeds one round of frames and resolves with deliveries per CPU second. */
  round(frames: readonly Buffer[]): Promise<number>;
  stop(): void;
}

async function rig(telemetry: boolean, verify: boolean): Promise<Rig> {
  const registry = new Registry({ enabled: telemetry });
  const system = new ActorSystem(registry);
  // A high rate keeps the token bucket (still run per message) from dropping the publisher.
  const core = createRelayCore<StubSocket>({
    metrics: relayMetrics(registry),
    system,
    sendLimit: 1024 * 1024,
    rate: 1e9,
    verify,
  });
  const counter = { bytes: 0, frames: 0 };
  const sockets: StubSocket[] = [];
  const sub = Buffer.from(JSON.stringify({ t: 'sub', ns: ['bench'] }));
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const ws = new StubSocket(counter);
    sockets.push(ws);
    const s = core.newSession(ws, 'peer');
    core.join(s);
    core.onMessage(s, sub, false);
  }
  const pubWs = new StubSocket(counter);
  sockets.push(pubWs);
  const pub = core.newSession(pubWs, 'peer');
  core.join(pub);
  await new Promise((r) => setTimeout(r, 10)); // let the subscriptions land
  return {
    async round(frames) {
      const target = counter.frames + frames.length * SUBSCRIBERS;
      // CPU time of this process, not wall time: time the scheduler gives other jobs on a
      // shared machine is not counted (the work is single-threaded apart from GC helpers).
      const c0 = process.cpuUsage();
      for (let i = 0; i < frames.length; i += BATCH) {
        for (const f of frames.slice(i, i + BATCH)) core.onMessage(pub, f, false);
        await drain(
          counter,
          target - (frames.length - Math.min(i + BATCH, frames.length)) * SUBSCRIBERS,
        );
      }
      const c = process.cpuUsage(c0);
      const seconds = (c.user + c.system) / 1e6;
      if (sockets.some((w) => w.closed)) throw new Error('relay core dropped a session');
      return (frames.length * SUBSCRIBERS) / seconds;
    },
    stop: () => system.stop(),
  };
}

interface Variant {
  on: number;
  off: number;
  /** Median over pairs of `1 − on/off`. */
  loss: number;
  /** Interquartile range of the pairs' losses. */
  iqr: number;
  min: number;
  max: number;
}

async function variant(verify: boolean, frames: readonly Buffer[][]): Promise<Variant> {
  const on = await rig(true, verify);
  const off = await rig(false, verify);
  const gc = (globalThis as { gc?: () => void }).gc;
  // One warm-up round each (JIT), not counted; the relay deduplicates, so it uses its own frames.
  await on.round(frames[ROUNDS]!);
  await off.round(frames[ROUNDS]!);
  const onRates: number[] = [];
  const offRates: number[] = [];
  const losses: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let a = 0;
    let b = 0;
    for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      gc?.();
      const rate = await (mode === 'on' ? on : off).round(frames[r]!);
      if (mode === 'on') a = rate;
      else b = rate;
    }
    onRates.push(a);
    offRates.push(b);
    losses.push(1 - a / b);
  }
  on.stop();
  off.stop();
  const sorted = [...losses].sort((x, y) => x - y);
  const q = (p: number) => sorted[Math.round(p * (sorted.length - 1))]!;
  return {
    on: median(onRates),
    off: median(offRates),
    loss: median(losses),
    iqr: q(0.75) - q(0.25),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Runs the in-process relay core benchmark and prints a summary or one JSON object. */
export async function runRelayCoreBench(json: boolean): Promise<void> {
  // Signed up front, outside the timed part; every event is new (the relay deduplicates by id).
  // Rounds + 1 sets: the last is the warm-up round.
  const id = newIdentity();
  let seq = 0;
  const frames = Array.from({ length: ROUNDS + 1 }, () =>
    Array.from({ length: EVENTS_PER_ROUND }, () => {
      seq++;
      const ev = signEvent(id, 'bench', seq, `payload ${seq}`);
      return Buffer.from(JSON.stringify({ t: 'pub', ev }));
    }),
  );
  const verified = await variant(true, frames);
  const unverified = await variant(false, frames);
  if (json) {
    const r = (x: number) => Number(x.toFixed(4));
    process.stdout.write(
      JSON.stringify({
        name: 'relay core fan-out (telemetry on vs off, in-process)',
        canopy_on_per_s: Math.round(verified.on),
        canopy_off_per_s: Math.round(verified.off),
        throughput_loss: r(verified.loss),
        loss_iqr: r(verified.iqr),
        unverified_on_per_s: Math.round(unverified.on),
        unverified_off_per_s: Math.round(unverified.off),
        unverified_throughput_loss: r(unverified.loss),
        unverified_loss_iqr: r(unverified.iqr),
      }) + '\n',
    );
    return;
  }
  const line = (label: string, v: Variant) =>
    `  ${label}: on ${v.on.toFixed(0)} deliveries/s, off ${v.off.toFixed(0)} deliveries/s, ` +
    `loss ${pct(v.loss)} (pairs: IQR ${pct(v.iqr)}, range ${pct(v.min)} … ${pct(v.max)})\n`;
  process.stdout.write(
    `relay core, 1 publisher → ${SUBSCRIBERS} stub subscribers, ${ROUNDS} on/off pairs of ${EVENTS_PER_ROUND} events, medians; target loss < 2%:\n` +
      line('real path (signatures verified)', verified) +
      line('signatures not verified (worst case)', unverified),
  );
}
