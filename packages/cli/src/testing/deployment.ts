/**
 * The reference deployment for stack B tests: storage, two linked relays and replay, each a
 * `canopy` child process on free loopback ports (as `canopy up` starts them, without the hub),
 * and the load generator in this process. A service is killed by its PID; faults are switched
 * over the services' control API. Test helper only; every process started here is ended by
 * PID in {@link Deployment.stop}, and the data folder removed.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, switchFault, type FaultName } from '@canopy/services';
import { freePort, type ScrapeTarget } from '@canopy/stack';

const BIN = fileURLToPath(new URL('../../bin/canopy.js', import.meta.url));

/** The services of the deployment. */
export type ServiceName = 'relay-a' | 'relay-b' | 'replay' | 'storage';

/** Options of {@link startDeployment}. */
export interface DeploymentOptions {
  /** Simulated peers. Default 20. */
  readonly peers?: number;
  /** Events per second over all peers. Default 40. */
  readonly rate?: number;
  /** Reconnects per minute. Default 30. */
  readonly churn?: number;
}

/** A running deployment under load. */
export interface Deployment {
  /** The services' /metrics, with the `service` label the scraper gives them. */
  readonly targets: readonly ScrapeTarget[];
  /** The /metrics URL of one service. */
  metricsUrl(name: ServiceName): string;
  /** SIGKILLs a service; returns the time of the kill. */
  kill(name: ServiceName): number;
  /** Switches a fault on a service (after the reply); returns the time. */
  fault(name: ServiceName, fault: FaultName, on: boolean, value?: number): Promise<number>;
  /** The end of every service's log, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

interface Proc {
  readonly name: ServiceName;
  readonly proc: ChildProcess;
  readonly log: string;
  exited: boolean;
}

async function waitReady(url: string, p: Proc, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (p.exited) throw new Error(`${p.name} exited during start-up: ${tail(p.log)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${p.name} did not answer on ${url} within ${ms} ms: ${tail(p.log)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the four services (each waited for) and the load. On a start-up failure everything
 * already started is stopped before the error is thrown.
 *
 * @example const d = await startDeployment(); d.kill('relay-a'); await d.stop();
 */
export async function startDeployment(o: DeploymentOptions = {}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-deployment-'));
  const h = '127.0.0.1';
  const names: ServiceName[] = ['relay-a', 'relay-b', 'replay', 'storage'];
  const port: Record<ServiceName, number> = { 'relay-a': 0, 'relay-b': 0, replay: 0, storage: 0 };
  const mport: Record<ServiceName, number> = { ...port };
  for (const n of names) {
    port[n] = await freePort();
    mport[n] = await freePort();
  }
  const addr = (n: ServiceName) => `${h}:${port[n]}`;
  const maddr = (n: ServiceName) => `${h}:${mport[n]}`;
  const args: Record<ServiceName, string[]> = {
    storage: ['storage', '--listen', addr('storage'), '--metrics', maddr('storage')].concat([
      '--db',
      join(dir, 'storage.sqlite'),
      '--replay',
      `http://${addr('replay')}`,
    ]),
    'relay-a': ['relay', '--listen', addr('relay-a'), '--metrics', maddr('relay-a')].concat([
      '--peer-relay',
      `ws://${addr('relay-b')}`,
    ]),
    'relay-b': ['relay', '--listen', addr('relay-b'), '--metrics', maddr('relay-b')].concat([
      '--peer-relay',
      `ws://${addr('relay-a')}`,
    ]),
    replay: [
      'replay',
      '--relay',
      `ws://${addr('relay-a')}`,
      '--storage',
      `http://${addr('storage')}`,
    ].concat(['--listen', addr('replay'), '--metrics', maddr('replay')]),
  };
  const procs: Proc[] = [];
  const ac = new AbortController();
  let load: Promise<unknown> = Promise.resolve();
  const stop = async () => {
    ac.abort();
    await load.catch(() => undefined);
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exited) return resolve();
            p.proc.once('exit', () => resolve());
            p.proc.kill('SIGTERM');
            setTimeout(() => {
              if (!p.exited) p.proc.kill('SIGKILL');
            }, 5000).unref();
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const name of ['storage', 'relay-a', 'relay-b', 'replay'] as const) {
      const log = join(dir, `${name}.log`);
      const fd = openSync(log, 'a');
      const proc = spawn(process.execPath, [BIN, ...args[name]], {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, CANOPY_LOG_LEVEL: 'warn' },
      });
      closeSync(fd);
      const p: Proc = { name, proc, log, exited: false };
      proc.on('exit', () => (p.exited = true));
      procs.push(p);
      await waitReady(`http://${maddr(name)}/metrics`, p, 20_000);
    }
    load = runLoad({
      relays: [`ws://${addr('relay-a')}`, `ws://${addr('relay-b')}`],
      replayUrl: `http://${addr('replay')}`,
      storageUrl: `http://${addr('storage')}`,
      peers: o.peers ?? 20,
      rate: o.rate ?? 40,
      churn: o.churn ?? 30,
      durationS: Infinity,
      signal: ac.signal,
    });
    // A load that fails is visible in the alerts it does not cause; keep it from going unhandled.
    load.catch(() => undefined);
  } catch (e) {
    await stop();
    throw e;
  }
  const proc = (name: ServiceName) => procs.find((p) => p.name === name)!;
  return {
    targets: names.map((n) => ({
      url: `http://${maddr(n)}/metrics`,
      service: n.startsWith('relay') ? 'relay' : n,
    })),
    metricsUrl: (n) => `http://${maddr(n)}/metrics`,
    kill(name) {
      proc(name).proc.kill('SIGKILL');
      return Date.now();
    },
    async fault(name, fault, on, value = 0) {
      await switchFault(`http://${addr(name)}`, fault, on, value);
      return Date.now();
    },
    logs: () => procs.map((p) => `--- ${p.name}\n${tail(p.log)}`).join('\n'),
    stop,
  };
}
