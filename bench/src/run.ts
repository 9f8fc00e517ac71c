/**
 * Canopy telemetry against prom-client and OpenTelemetry, same process, same inputs.
 *
 * Usage: `npm run bench [-- --json] [-- --full] [-- --filter <substring>]`
 * `--json` prints only one object per peer row:
 * `{"name","canopy_ns","peer","peer_ns","ratio"}` with ratio = peer_ns / canopy_ns.
 *
 * `npm run bench -- --hub [--json]` runs the hub benchmarks against VictoriaMetrics instead
 * (bench/src/hub/run-hub.ts, about 2 minutes). `npm run bench -- --relay [--json]` runs the relay
 * fan-out benchmark with telemetry on vs off (bench/src/relay-throughput.ts, about a minute);
 * `--relay-core [--json]` the same comparison in-process over stub sockets
 * (bench/src/relay-core.ts, seconds). `--alerting [--path stack-b] [--warmup S] [--json]` times
 * fault → notification at the Discord stand-in through stack B (bench/src/alerting/).
 * `--ui [--runs N] [--json]` times the web dashboard's first render in Chromium
 * (bench/src/ui-render.ts). `--relay-tracing [--json]` measures span overhead on the relay
 * fan-out path, tracing off vs on at sample ratio 0, 0.1 and 1 (bench/src/relay-tracing.ts).
 * `--remote-write [--json]` compares remote_write ingest (samples per CPU-second) of the hub
 * and VictoriaMetrics on the same stream (bench/src/hub/remote-write.ts).
 * `--scaling [--relays 4,8,16] [--seconds 30] [--json]` runs N relays on loopback scraped by a
 * hub every second and reports the hub's ingest, CPU, memory and scrape duration, then bytes
 * per sample on disk in the hub and VictoriaMetrics (bench/src/scaling.ts; SCALING.md).
 * `--scrub [--json]` measures the PII scrubber (MB/s on clean, dirty and mixed log text) and
 * logger lines/s: plain pino vs the Canopy logger without and with scrubbing (bench/src/scrub.ts).
 */
import { availableParallelism, loadavg } from 'node:os';
import { FULL, QUICK, hasGc, measure, sink, type Case } from './harness.js';
import { TARGETS, type Row } from './targets.js';
import { counterBound, counterLabelled, counterLabelledPositional } from './cases/counter.js';
import { histogramBound, histogramLabelled } from './cases/histogram.js';
import { render10k } from './cases/render.js';

const CASES: readonly Case[] = [
  counterBound,
  counterLabelled,
  counterLabelledPositional,
  histogramBound,
  histogramLabelled,
  render10k,
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const options = args.includes('--full') ? FULL : QUICK;
const fi = args.indexOf('--filter');
const filter = fi === -1 ? undefined : args[fi + 1];

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const fmtNs = (ns: number) =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 100
      ? `${ns.toFixed(0)} ns`
      : `${ns.toFixed(2)} ns`;
const pct = (x: number) => `±${(x * 50).toFixed(0)}%`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))))
    .map((r) => r.join('  ').trimEnd())
    .join('\n');
}

