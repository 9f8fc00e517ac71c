/**
 * Span overhead on the relay fan-out path: tracing off vs on at sample ratio 0, 0.1 and 1.
 *
 * Each variant runs in its own child process (tracing on installs a process-wide async
 * context manager; "off" must not pay for it): a relay core (`createRelayCore`, the code
 * `startRelay` runs per message) with 50 stub subscribers and one publisher, fed the same
 * pre-signed `pub` frames as in `--relay-core`, without trace context (the relay starts the
 * trace, as for most peers). With tracing on, every event gets a `relay fan-out` span and
 * its frame carries a `traceparent`; at ratio 1 the spans are batched and exported as OTLP
 * protobuf to a loopback sink in the parent (the sink's work is not counted). A child's
 * timed rounds and the export of their spans are measured together in process CPU time
 * (frames are signed beforehand); variants alternate,
 * order rotated each repetition, and the median child per variant is reported.
 *
 * Usage: `npm run bench -- --relay-tracing [--json]`
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from '@canopy/telemetry';
import { setupTracing } from '@canopy/telemetry/tracing';
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
const EVENTS_PER_ROUND = 1000;
const BATCH = 250;
const ROUNDS_PER_CHILD = 20;
const WARMUP_ROUNDS = 10;
/** Repetitions of the three variants; `RELAY_TRACING_REPS` raises it on a busy machine. */
const REPS = Number(process.env.RELAY_TRACING_REPS ?? 5);
const CHILD_TIMEOUT_MS = 120_000;

type VariantName = 'off' | 'ratio0' | 'ratio0.1' | 'ratio1';
const VARIANTS: readonly VariantName[] = ['off', 'ratio0', 'ratio0.1', 'ratio1'];
const RATIO: Record<VariantName, number> = { off: 0, ratio0: 0, 'ratio0.1': 0.1, ratio1: 1 };

/** Child: one variant, a few rounds; prints `{ rates, exported, dropped }` as JSON. */
async function child(variant: VariantName, verify: boolean, sink: string): Promise<void> {
  const registry = new Registry();
  const tracing = setupTracing({
    service: 'relay',
    registry,
    ...(variant === 'off' ? {} : { endpoint: sink, sampleRatio: RATIO[variant] }),
    batchDelayMs: 200,
    // As the services read it: CANOPY_TRACE_ACTIVE_SPANS=off measures without active spans.
    activeSpans: process.env.CANOPY_TRACE_ACTIVE_SPANS !== 'off',
  });
  const system = new ActorSystem(registry, tracing.enabled ? tracing.tracer : undefined);
  const core = createRelayCore<StubSocket>({
    metrics: relayMetrics(registry),
    system,
    sendLimit: 1024 * 1024,
    rate: 1e9,
    verify,
  });
  const counter = { bytes: 0, frames: 0 };
  const sub = Buffer.from(JSON.stringify({ t: 'sub', ns: ['bench'] }));
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const s = core.newSession(new StubSocket(counter), 'peer');
    core.join(s);
    core.onMessage(s, sub, false);
  }
  const pub = core.newSession(new StubSocket(counter), 'peer');
  core.join(pub);
  await new Promise((r) => setTimeout(r, 10));
  // Frames are signed up front: signing is not the relay's work.
  const id = newIdentity();
  let seq = 0;
  const rounds: Buffer[][] = [];
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS_PER_CHILD; r++) {
    const frames: Buffer[] = [];
    for (let i = 0; i < EVENTS_PER_ROUND; i++)
      frames.push(
        Buffer.from(JSON.stringify({ t: 'pub', ev: signEvent(id, 'bench', ++seq, `e${seq}`) })),
      );
    rounds.push(frames);
  }
  const rates: number[] = [];
  let c0 = process.cpuUsage();
  for (let r = 0; r < rounds.length; r++) {
    if (r === WARMUP_ROUNDS) {
      // Warm-up spans are exported before the timed rounds start.
      await tracing.forceFlush();
      c0 = process.cpuUsage();
    }
    const frames = rounds[r]!;
    const target = counter.frames + frames.length * SUBSCRIBERS;
    for (let i = 0; i < frames.length; i += BATCH) {
      for (const f of frames.slice(i, i + BATCH)) core.onMessage(pub, f, false);
      await drain(
        counter,
        target - (frames.length - Math.min(i + BATCH, frames.length)) * SUBSCRIBERS,
      );
    }
  }
  // The export of every timed round's spans is part of their cost, in batches of up to
  // 512 spans as the batch processor sends them.
  await tracing.forceFlush();
  const c = process.cpuUsage(c0);
  rates.push((ROUNDS_PER_CHILD * EVENTS_PER_ROUND * SUBSCRIBERS) / ((c.user + c.system) / 1e6));
  system.stop();
  await tracing.shutdown();
  process.stdout.write(
    JSON.stringify({
      rates,
      exported: tracing.stats.spansExported,
      dropped: tracing.stats.spansDropped,
    }) + '\n',
  );
}

