/**
 * remote_write ingest: samples per CPU-second of the hub and of VictoriaMetrics receiving the
 * same stream of WriteRequests (`npm run bench -- --remote-write [--json]`, about a minute).
 *
 * The stream is what a vmagent scraping the reference services every 15 s sends: one
 * snappy-compressed WriteRequest per scrape round with one sample of every series of 20
 * catalog-shaped targets (bench/src/hub/catalog-data.ts), timestamps moved to the last hour.
 * Bodies are built before timing and POSTed one at a time to each server in turn. Each
 * server is a process of its own; its CPU time (user + system, /proc/<pid>/stat) is read
 * around the measured rounds — for VictoriaMetrics until the samples are flushed into
 * searchable parts, for the hub until the last answer (it commits before answering).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import snappy from 'snappyjs';
import { encodeWriteRequest, type WriteSeries } from '@canopy/hub';
import { processCpuSeconds } from '../proc.js';
import { generateTargets, INTERVAL_MS } from './catalog-data.js';
import { BenchVictoria, victoriaAvailable } from './victoria.js';

/** Options of {@link benchRemoteWrite}. */
export interface RemoteWriteBenchOptions {
  readonly targets?: number;
  /** Rounds measured (default 240: an hour at 15 s). */
  readonly rounds?: number;
  /** Rounds sent before measuring (series creation, JIT warm-up; default 20). */
  readonly warmupRounds?: number;
}

/** What {@link benchRemoteWrite} measured. */
export interface RemoteWriteBenchResult {
  readonly series: number;
  readonly samples: number;
  readonly requests: number;
  readonly bodyBytes: number;
  readonly hubCpuSeconds: number;
  readonly victoriaCpuSeconds: number;
  /** Samples per CPU-second. */
  readonly hub: number;
  readonly victoria: number;
  /** Wall time of the measured requests, s. */
  readonly hubWallSeconds: number;
  readonly victoriaWallSeconds: number;
}

/** The stream: snappy-compressed WriteRequests, one per round. */
function buildBodies(targets: number, rounds: number): { bodies: Uint8Array[]; series: number } {
  const data = generateTargets({ targets, rounds });
  // The generated data starts in 2025; the hub refuses samples before its retention.
  const shift = Date.now() - 2 * 3_600_000 - data[0]!.t[0]!;
  let series = 0;
  for (const d of data) series += d.labels.length;
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < rounds; i++) {
    const ts: WriteSeries[] = [];
    for (const d of data) {
      const t = Float64Array.of(d.t[i]! + shift);
      for (let s = 0; s < d.labels.length; s++) {
        const v = new Float64Array(1);
        v[0] = d.v[s]![i]!;
        ts.push({ labels: d.labels[s]!, t, v });
      }
    }
    bodies.push(snappy.compress(encodeWriteRequest({ timeseries: ts, metadata: [] })));
  }
  return { bodies, series };
}

async function post(url: string, body: Uint8Array): Promise<void> {
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  if (r.status !== 204 && r.status !== 200)
    throw new Error(`${url}/api/v1/write: HTTP ${r.status} ${await r.text()}`);
  await r.body?.cancel();
}

/** Starts the hub child; resolves with its URL, pid and a stop function. */
async function startHubChild(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-rw-'));
  const child = spawn(
    process.execPath,
    [new URL('./rw-hub-child.js', import.meta.url).pathname, dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const lines = createInterface({ input: child.stdout! });
  const url = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    new Promise<string>((_, reject) =>
      setTimeout(() => reject(new Error('hub child: no URL in 20 s')), 20_000),
    ),
    exited.then(() => Promise.reject(new Error('hub child exited during start-up'))),
  ]).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { url, pid: child.pid!, stop };
}

/**
 * Runs the benchmark.
 *
 * @example const r = await benchRemoteWrite(); r.hub / r.victoria
 */
export async function benchRemoteWrite(
  o: RemoteWriteBenchOptions = {},
): Promise<RemoteWriteBenchResult> {
  const warm = o.warmupRounds ?? 20;
  const rounds = o.rounds ?? 240;
  const { bodies, series } = buildBodies(o.targets ?? 20, warm + rounds);
  const measured = bodies.slice(warm);
  let bodyBytes = 0;
  for (const b of measured) bodyBytes += b.length;

  const hub = await startHubChild();
  let hubCpuSeconds: number;
  let hubWallSeconds: number;
  try {
    for (const b of bodies.slice(0, warm)) await post(hub.url, b);
    const c0 = processCpuSeconds(hub.pid);
    const w0 = performance.now();
    for (const b of measured) await post(hub.url, b);
    hubWallSeconds = (performance.now() - w0) / 1000;
    hubCpuSeconds = processCpuSeconds(hub.pid) - c0;
  } finally {
    await hub.stop();
  }

  const vm = await BenchVictoria.start();
  let victoriaCpuSeconds: number;
  let victoriaWallSeconds: number;
  try {
    for (const b of bodies.slice(0, warm)) await post(vm.url, b);
    await vm.flush(series * warm);
    const c0 = vm.cpuSeconds();
    const w0 = performance.now();
    for (const b of measured) await post(vm.url, b);
    await vm.flush(series * (warm + rounds));
    victoriaWallSeconds = (performance.now() - w0) / 1000;
    victoriaCpuSeconds = vm.cpuSeconds() - c0;
  } finally {
    await vm.stop();
  }
  const samples = series * rounds;
  return {
    series,
    samples,
    requests: rounds,
    bodyBytes,
    hubCpuSeconds,
    victoriaCpuSeconds,
    hub: samples / hubCpuSeconds,
    victoria: samples / victoriaCpuSeconds,
    hubWallSeconds,
    victoriaWallSeconds,
  };
}

/** Prints the benchmark (`npm run bench -- --remote-write [--json]`). */
export async function runRemoteWriteBench(json: boolean): Promise<void> {
  if (!victoriaAvailable())
    throw new Error(
      'remote_write benchmark: /usr/bin/victoria-metrics is missing (apt-get install victoria-metrics)',
    );
  const load0 = loadavg()[0]!;
  const r = await benchRemoteWrite();
  if (json) {
    process.stdout.write(
      JSON.stringify({
        name: 'remote_write ingest, samples per CPU-second',
        canopy: Math.round(r.hub),
        peer: 'victoriametrics',
        peer_value: Math.round(r.victoria),
        unit: 'samples/CPU-s',
        ratio: Number((r.hub / r.victoria).toFixed(3)),
      }) + '\n',
    );
    return;
  }
  const k = (x: number) => `${Math.round(x).toLocaleString('en-US')}`;
  process.stdout.write(
    [
      `remote_write ingest: ${r.requests} WriteRequests of ${r.series} series (one sample each, ${INTERVAL_MS / 1000} s apart), ${(r.bodyBytes / r.requests / 1024).toFixed(1)} KiB snappy each`,
      '',
      `                 samples/CPU-s   CPU s   wall s`,
      `hub              ${k(r.hub).padStart(13)}   ${r.hubCpuSeconds.toFixed(2).padStart(5)}   ${r.hubWallSeconds.toFixed(2).padStart(6)}`,
      `VictoriaMetrics  ${k(r.victoria).padStart(13)}   ${r.victoriaCpuSeconds.toFixed(2).padStart(5)}   ${r.victoriaWallSeconds.toFixed(2).padStart(6)}`,
      '',
      `hub / VictoriaMetrics: ${(r.hub / r.victoria).toFixed(2)}× the samples per CPU-second`,
      `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs`,
      '',
    ].join('\n'),
  );
}
