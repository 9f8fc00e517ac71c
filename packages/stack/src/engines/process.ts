/**
 * One engine of stack B (VictoriaMetrics, vmalert, Alertmanager) as a child process on a free
 * loopback port with its own temp folder: started, waited for until its readiness URL answers,
 * stopped by its own pid (SIGTERM, then SIGKILL) and its folder removed. Its output is kept
 * (the last 16 KiB) for the message when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A free TCP port on 127.0.0.1 (free when returned; bind it promptly).
 *
 * @example const port = await freePort(); // e.g. 40123
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() =>
        typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Why a test that needs `bin` should be skipped: it is not installed and this is not CI
 * (`CI` set), where a missing engine is a failure. `false`: run the test.
 *
 * @example test('amtool check-config', { skip: toolSkipReason(AMTOOL_BIN, 'prometheus-alertmanager') }, …)
 */
export function toolSkipReason(bin: string, debianPackage: string): string | false {
  const ci = process.env['CI'] !== undefined && process.env['CI'] !== '';
  if (existsSync(bin) || ci) return false;
  return `${bin} is not installed (Debian package ${debianPackage}; in CI this test fails instead)`;
}

/**
 * A temp folder owned by one engine, removed when it stops.
 *
 * @example engineDir('alertmanager') // '/tmp/canopy-alertmanager-Ab12Cd'
 */
export function engineDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `canopy-${name}-`));
}

/** Options of {@link startEngine}. */
export interface EngineOptions {
  /** Name for messages: `alertmanager`. */
  readonly name: string;
  readonly bin: string;
  readonly args: readonly string[];
  /** Base URL it will serve, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Path that answers 200 once it is ready, e.g. `/-/ready`. */
  readonly readyPath: string;
  /** Folders to remove when it stops. */
  readonly dirs?: readonly string[];
  /** How long to wait for readiness. Default 20 s. */
  readonly readyTimeoutMs?: number;
}

/** A running engine. */
export class EngineProcess {
  #exited: string | undefined;
  #log = '';
  readonly #proc: ChildProcess;

  private constructor(
    readonly name: string,
    readonly url: string,
    proc: ChildProcess,
    private readonly dirs: readonly string[],
  ) {
    this.#proc = proc;
    const keep = (b: Buffer) => {
      this.#log = (this.#log + b.toString()).slice(-16_384);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on(
      'exit',
      (code, sig) => (this.#exited = sig !== null ? `signal ${sig}` : `code ${code}`),
    );
    proc.on('error', (e) => (this.#exited = `spawn error: ${e.message}`));
  }

  /**
   * Starts `bin args…` and waits until `url + readyPath` answers 200. On failure the process
   * is stopped, its folders removed, and the error carries the end of its output.
   */
  static async start(o: EngineOptions): Promise<EngineProcess> {
    const proc = spawn(o.bin, [...o.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const e = new EngineProcess(o.name, o.url, proc, o.dirs ?? []);
    const until = Date.now() + (o.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (e.#exited !== undefined) {
        await e.stop();
        throw new Error(`${o.name} exited during start-up (${e.#exited}):\n${e.log()}`);
      }
      try {
        const r = await fetch(o.url + o.readyPath, { signal: AbortSignal.timeout(1000) });
        await r.body?.cancel();
        if (r.status === 200) return e;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) {
        await e.stop();
        throw new Error(`${o.name} did not answer ${o.url}${o.readyPath} in time:\n${e.log()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Its process id. */
  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /** How it exited (`code 1`, `signal SIGKILL`), or undefined while it runs. */
  get exited(): string | undefined {
    return this.#exited;
  }

  /** The end of its output. */
  log(): string {
    return this.#log.trimEnd();
  }

  /** Stops it (SIGTERM, SIGKILL after `graceMs`) and removes its folders. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#exited === undefined && this.#proc.pid !== undefined) {
      const gone = new Promise<void>((r) => this.#proc.once('exit', () => r()));
      this.#proc.kill('SIGTERM');
      const timer = setTimeout(() => this.#proc.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