interface ChildResult {
  rates: number[];
  exported: number;
  dropped: number;
}

function runChild(variant: VariantName, verify: boolean, sink: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [self, '--child', variant, verify ? 'verify' : 'unverified', sink],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`bench child ${variant} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** Runs the comparison and prints a table (or JSON). */
export async function runRelayTracingBench(json: boolean): Promise<void> {
  let received = 0;
  const server = createServer((req, res) => {
    req.on('data', (d: Buffer) => (received += d.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sink = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  const report: Record<string, unknown> = {};
  try {
    for (const verify of [false, true]) {
      const rates: Record<VariantName, number[]> = {
        off: [],
        ratio0: [],
        'ratio0.1': [],
        ratio1: [],
      };
      let exported = 0;
      let dropped = 0;
      for (let rep = 0; rep < REPS; rep++) {
        for (let k = 0; k < VARIANTS.length; k++) {
          const v = VARIANTS[(k + rep) % VARIANTS.length]!;
          const r = await runChild(v, verify, sink);
          rates[v].push(median(r.rates));
          if (v === 'ratio1') {
            exported += r.exported;
            dropped += r.dropped;
          }
        }
      }
      const off = median(rates.off);
      const row = {
        deliveries_per_cpu_s: {
          off: Math.round(off),
          ratio0: Math.round(median(rates.ratio0)),
          'ratio0.1': Math.round(median(rates['ratio0.1'])),
          ratio1: Math.round(median(rates.ratio1)),
        },
        loss_vs_off: {
          ratio0: Number((1 - median(rates.ratio0) / off).toFixed(3)),
          'ratio0.1': Number((1 - median(rates['ratio0.1']) / off).toFixed(3)),
          ratio1: Number((1 - median(rates.ratio1) / off).toFixed(3)),
        },
        spans_exported_ratio1: exported,
        spans_dropped_ratio1: dropped,
      };
      report[verify ? 'verified' : 'unverified'] = row;
      if (!json) {
        const d = row.deliveries_per_cpu_s;
        process.stdout.write(
          `relay fan-out (${verify ? 'signatures verified' : 'unverified: worst-case share'}), ${SUBSCRIBERS} subscribers, ` +
            `${REPS} × ${ROUNDS_PER_CHILD} rounds of ${EVENTS_PER_ROUND} events per variant:\n` +
            `  tracing off      ${d.off.toLocaleString('en')} deliveries/CPU s\n` +
            `  on, ratio 0      ${d.ratio0.toLocaleString('en')}  (${(row.loss_vs_off.ratio0 * 100).toFixed(1)}% fewer)\n` +
            `  on, ratio 0.1    ${d['ratio0.1'].toLocaleString('en')}  (${(row.loss_vs_off['ratio0.1'] * 100).toFixed(1)}% fewer)\n` +
            `  on, ratio 1      ${d.ratio1.toLocaleString('en')}  (${(row.loss_vs_off.ratio1 * 100).toFixed(1)}% fewer; ` +
            `${exported} spans exported, ${dropped} dropped)\n`,
        );
      }
    }
    report.otlp_bytes_received = received;
    if (json) process.stdout.write(JSON.stringify(report) + '\n');
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--child');
  if (i !== -1) {
    const [variant, verify, sink] = process.argv.slice(i + 1) as [VariantName, string, string];
    await child(variant, verify === 'verify', sink);
  }
}
