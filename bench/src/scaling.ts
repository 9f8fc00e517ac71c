/**
 * `npm run bench -- --scaling [--relays 4,8,16] [--seconds 30] [--json]`: where the hub stops
 * being the right choice. For each count N, N relay processes (`canopy relay`) run on
 * loopback under `canopy load`, and a `canopy hub` process scrapes them every second (one
 * relay at 1 s is the scrape load of 15 relays at 15 s). Over the measuring window it reports
 * the hub's ingest (samples/s), its CPU (from /proc), its memory, the scrape duration, and
 * series per relay. Then VictoriaMetrics' and the hub's bytes per sample on disk for a day
 * of catalog-shaped data from four targets (`measureBytesPerSample`).
 *
 * Every process is started here and stopped by its PID; temp folders are removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBytesPerSample } from '@canopy/hub';
import { freePort, processCpuSeconds } from './proc.js';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/canopy.js', import.meta.url));

/** One measured row. */
export interface ScalingRow {
  readonly relays: number;
  /** Relays at a 15 s interval that make the same scrape load. */
  readonly equivalentAt15s: number;
  readonly seriesPerRelay: number;
  readonly samplesPerSecond: number;
  /** Hub CPU, share of one core. */
  readonly hubCpu: number;
  /** Samples ingested per CPU-second of the hub process. */
  readonly samplesPerCpuSecond: number;
  readonly scrapeSecondsAvg: number;
  readonly scrapeSecondsMax: number;
  readonly hubRssBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: 'ignore',
    env: { ...process.env, CANOPY_LOG_LEVEL: 'warn' },
  });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(t);
}

/** Waits (≤ ms) until the URL answers 200. */
async function ready(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms} ms`);
    await sleep(200);
  }
}

async function query(hub: string, expr: string): Promise<number[]> {
  const r = (await (
    await fetch(`${hub}/api/v1/query?query=${encodeURIComponent(expr)}`)
  ).json()) as { data: { result: { value: [number, string] }[] } };
  return r.data.result.map((x) => Number(x.value[1]));
}

async function counter(hub: string, name: string): Promise<number> {
  const text = await (await fetch(`${hub}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m === null ? NaN : Number(m[1]);
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) * 1024;
}

