/**
 * A throwaway single-node VictoriaMetrics for the hub benchmarks. Like the hub's own helper
 * (packages/hub/src/tsdb/victoria.ts) it owns a temp data directory and a free loopback port
 * and only ever signals its own process; beyond it, this one exposes the process's CPU time,
 * imports the Prometheus text format and runs range queries, with the response cache off so
 * repeated queries are really evaluated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort, processCpuSeconds } from '../proc.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the Debian package installs the binary. */
export const VICTORIA_BIN = '/usr/bin/victoria-metrics';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */

/** Whether the VictoriaMetrics binary is installed. */
export function victoriaAvailable(): boolean {
  return existsSync(VICTORIA_BIN);
}

/** A running VictoriaMetrics with a private data directory. */
export class BenchVictoria {
  private exited = false;
  private stderr = '';

  private constructor(
    private readonly proc: ChildProcess,
    /** Base URL, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
    private readonly dataDir: string,
  ) {
    proc.on('exit', () => (this.exited = true));
    proc.stderr?.on('data', (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString();
    });
  }

  /** Starts it on a free 127.0.0.1 port and waits (≤ 15 s) until it is healthy. */
  static async start(): Promise<BenchVictoria> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'canopy-bench-vm-'));
    const proc = spawn(
      VICTORIA_BIN,
      [
        `-storageDataPath=${dataDir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        // The data sets start in 2025; VictoriaMetrics drops samples outside retention.
        '-retentionPeriod=100y',
        // Every timed query must be evaluated, not served from the rollup cache.
        '-search.disableCache',
        '-loggerLevel=ERROR',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const vm = new BenchVictoria(proc, `http://127.0.0.1:${port}`, dataDir);
    try {
      await vm.until(15_000, async () => (await fetch(`${vm.url}/health`)).ok);
    } catch (e) {
      await vm.stop();
      throw e;
    }
    return vm;
  }

  /** CPU seconds the VictoriaMetrics process has used so far. */
  cpuSeconds(): number {
    if (this.proc.pid === undefined) throw new Error('VictoriaMetrics has no pid');
    return processCpuSeconds(this.proc.pid);
  }

  /** Posts Prometheus text lines (`name{labels} value timestamp_ms`) to /api/v1/import/prometheus. */
  async importText(body: string): Promise<void> {
    const r = await fetch(`${this.url}/api/v1/import/prometheus`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(60_000),
    });
    if (!r.ok) throw new Error(`VictoriaMetrics import: HTTP ${r.status} ${await r.text()}`);
  }

  /**
   * Waits (≤ timeoutMs) until `rows` samples in total reached storage, then forces them
   * from memory into searchable parts and waits until none is pending.
   */
  async flush(rows: number, timeoutMs = 60_000): Promise<void> {
    await this.until(timeoutMs, async () => {
      const m = await this.metrics();
      const ignored = sumMetric(m, 'vm_rows_ignored_total');
      if (ignored > 0) throw new Error(`VictoriaMetrics ignored ${ignored} samples`);
      return sumMetric(m, 'vm_rows_added_to_storage_total') >= rows;
    });
    await this.get('/internal/force_flush');
    await this.until(
      timeoutMs,
      async () => sumMetric(await this.metrics(), 'vm_pending_rows') === 0,
    );
  }

  /**
   * Merges a monthly partition (`YYYY_MM`) into as few parts as possible and waits (≤ timeoutMs)
   * until no merge is running and the part count has settled, so no background work is left.
   */
  async forceMerge(partition: string, timeoutMs = 60_000): Promise<void> {
    await this.get(`/internal/force_merge?partition_prefix=${partition}`);
    let last = -1;
    let same = 0;
    await this.until(timeoutMs, async () => {
      const m = await this.metrics();
      const parts = sumMetric(m, 'vm_parts');
      same = sumMetric(m, 'vm_active_merges') === 0 && parts === last ? same + 1 : 0;
      last = parts;
      return same >= 5;
    });
  }

  /**
   * Runs a range query (seconds, step in seconds) and returns the number of series in the
   * answer; the body is read and parsed, as a client must.
   */
  async queryRange(query: string, start: number, end: number, step: number): Promise<number> {
    return rangeOverHttp(this.url, query, start, end, step);
  }

  /** Stops the process (SIGINT, SIGKILL after 20 s) and removes its data directory. */
  async stop(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      this.proc.kill('SIGINT');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async get(path: string): Promise<void> {
    const r = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(120_000) });
    if (!r.ok) throw new Error(`VictoriaMetrics ${path}: HTTP ${r.status} ${await r.text()}`);
  }

  private async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  }

  private async until(timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`VictoriaMetrics exited: ${this.stderr.trim()}`);
      try {
        if (await ok()) return;
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // TypeError: not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`VictoriaMetrics: timed out after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * `GET /api/v1/query_range` against a Prometheus-compatible API; returns the number of series.
 * Throws on an error response.
 */
export async function rangeOverHttp(
  baseUrl: string,
  query: string,
  start: number,
  end: number,
  step: number,
): Promise<number> {
  const u = new URL('/api/v1/query_range', baseUrl);
  u.searchParams.set('query', query);
  u.searchParams.set('start', String(start));
  u.searchParams.set('end', String(end));
  u.searchParams.set('step', String(step));
  const r = await fetch(u, { signal: AbortSignal.timeout(120_000) });
  const body = (await r.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`${baseUrl} query_range ${query}: ${body.error ?? r.status}`);
  return body.data.result.length;
}

/** Sum of every sample of one metric in a Prometheus text exposition. */
function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const c = line.charAt(name.length);
    if (c !== ' ' && c !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
