/**
 * Relay fan-out with telemetry on vs off, in one run.
 *
 * The relay runs as its own process (`canopy relay`, `CANOPY_TELEMETRY=on|off`); this
 * process drives fixed peers: P publishers sending pre-signed events at a fixed rate to one
 * namespace and S subscribers counting deliveries. Rounds alternate on/off. For each mode
 * it reports deliveries per second and the relay's CPU time per 1000 deliveries (from
 * /proc); the CPU cost ratio is the throughput a saturated relay loses to telemetry.
 *
 * Usage: `npm run bench -- --relay [--json]`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, processCpuSeconds } from './proc.js';
import { newIdentity, signEvent, connectPeer, type PeerConnection } from '@canopy/services';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/canopy.js', import.meta.url));
const PUBLISHERS = 10;
const SUBSCRIBERS = 50;
const RATE_PER_PUBLISHER = 50;
const ROUND_S = 4;
const ROUNDS = 5;

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error('relay exited during start-up');
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(500) })).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relay did not become healthy at ${url}`);
}

interface RoundResult {
  telemetry: 'on' | 'off';
  deliveredPerSecond: number;
  cpuMicrosPer1000: number;
}

async function round(mode: 'on' | 'off', events: readonly string[][]): Promise<RoundResult> {
  const port = await freePort();
  const mport = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'relay', '--listen', `127.0.0.1:${port}`, '--metrics', `127.0.0.1:${mport}`],
    { env: { ...process.env, CANOPY_TELEMETRY: mode, CANOPY_LOG_LEVEL: 'warn' }, stdio: 'ignore' },
  );
  try {
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, child);
    const url = `ws://127.0.0.1:${port}`;
    let delivered = 0;
    const subs: PeerConnection[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const c = await connectPeer({
        url,
        identity: newIdentity(),
        onFrame: () => void delivered++,
      });
      c.subscribe(['bench']);
      subs.push(c);
    }
    const pubs: PeerConnection[] = [];
    for (let i = 0; i < PUBLISHERS; i++)
      pubs.push(await connectPeer({ url, identity: newIdentity() }));
    await new Promise((r) => setTimeout(r, 300));
    const tickMs = 20;
    const perTick = (RATE_PER_PUBLISHER * tickMs) / 1000;
    const cursor = new Array<number>(PUBLISHERS).fill(0);
    let carry = 0;
    const cpu0 = processCpuSeconds(child.pid!);
    const d0 = delivered;
    const t0 = performance.now();
    const timer = setInterval(() => {
      carry += perTick;
      const n = Math.floor(carry);
      carry -= n;
      for (let p = 0; p < PUBLISHERS; p++)
        for (let k = 0; k < n; k++) {
          const frame = events[p]![cursor[p]!++ % events[p]!.length]!;
          pubs[p]!.ws.send(frame);
        }
    }, tickMs);
    await new Promise((r) => setTimeout(r, ROUND_S * 1000));
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 300)); // let in-flight deliveries land
    const seconds = (performance.now() - t0) / 1000;
    const cpu = processCpuSeconds(child.pid!) - cpu0;
    const d = delivered - d0;
    for (const c of [...subs, ...pubs]) c.ws.terminate();
    return {
      telemetry: mode,
      deliveredPerSecond: d / seconds,
      cpuMicrosPer1000: d > 0 ? (cpu * 1e6 * 1000) / d : NaN,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Runs the relay benchmark and prints a table or JSON lines. */
export async function runRelayBench(json: boolean): Promise<void> {
  // Events are signed up front (each unique: the relay deduplicates by id).
  const perPub = RATE_PER_PUBLISHER * ROUND_S + 50;
  const events = Array.from({ length: PUBLISHERS }, () => {
    const id = newIdentity();
    return Array.from({ length: perPub }, (_, i) =>
      JSON.stringify({ t: 'pub', ev: signEvent(id, 'bench', i + 1, `payload ${i}`) }),
    );
  });
  const results: RoundResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const res = await round(mode, events);
      results.push(res);
      if (!json)
        process.stderr.write(
          `round ${r + 1} telemetry ${mode}: ${res.deliveredPerSecond.toFixed(0)} deliveries/s, ${res.cpuMicrosPer1000.toFixed(0)} µs relay CPU per 1000\n`,
        );
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const of = (mode: 'on' | 'off') => results.filter((r) => r.telemetry === mode);
  const on = {
    rate: median(of('on').map((r) => r.deliveredPerSecond)),
    cpu: median(of('on').map((r) => r.cpuMicrosPer1000)),
  };
  const off = {
    rate: median(of('off').map((r) => r.deliveredPerSecond)),
    cpu: median(of('off').map((r) => r.cpuMicrosPer1000)),
  };
  // Each round pairs an on and an off run back to back; the median of the pairs' cost ratios
  // cancels most of the drift a shared machine adds between rounds.
  const pairs: number[] = [];
  for (let i = 0; i + 1 < results.length; i += 2) {
    const a = results[i]!;
    const b = results[i + 1]!;
    const onR = a.telemetry === 'on' ? a : b;
    const offR = a.telemetry === 'on' ? b : a;
    pairs.push(onR.cpuMicrosPer1000 / offR.cpuMicrosPer1000 - 1);
  }
  const overhead = median(pairs);
  const spread = Math.max(...pairs) - Math.min(...pairs);
  if (json) {
    process.stdout.write(
      JSON.stringify({
        name: 'relay fan-out (telemetry on vs off)',
        publishers: PUBLISHERS,
        subscribers: SUBSCRIBERS,
        deliveries_per_s_on: Math.round(on.rate),
        deliveries_per_s_off: Math.round(off.rate),
        cpu_us_per_1000_on: Math.round(on.cpu),
        cpu_us_per_1000_off: Math.round(off.cpu),
        throughput_loss: Number(overhead.toFixed(4)),
        pair_spread: Number(spread.toFixed(4)),
      }) + '\n',
    );
    return;
  }
  process.stdout.write(
    `relay fan-out, ${PUBLISHERS} publishers × ${RATE_PER_PUBLISHER}/s → ${SUBSCRIBERS} subscribers, median of ${ROUNDS} rounds each:\n` +
      `  telemetry on : ${on.rate.toFixed(0)} deliveries/s, ${on.cpu.toFixed(0)} µs relay CPU per 1000 deliveries\n` +
      `  telemetry off: ${off.rate.toFixed(0)} deliveries/s, ${off.cpu.toFixed(0)} µs relay CPU per 1000 deliveries\n` +
      `  throughput a saturated relay loses to telemetry: ${(overhead * 100).toFixed(2)}% (median of ${pairs.length} on/off pairs; pairs spread over ${(spread * 100).toFixed(1)} points; target < 2%)\n`,
  );
}
