/**
 * A throwaway single-node VictoriaMetrics (the `victoria-metrics` Debian package) for side by
 * side measurements: its own temp data directory, a free loopback port, bounded waits, and
 * only its own process is ever signalled.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../model.js';

/** Where the Debian package installs the binary. */
export const VICTORIA_BIN = '/usr/bin/victoria-metrics';

/** Whether the VictoriaMetrics binary is installed. */
export function victoriaAvailable(): boolean {
  return existsSync(VICTORIA_BIN);
}

/** A running VictoriaMetrics with a private data directory. */
export class Victoria {
  private exited = false;
  private stderr = '';

  private constructor(
    private readonly proc: ChildProcess,
    /** Base URL, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
    /** Its -storageDataPath (removed by {@link Victoria.stop}). */
    readonly dataDir: string,
  ) {
    proc.on('exit', () => (this.exited = true));
    proc.stderr?.on('data', (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString();
    });
  }

  /** Starts VictoriaMetrics on a free 127.0.0.1 port and waits (≤ 15 s) until it is healthy. */
  static async start(): Promise<Victoria> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'canopy-vm-'));
    const proc = spawn(
      VICTORIA_BIN,
      [
        `-storageDataPath=${dataDir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        // Generated data may be years old; VictoriaMetrics drops samples outside retention.
        '-retentionPeriod=100y',
        '-loggerLevel=ERROR',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const vm = new Victoria(proc, `http://127.0.0.1:${port}`, dataDir);
    try {
      await vm.until(15_000, async () => (await fetch(`${vm.url}/health`)).ok);
    } catch (e) {
      await vm.stop();
      throw e;
    }
    return vm;
  }

  /**
   * Imports series with `/api/v1/import` (JSON lines), in requests of a few MB. JSON has no
   * NaN: series must not contain NaN or staleness markers.
   */
  async importSeries(
    series: Iterable<{ labels: Labels; t: Float64Array; v: Float64Array }>,
  ): Promise<void> {
    let body = '';
    const send = async (): Promise<void> => {
      const r = await fetch(`${this.url}/api/v1/import`, { method: 'POST', body });
      if (!r.ok) throw new Error(`VictoriaMetrics import: HTTP ${r.status} ${await r.text()}`);
      body = '';
    };
    for (const s of series) {
      body +=
        JSON.stringify({ metric: s.labels, values: Array.from(s.v), timestamps: Array.from(s.t) }) +
        '\n';
      if (body.length > 4_000_000) await send();
    }
    if (body.length > 0) await send();
  }

  /** Waits (≤ timeoutMs) until `rows` samples reached storage, then flushes them to parts. */
  async flush(rows: number, timeoutMs = 60_000): Promise<void> {
    await this.until(timeoutMs, async () => {
      const m = await this.metrics();
      const ignored = sumMetric(m, 'vm_rows_ignored_total');
      if (ignored > 0) throw new Error(`VictoriaMetrics ignored ${ignored} samples`);
      return sumMetric(m, 'vm_rows_added_to_storage_total') >= rows;
    });
    await this.get('/internal/force_flush');
    await this.until(timeoutMs, async () => {
      return sumMetric(await this.metrics(), 'vm_pending_rows') === 0;
    });
  }

  /**
   * Merges each monthly partition into as few parts as possible (its best compression), then
   * waits (≤ timeoutMs) until the parts on disk stop changing: a merge writes the new part
   * before it removes the old ones.
   */
  async forceMerge(months: Iterable<string>, timeoutMs = 60_000): Promise<void> {
    for (const m of months) await this.get(`/internal/force_merge?partition_prefix=${m}`);
    let last = '';
    let same = 0;
    await this.until(timeoutMs, async () => {
      const parts = sumMetric(await this.metrics(), 'vm_parts');
      const now = `${parts}/${this.storageBytes()}`;
      same = now === last ? same + 1 : 0;
      last = now;
      return same >= 10;
    });
  }

  /**
   * Bytes of stored samples and their index (`data/` + `indexdb/`); caches are not counted.
   * Call after {@link Victoria.shutdown} for a stable number.
   */
  storageBytes(): number {
    return dirSize(join(this.dataDir, 'data')) + dirSize(join(this.dataDir, 'indexdb'));
  }

  /** Stops the process gracefully (SIGINT, then SIGKILL after 20 s); keeps the data dir. */
  async shutdown(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGINT');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  }

  /** Stops the process and removes its data directory. */
  async stop(): Promise<void> {
    await this.shutdown();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async get(path: string): Promise<void> {
    const r = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(120_000) });
    if (!r.ok) throw new Error(`VictoriaMetrics ${path}: HTTP ${r.status} ${await r.text()}`);
  }

  private async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
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
      await new Promise((r) => setTimeout(r, 200));
    }
  }
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

/** Total size of the files under a directory, bytes. */
export function dirSize(dir: string): number {
  let n = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirSize(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