async function main(): Promise<void> {
  if (!hasGc) process.stderr.write('bench: run with node --expose-gc for steadier numbers\n');
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  const rows: Row[] = [];
  for (const c of CASES) {
    if (filter !== undefined && !c.name.includes(filter)) continue;
    if (!json) process.stderr.write(`running: ${c.name}\n`);
    const [canopy, ...peers] = await measure(await c.setup(), options);
    const row: Row = { name: c.name, canopy: canopy!, peers };
    rows.push(row);
    for (const p of peers) {
      if (!json) continue;
      const line = {
        name: c.name,
        canopy_ns: round(canopy!.ns, 2),
        peer: p.lib,
        peer_ns: round(p.ns, 2),
        ratio: round(p.ns / canopy!.ns, 2),
      };
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  }
  if (json) return;

  const cells: string[][] = [['case', 'canopy', '', 'peer', 'peer time', '', 'ratio']];
  for (const r of rows)
    for (const p of r.peers)
      cells.push([
        r.name,
        fmtNs(r.canopy.ns),
        pct(r.canopy.spread),
        p.lib,
        fmtNs(p.ns),
        pct(p.spread),
        `${(p.ns / r.canopy.ns).toFixed(1)}×`,
      ]);
  const out: string[] = [table(cells), '', 'Calls measured:'];
  for (const c of CASES) {
    const r = rows.find((x) => x.name === c.name);
    if (r === undefined) continue;
    out.push(`  ${c.name} — ${c.about}`);
    for (const m of [r.canopy, ...r.peers]) out.push(`    ${m.lib}: ${m.call}`);
  }
  out.push('', 'Targets (reported, not asserted):');
  for (const t of TARGETS) {
    const r = rows.find((x) => x.name === t.row);
    if (r === undefined) continue;
    const { met, actual } = t.check(r);
    out.push(`  ${met ? 'met   ' : 'MISSED'}  ${t.row}: ${t.goal} (${actual})`);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  // Other processes inflate wall-clock numbers; say how busy the machine was.
  const load = `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs`;
  out.push(
    '',
    `median of ${options.rounds} rounds of ~${options.batchMs} ms per subject; ` +
      `± is half the interquartile range; ${secs} s total; ${load} (sink ${sink.toExponential(3)})`,
  );
  process.stdout.write(out.join('\n') + '\n');
}

if (args.includes('--ui')) {
  // The web dashboard's first render over 24 h of history, in Chromium: about 20 s.
  const { runUiRender } = await import('./ui-render.js');
  const ri = args.indexOf('--runs');
  await runUiRender(json, ri === -1 ? 7 : Number(args[ri + 1]));
} else if (args.includes('--alerting')) {
  // Fault → notification through stack B (VictoriaMetrics, vmalert, Alertmanager): ~16 min a path.
  const { runAlerting } = await import('./alerting/run-alerting.js');
  await runAlerting(json);
} else if (args.includes('--alert-noise')) {
  // Normal load for --minutes (default 20) through the hub: no alert may fire.
  const { runAlertNoise } = await import('./alert-noise.js');
  await runAlertNoise(json);
} else if (args.includes('--alert-hub')) {
  // Fault → notification through the hub, default intervals: about 15 minutes.
  const { runAlertHub } = await import('./alert-noise.js');
  await runAlertHub(json);
} else if (args.includes('--scrub')) {
  // The PII scrubber and the logger around it, in-process: about 15 seconds.
  const { runScrubBench } = await import('./scrub.js');
  await runScrubBench(json);
} else if (args.includes('--scaling')) {
  // N relays under load scraped by a hub every second, then bytes per sample: ~4 minutes.
  const { runScalingBench } = await import('./scaling.js');
  await runScalingBench(json, args);
} else if (args.includes('--remote-write')) {
  // remote_write ingest, the hub against VictoriaMetrics on the same stream: about a minute.
  const { runRemoteWriteBench } = await import('./hub/remote-write.js');
  await runRemoteWriteBench(json);
} else if (args.includes('--hub')) {
  // Loaded only when asked: it starts VictoriaMetrics and takes minutes.
  const { runHub } = await import('./hub/run-hub.js');
  await runHub({ json });
} else if (args.includes('--relay-instructions')) {
  // The same comparison counted in instructions under valgrind: repeatable on a busy machine.
  const { runRelayInstructions } = await import('./relay-instructions.js');
  await runRelayInstructions(json);
} else if (args.includes('--relay-tracing')) {
  // Span overhead on the relay fan-out path: tracing off vs on at ratio 0, 0.1 and 1.
  const { runRelayTracingBench } = await import('./relay-tracing.js');
  await runRelayTracingBench(json);
} else if (args.includes('--relay-core')) {
  // Relay fan-out on vs off in one process, over stub sockets: seconds, deterministic path.
  const { runRelayCoreBench } = await import('./relay-core.js');
  await runRelayCoreBench(json);
} else if (args.includes('--relay')) {
  // Relay fan-out with telemetry on vs off: spawns relays, takes about a minute.
  const { runRelayBench } = await import('./relay-throughput.js');
  await runRelayBench(json);
} else await main();
