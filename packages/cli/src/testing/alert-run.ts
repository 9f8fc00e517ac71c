/**
 * An alerting run as a user would have it: `canopy up` as a child process (two relays,
 * replay, storage, load, the hub with its default rules and intervals) with a config whose
 * Discord receiver is the local stand-in. Faults are switched over the services' control
 * API, a service is killed by PID, and the time from each fault to its notification at the
 * stand-in is measured. Used by the end-to-end alert test and `npm run bench -- --alerting`.
 * Loopback only; every process started here is ended by PID in {@link AlertRun.stop}.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatStandIn } from '@canopy/hub/testing/chat-stand-in';

const BIN = fileURLToPath(new URL('../../bin/canopy.js', import.meta.url));

/** Services of the reference deployment and their port offsets in `canopy up`. */
export const SERVICE_OFFSET = { 'relay-a': 0, 'relay-b': 1, replay: 2, storage: 3 } as const;
export type DeployedService = keyof typeof SERVICE_OFFSET;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port P with P…P+3 and P+100…P+103 free, and a free hub port. */
async function freePorts(): Promise<{ base: number; hub: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [0, 1, 2, 3, 100, 101, 102, 103, 200].map((d) => base + d);
    const ok = await Promise.all(ports.map(portFree));
    if (ok.every(Boolean)) return { base, hub: base + 200 };
  }
  throw new Error('no free block of ports on 127.0.0.1');
}

/** Options of {@link startAlertRun}. */
export interface AlertRunOptions {
  readonly peers?: number;
  readonly rate?: number;
  readonly churn?: number;
  /** Extra YAML appended to the generated canopy.yaml (e.g. a `scrape:` section). */
  readonly extraConfig?: string;
  /** Time allowed for start-up, ms. Default 60 s. */
  readonly startTimeoutMs?: number;
}

/** One notification seen at the stand-in. */
export interface SeenNotification {
  readonly at: number;
  readonly status: 'firing' | 'resolved';
  readonly alertname: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A running deployment with the hub notifying the Discord stand-in. */
export interface AlertRun {
  readonly standIn: ChatStandIn;
  readonly hubUrl: string;
  readonly dir: string;
  /** Everything `canopy up` printed so far. */
  output(): string;
  /** Switches a fault on a service; returns the time it took effect (after the reply). */
  fault(service: DeployedService, name: string, on: boolean, value?: number): Promise<number>;
  /** SIGKILLs a service's process (a child of `canopy up`); returns the kill time. */
  kill(service: DeployedService): number;
  /** Per-alert notifications (one per embed) received so far, oldest first. */
  notifications(): SeenNotification[];
  /** Waits for a firing notification of `alertname` that arrived after `since`. */
  waitFiring(alertname: string, since: number, timeoutMs: number): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts the deployment and waits until `canopy up` says it is up.
 *
 * @example const run = await startAlertRun(); const t = await run.fault('replay', 'stall-replay', true);
 */
export async function startAlertRun(o: AlertRunOptions = {}): Promise<AlertRun> {
  const standIn = await ChatStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'canopy-alert-run-'));
  const { base, hub } = await freePorts();
  const cfg = join(dir, 'canopy.yaml');
  writeFileSync(
    cfg,
    [
      'hub:',
      `  listen: 127.0.0.1:${hub}`,
      `  data: ${JSON.stringify(join(dir, 'data'))}`,
      'alerting:',
      '  receivers:',
      '    - name: oncall',
      '      type: discord',
      '      webhook_url_env: CANOPY_TEST_DISCORD_WEBHOOK',
      '  route:',
      '    receiver: oncall',
      o.extraConfig ?? '',
    ].join('\n') + '\n',
  );
  let out = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'up',
      '--config',
      cfg,
      '--base-port',
      String(base),
      '--peers',
      String(o.peers ?? 60),
      '--rate',
      String(o.rate ?? 100),
      '--churn',
      String(o.churn ?? 30),
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CANOPY_TEST_DISCORD_WEBHOOK: standIn.discordUrl('112233445566778899', 'run-token-abcdef'),
      },
    },
  );
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `code ${code}, signal ${sig}`));

  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    }
    await standIn.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  while (!out.includes('Press Ctrl-C to stop.')) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `exited (${exited})` : 'did not come up in time';
      await stop();
      throw new Error(`canopy up ${why}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const control = (s: DeployedService) => `http://127.0.0.1:${base + SERVICE_OFFSET[s]}`;
  const notifications = (): SeenNotification[] => {
    const seen: SeenNotification[] = [];
    for (const r of standIn.accepted()) {
      const embeds = (
        r.body as { embeds?: { title?: string; fields?: { name: string; value: string }[] }[] }
      ).embeds;
      for (const e of embeds ?? []) {
        const m = /^\[(FIRING|RESOLVED)\] (\S+)/.exec(e.title ?? '');
        if (m === null) continue;
        const labels: Record<string, string> = {};
        for (const f of e.fields ?? []) labels[f.name] = f.value;
        seen.push({
          at: r.at,
          status: m[1] === 'FIRING' ? 'firing' : 'resolved',
          alertname: m[2]!,
          labels,
        });
      }
    }
    return seen;
  };
  return {
    standIn,
    hubUrl: `http://127.0.0.1:${hub}`,
    dir,
    output: () => out,
    async fault(service, name, on, value = 0) {
      const res = await fetch(`${control(service)}/control/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, on, value }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`fault ${name} on ${service}: ${res.status} ${text}`);
      return Date.now();
    },
    kill(service) {
      // The service is a grandchild: find the child of `canopy up` listening on its port.
      const needle = `127.0.0.1:${base + SERVICE_OFFSET[service]}`;
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmd: string[];
        let ppid: number;
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        } catch {
          continue; // gone meanwhile
        }
        const i = cmd.indexOf('--listen');
        if (ppid === child.pid && i !== -1 && cmd[i + 1] === needle) {
          process.kill(Number(pid), 'SIGKILL');
          return Date.now();
        }
      }
      throw new Error(`no process of ${service} (listening on ${needle}) under canopy up`);
    },
    notifications,
    async waitFiring(alertname, since, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = notifications().find(
          (n) => n.status === 'firing' && n.alertname === alertname && n.at >= since,
        );
        if (hit !== undefined) return hit.at;
        if (Date.now() > end || exited !== undefined) return undefined;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop,
  };
}