/** Runs N relays under load and a hub scraping them every second; measures the hub. */
export async function measureScaling(relays: number, seconds: number): Promise<ScalingRow> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-scaling-'));
  const procs: ChildProcess[] = [];
  try {
    const ws: string[] = [];
    const metrics: string[] = [];
    for (let i = 0; i < relays; i++) {
      const [p, m] = [await freePort(), await freePort()];
      procs.push(start(['relay', '--listen', `127.0.0.1:${p}`, '--metrics', `127.0.0.1:${m}`]));
      ws.push(`ws://127.0.0.1:${p}`);
      metrics.push(`http://127.0.0.1:${m}/metrics`);
      // One at a time: a dozen Node start-ups at once on a busy 2-core machine take minutes.
      await ready(metrics[i]!, 60_000);
    }
    const load = start([
      'load',
      ...ws.flatMap((u) => ['--relay', u]),
      '--peers',
      String(4 * relays),
      '--rate',
      String(10 * relays),
      '--churn',
      '30',
      '--duration',
      String(seconds + 60),
    ]);
    procs.push(load);
    const hubPort = await freePort();
    const config = join(dir, 'canopy.yaml');
    writeFileSync(
      config,
      'scrape:\n  interval: 1s\n  timeout: 1s\n  targets:\n' +
        metrics.map((u) => `    - url: ${u}\n      service: relay\n`).join(''),
    );
    const hubProc = start([
      'hub',
      '--config',
      config,
      '--data',
      join(dir, 'data'),
      '--listen',
      `127.0.0.1:${hubPort}`,
    ]);
    procs.push(hubProc);
    const hub = `http://127.0.0.1:${hubPort}`;
    await ready(`${hub}/-/ready`, 30_000);
    await sleep(8000); // every target scraped a few times, the load running
    const s0 = await counter(hub, 'canopy_hub_samples_appended_total');
    const c0 = processCpuSeconds(hubProc.pid!);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const s1 = await counter(hub, 'canopy_hub_samples_appended_total');
    const c1 = processCpuSeconds(hubProc.pid!);
    const wall = (performance.now() - t0) / 1000;
    const w = `${Math.round(seconds)}s`;
    const perRelay = await query(hub, 'count by (instance) ({service="relay"})');
    const avg = await query(
      hub,
      `avg(avg_over_time(scrape_duration_seconds{service="relay"}[${w}]))`,
    );
    const max = await query(
      hub,
      `max(max_over_time(scrape_duration_seconds{service="relay"}[${w}]))`,
    );
    const row: ScalingRow = {
      relays,
      equivalentAt15s: relays * 15,
      seriesPerRelay: perRelay.length === 0 ? 0 : Math.max(...perRelay),
      samplesPerSecond: (s1 - s0) / wall,
      hubCpu: (c1 - c0) / wall,
      samplesPerCpuSecond: (s1 - s0) / Math.max(c1 - c0, 0.01),
      scrapeSecondsAvg: avg[0] ?? NaN,
      scrapeSecondsMax: max[0] ?? NaN,
      hubRssBytes: rss(hubProc.pid!),
    };
    return row;
  } finally {
    for (const p of procs.reverse()) await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the simulation for each relay count and prints the table. */
export async function runScalingBench(json: boolean, args: readonly string[]): Promise<void> {
  const ri = args.indexOf('--relays');
  const counts = (ri === -1 ? '4,8,16' : (args[ri + 1] ?? '')).split(',').map(Number);
  const si = args.indexOf('--seconds');
  const seconds = si === -1 ? 30 : Number(args[si + 1]);
  if (counts.some((n) => !Number.isInteger(n) || n < 1) || !(seconds >= 5))
    throw new Error('--scaling: --relays takes counts such as 4,8,16 and --seconds a number ≥ 5');
  const load0 = loadavg()[0]!;
  const rows: ScalingRow[] = [];
  for (const n of counts) {
    if (!json) process.stderr.write(`scaling: ${n} relays, ${seconds} s…\n`);
    rows.push(await measureScaling(n, seconds));
  }
  if (!json) process.stderr.write('scaling: bytes per sample, a day of 4 targets…\n');
  const bytes = await measureBytesPerSample({ targets: 4, durationMs: 86_400_000 });
  const load1 = loadavg()[0]!;
  if (json) {
    for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    process.stdout.write(JSON.stringify({ bytesPerSample: bytes }) + '\n');
    return;
  }
  const lines = [
    '| relays (1 s) | = relays at 15 s | series/relay | samples/s | hub CPU | samples/CPU-s | scrape avg | scrape max | hub RSS |',
    '| -: | -: | -: | -: | -: | -: | -: | -: | -: |',
    ...rows.map(
      (r) =>
        `| ${r.relays} | ${r.equivalentAt15s} | ${r.seriesPerRelay} | ${Math.round(r.samplesPerSecond)} | ` +
        `${(r.hubCpu * 100).toFixed(0)}% | ${Math.round(r.samplesPerCpuSecond)} | ` +
        `${(r.scrapeSecondsAvg * 1000).toFixed(1)} ms | ${(r.scrapeSecondsMax * 1000).toFixed(1)} ms | ` +
        `${(r.hubRssBytes / 2 ** 20).toFixed(0)} MiB |`,
    ),
    '',
    `bytes per sample on disk (a day, 4 catalog-shaped targets, ${bytes.samples} samples): ` +
      `hub ${bytes.canopy.toFixed(3)}, VictoriaMetrics ${bytes.victoria?.toFixed(3) ?? 'not run'}`,
    `load average ${load0.toFixed(2)} → ${load1.toFixed(2)} on ${availableParallelism()} CPUs`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
