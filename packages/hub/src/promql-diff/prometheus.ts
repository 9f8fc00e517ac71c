/**
 * The real Prometheus for the differential test: starts `/usr/bin/prometheus` on a free
 * loopback port with an empty scrape configuration and the remote-write receiver, loads a
 * {@link Dataset} through remote write (the hub's WriteRequest encoder, snappy block format) — the
 * only loading path that keeps staleness markers — and runs queries over the HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import {
  encodeWriteRequest as encodeRemoteWrite,
  type WriteSeries,
} from '../remote-write/write-request.js';
import type { Dataset, GenSeries } from './generate.js';
import type { Outcome, QueryData } from './compare.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const TIMEOUT_BIN = '/usr/bin/timeout';
/** Upper bound on the life of a Prometheus started here, whatever happens to this process. */
const MAX_LIFETIME_S = 600;

/**
 * Encodes one WriteRequest with samples [from, to) of each series' index range, through the
 * hub's own remote_write encoder (the values' bits, staleness markers included, go out as is).
 */
export function encodeWriteRequest(
  parts: { series: GenSeries; from: number; to: number }[],
): Uint8Array {
  const timeseries: WriteSeries[] = [];
  for (const { series, from, to } of parts) {
    if (from >= to) continue;
    timeseries.push({
      labels: series.labels,
      t: Float64Array.from(series.t.slice(from, to)),
      v: series.v.subarray(from, to),
    });
  }
  return encodeRemoteWrite({ timeseries, metadata: [] });
}

// ---------------------------------------------------------------------------------------
// Process management.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with `p`'s outcome, or with false after `ms` (the timer never outlives the race). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running Prometheus started by this process. */
export class PrometheusServer {
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-20_000);
    });
    child.on('exit', () => (this.exited = true));
  }

  /** Starts Prometheus and waits (bounded) until it is ready. */
  static async start(timeoutMs = 20_000): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-promql-diff-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const port = await freePort();
    const args = [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ];
    // Under coreutils `timeout` when available: should this process die without stopping
    // Prometheus (SIGKILL, a runner's hard timeout), Prometheus still ends on its own.
    // `timeout` passes our SIGTERM on to Prometheus and exits with it.
    const child = existsSync(TIMEOUT_BIN)
      ? spawn(TIMEOUT_BIN, ['--kill-after=5', String(MAX_LIFETIME_S), PROMETHEUS_BIN, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
          cwd: dir,
        })
      : spawn(PROMETHEUS_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    const p = new PrometheusServer(child, `http://127.0.0.1:${port}`, dir);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (p.exited) {
        await p.stop();
        throw new Error(`prometheus exited during start-up:\n${p.stderr}`);
      }
      try {
        const r = await fetch(`${p.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (r.ok) return p;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await p.stop();
        throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${p.stderr}`);
      }
      await sleep(100);
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after a bounded wait) and removes its data. */
  async stop(): Promise<void> {
    const inner = this.innerPid();
    if (!this.exited && this.child.pid !== undefined) {
      const done = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const ok = await within(done, 8000);
      if (!ok) {
        this.child.kill('SIGKILL');
        await within(done, 2000);
      }
    }
    // The Prometheus under `timeout`, should it have outlived the wrapper: by its own PID.
    if (inner !== undefined && alive(inner)) {
      process.kill(inner, 'SIGKILL');
      for (let i = 0; i < 20 && alive(inner); i++) await sleep(100);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** PID of Prometheus itself when it runs under `timeout` (Linux /proc), else undefined. */
  private innerPid(): number | undefined {
    const pid = this.child.pid;
    if (pid === undefined || this.child.spawnfile !== TIMEOUT_BIN) return undefined;
    try {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
      const k = Number(kids[0]);
      if (!Number.isInteger(k) || k <= 0) return undefined;
      const cmd = readFileSync(`/proc/${k}/cmdline`, 'utf8');
      return cmd.startsWith(PROMETHEUS_BIN) ? k : undefined;
    } catch {
      return undefined;
    }
  }

  /** The last lines Prometheus wrote to stderr (for failure reports). */
  log(): string {
    return this.stderr;
  }

  /**
   * Loads the dataset through remote write, in time windows across all series so that the
   * head's in-order window always accepts every sample.
   */
  async load(ds: Dataset, windowMs = 10 * 60_000): Promise<void> {
    const cursor = ds.series.map(() => 0);
    for (let end = ds.startMs + windowMs; ; end += windowMs) {
      const parts: { series: GenSeries; from: number; to: number }[] = [];
      let remaining = false;
      ds.series.forEach((series, k) => {
        const from = cursor[k]!;
        let to = from;
        while (to < series.t.length && series.t[to]! < end) to++;
        cursor[k] = to;
        if (to > from) parts.push({ series, from, to });
        if (to < series.t.length) remaining = true;
      });
      if (parts.length > 0) {
        const body = snappy.compress(encodeWriteRequest(parts));
        const r = await fetch(`${this.url}/api/v1/write`, {
          method: 'POST',
          headers: {
            'Content-Encoding': 'snappy',
            'Content-Type': 'application/x-protobuf',
            'X-Prometheus-Remote-Write-Version': '0.1.0',
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (r.status !== 204 && r.status !== 200) {
          throw new Error(`remote write failed: HTTP ${r.status}: ${await r.text()}`);
        }
      }
      if (!remaining) break;
    }
  }

  /** Runs an instant query. */
  instant(expr: string, timeMs: number): Promise<Outcome> {
    return this.query('/api/v1/query', { query: expr, time: secs(timeMs) });
  }

  /** Runs a range query. */
  range(expr: string, startMs: number, endMs: number, stepMs: number): Promise<Outcome> {
    return this.query('/api/v1/query_range', {
      query: expr,
      start: secs(startMs),
      end: secs(endMs),
      step: secs(stepMs),
    });
  }

  private async query(path: string, params: Record<string, string>): Promise<Outcome> {
    const r = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await r.json()) as {
      status: string;
      data?: QueryData;
      errorType?: string;
      error?: string;
    };
    if (body.status === 'success' && body.data !== undefined) return { ok: true, data: body.data };
    return {
      ok: false,
      errorType: body.errorType ?? `HTTP ${r.status}`,
      message: `HTTP ${r.status}: ${body.error ?? ''}`,
    };
  }
}

/** Milliseconds as the seconds string Prometheus parses back to the same millisecond. */
export function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}
