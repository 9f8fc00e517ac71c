import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, formatProgress, type FaultStep, type LoadProgress } from '@canopy/services';
import type { ScrapeConfig } from '@canopy/hub';
import { LogFeed } from '@canopy/hub';
import { captureOutput } from './capture.js';
import { runHub, alertingBanner, type HubSettings } from './hub-command.js';
import type { AlertingSetup } from './alerting-setup.js';
import { upTracingFlags, type UpTracing } from './tracing-config.js';

/** Options of {@link up}. */
export interface UpOptions {
  /** First port; services take basePort…basePort+3, their /metrics basePort+100…+103. Default 7000. */
  readonly basePort?: number;
  /** Data and log folder. Default `.canopy`. */
  readonly dataDir?: string;
  readonly peers?: number;
  readonly rate?: number;
  readonly churn?: number;
  /** Seconds of load; default: until Ctrl-C. */
  readonly durationS?: number;
  readonly faults?: readonly FaultStep[];
  /** The hub to run alongside, scraping every service, itself and the host. */
  readonly hub?: HubSettings;
  /** Scrape settings (and extra targets) from the config. */
  readonly scrape?: ScrapeConfig;
  /** Rules and alert routing for the hub (see `resolveAlerting`). */
  readonly alerting?: AlertingSetup;
  /** The web dashboard's handler, served by the hub (see `hubUi`). */
  readonly ui?: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly out: (s: string) => void;
  readonly signal?: AbortSignal;
  /**
   * Traces of the services (`tracing:` of canopy.yaml, see `upTracing`); without an
   * endpoint they go to the hub's `/v1/traces`. Absent: no tracing.
   */
  readonly tracing?: UpTracing;
}

interface Child {
  readonly name: string;
  readonly metricsUrl: string;
  readonly log: string;
  proc: ChildProcess;
  exited: string | undefined;
}

const BIN = fileURLToPath(new URL('../bin/canopy.js', import.meta.url));

async function waitReady(url: string, child: Child, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exited !== undefined)
      throw new Error(`${child.name} exited during start-up (${child.exited}); see ${child.log}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not answer on ${url} within ${ms / 1000} s; see ${child.log}`);
}

/**
 * Brings up the reference deployment as separate processes — two relays that dial each
 * other, replay, storage — and a load spread over both relays. Prints the /metrics URLs and
 * a live status line; reports a child that dies; stops everything on abort.
 */
export async function up(o: UpOptions): Promise<void> {
  const base = o.basePort ?? 7000;
  const data = resolve(o.hub?.dataDir ?? o.dataDir ?? '.canopy');
  mkdirSync(join(data, 'logs'), { recursive: true });
  const h = '127.0.0.1';
  const addr = (n: number) => `${h}:${base + n}`;
  const maddr = (n: number) => `${h}:${base + 100 + n}`;
  const specs: Array<[string, string[]]> = [
    [
      'storage',
      [
        'storage',
        '--listen',
        addr(3),
        '--metrics',
        maddr(3),
        '--db',
        join(data, 'storage.sqlite'),
        '--replay',
        `http://${addr(2)}`,
      ],
    ],
    [
      'relay-a',
      ['relay', '--listen', addr(0), '--metrics', maddr(0), '--peer-relay', `ws://${addr(1)}`],
    ],
    [
      'relay-b',
      ['relay', '--listen', addr(1), '--metrics', maddr(1), '--peer-relay', `ws://${addr(0)}`],
    ],
    [
      'replay',
      [
        'replay',
        '--relay',
        `ws://${addr(0)}`,
        '--storage',
        `http://${addr(3)}`,
        '--listen',
        addr(2),
        '--metrics',
        maddr(2),
      ],
    ],
  ];
  // Traces go to the configured endpoint, else to the hub. A hub that does not take them
  // (yet) only costs dropped spans, counted in canopy_trace_spans_dropped_total.
  const hubHost =
    o.hub === undefined ? '' : /^(0\.0\.0\.0|::|\[::\])$/.test(o.hub.host) ? h : o.hub.host;
  const traceTo =
    o.tracing?.endpoint ??
    (o.hub !== undefined
      ? `http://${hubHost.includes(':') ? `[${hubHost}]` : hubHost}:${o.hub.port}/v1/traces`
      : undefined);
  if (o.tracing !== undefined && traceTo !== undefined)
    for (const spec of specs) {
      const service = spec[1][0] as 'relay' | 'replay' | 'storage';
      spec[1].push(...upTracingFlags({ ...o.tracing, endpoint: traceTo }, service, traceTo));
    }
  const children: Child[] = [];
  // Every line of the children also goes to the hub's log store (once the hub is up).
  const feed = o.hub !== undefined ? new LogFeed(undefined) : undefined;
  const captured: Array<Promise<void>> = [];
  const start = (name: string, args: string[], idx: number): Child => {
    const log = join(data, 'logs', `${name}.log`);
    const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    captured.push(captureOutput(proc, log, feed, name));
    const child: Child = {
      name,
      metricsUrl: `http://${maddr(idx)}/metrics`,
      log,
      proc,
      exited: undefined,
    };
    proc.on('exit', (code, sig) => {
      child.exited = sig !== null ? `signal ${sig}` : `exit code ${code}`;
      if (!stopping) o.out(`\n! ${name} died (${child.exited}); its log: ${log}\n`);
    });
    return child;
  };
  let stopping = false;
  let hub: Awaited<ReturnType<typeof runHub>> | undefined;
  const indexOf = { storage: 3, 'relay-a': 0, 'relay-b': 1, replay: 2 } as Record<string, number>;
  try {
    for (const [name, args] of specs) {
      const c = start(name, args, indexOf[name]!);
      children.push(c);
      await waitReady(c.metricsUrl, c, 15_000);
    }
    let hubUrl = '';
    if (o.hub !== undefined && o.scrape !== undefined) {
      const sc = o.scrape;
      const targets = children.map((c) => ({
        url: c.metricsUrl,
        service: c.name.startsWith('relay') ? 'relay' : c.name,
        instance: new URL(c.metricsUrl).host,
        interval: sc.interval,
        timeout: sc.timeout,
        sample_limit: sc.sample_limit,
      }));
      hub = await runHub(o.hub, { ...sc, targets: [...sc.targets, ...targets] }, o.alerting, o.ui);
      hubUrl = hub.url;
      if (feed !== undefined && hub.logs !== undefined) feed.attach(hub.logs);
    }
    o.out('Canopy reference deployment is up:\n');
    if (hubUrl !== '') o.out(`  hub      ${hubUrl}  (Prometheus API at ${hubUrl}/api/v1/query)\n`);
    if (hubUrl !== '' && o.ui !== undefined) o.out(`  dashboard ${hubUrl}/\n`);
    if (hubUrl !== '' && o.alerting !== undefined) o.out(alertingBanner(o.alerting));
    for (const c of children)
      o.out(`  ${c.name.padEnd(8)} metrics ${c.metricsUrl}   log ${c.log}\n`);
    if (o.tracing !== undefined && traceTo !== undefined)
      o.out(
        `  traces   → ${traceTo} (sampled: relay ${o.tracing.ratios.relay}, replay ${o.tracing.ratios.replay}, storage ${o.tracing.ratios.storage})\n`,
      );
    o.out(
      `  load     ${o.peers ?? 100} peers, ${o.rate ?? 200} events/s, churn ${o.churn ?? 30}/min over both relays\n`,
    );
    o.out('Press Ctrl-C to stop.\n');

    let prev: LoadProgress | undefined;
    const tty = process.stdout.isTTY === true;
    const kill = async (service: string) => {
      for (const c of children)
        if (c.name.startsWith(service) && c.exited === undefined) c.proc.kill('SIGKILL');
    };
    await runLoad({
      relays: [`ws://${addr(0)}`, `ws://${addr(1)}`],
      replayUrl: `http://${addr(2)}`,
      storageUrl: `http://${addr(3)}`,
      peers: o.peers ?? 100,
      rate: o.rate ?? 200,
      churn: o.churn ?? 30,
      durationS: o.durationS ?? Infinity,
      faults: o.faults ?? [],
      kill,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      onProgress: (p) => {
        const down = children.filter((c) => c.exited !== undefined).map((c) => c.name);
        let firing = 0;
        for (const g of hub?.rules?.groups ?? [])
          for (const r of g.rules)
            if (r.kind === 'alerting')
              for (const a of r.alerts.values()) if (a.state === 'firing') firing++;
        const alerts = hub?.rules !== undefined ? ` · alerts ${firing} firing` : '';
        const line = `${formatProgress(p, prev)} · services ${children.length - down.length}/${children.length} up${down.length > 0 ? ` (down: ${down.join(', ')})` : ''}${alerts}`;
        prev = p;
        if (tty) o.out(`\r${line}   `);
        else if (Math.round(p.elapsedS) % 10 === 0) o.out(line + '\n');
      },
    });
    if (tty) o.out('\n');
  } finally {
    stopping = true;
    feed?.flush();
    await hub?.stop();
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exited !== undefined) return res();
            c.proc.once('exit', () => res());
            c.proc.kill('SIGTERM');
            setTimeout(() => {
              if (c.exited === undefined) c.proc.kill('SIGKILL');
            }, 5000).unref();
          }),
      ),
    );
    feed?.close();
    // The pipes close with the children; bounded in case one is held open.
    await Promise.race([Promise.all(captured), new Promise((r) => setTimeout(r, 5000).unref())]);
    o.out('stopped.\n');
  }
}
