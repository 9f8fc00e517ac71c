import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DEFAULT_RETENTION_MS, TSDB } from './tsdb/index.js';
import { Scraper, hostTarget, type ScrapeConfig, type SourceTarget } from './scrape/index.js';
import { apiHandler, type TargetView } from './api/router.js';
import { renderHubMetrics, type HubStats } from './self-metrics.js';
import { writeEndpoints, type RemoteWriteReceiverOptions } from './remote-write/index.js';
import { RemoteWriter, type RemoteWriteEndpoint } from './remote-write-out/index.js';
import type { Appender, Labels } from './model.js';
import {
  openSignals,
  type ExemplarsOptions,
  type LogsOptions,
  type TracesOptions,
} from './signals.js';
import type { TraceStore } from './traces/index.js';
import type { LogStore } from './logs/index.js';
import type { ExemplarStore } from './exemplars/index.js';
import type { InhibitRuleSpec } from '@canopy/catalog';
import { RuleManager, RuleStateStore, rulesSource, type GroupSpec } from './rules/index.js';
import {
  Dispatcher,
  NotificationLog,
  Notifier,
  type DeliveryOptions,
  type NotifyLogger,
  type Receiver,
  type ResolvedRoute,
} from './notify/index.js';

/** Options of {@link startHub}. */
export interface HubOptions {
  /**
   * OTLP/HTTP traces on `/v1/traces`, kept in `<dataDir>/traces.sqlite` (default bounds:
   * 64 MiB of span data, 20,000 traces; 8 MiB and 10,000 spans a request). `false`: off.
   */
  readonly traces?: TracesOptions;
  /**
   * Log lines (captured by `canopy up`, or pushed to `/api/v1/logs/push`), kept in
   * `<dataDir>/logs.sqlite` (default bounds: 500,000 lines, 128 MiB). `false`: off.
   */
  readonly logs?: LogsOptions;
  /** Scraped OpenMetrics exemplars, in memory (default 100,000). `false`: off. */
  readonly exemplars?: ExemplarsOptions;
  /** Where the HTTP API listens. Default 127.0.0.1:9400. */
  readonly host?: string;
  readonly port?: number;
  /** Data folder (the TSDB lives in `<dir>/tsdb`). */
  readonly dataDir: string;
  readonly scrape: ScrapeConfig;
  /** Retention by time, ms. Default 15 days. */
  readonly retentionMs?: number;
  /** Retention by size, bytes; 0 = none. */
  readonly retentionBytes?: number;
  /** Scrape the built-in host collector (embedded mode). Default true. */
  readonly host_collector?: boolean;
  /** Scrape the hub's own metrics. Default true. */
  readonly selfScrape?: boolean;
  /** Version reported by buildinfo. */
  readonly version?: string;
  /** Rule groups to evaluate (recording and alerting rules). Default: none. */
  readonly rules?: readonly GroupSpec[];
  /** Where alerts go: the routing tree and its receivers. Default: nowhere (API only). */
  readonly alerting?: {
    readonly route: ResolvedRoute;
    readonly receivers: readonly Receiver[];
    /** Inhibit rules; default none (the CLI passes the spec's, or Canopy's defaults). */
    readonly inhibitRules?: readonly InhibitRuleSpec[];
    readonly delivery?: Omit<DeliveryOptions, 'logger' | 'label'>;
  };
  /** Base URL of links in alerts. Default: the hub's own URL. */
  readonly externalURL?: string;
  /** Firing alerts are re-sent to the dispatcher this often. Default 60 s (Prometheus's). */
  readonly resendDelayMs?: number;
  /** Where notification events are logged. Default: nowhere. */
  readonly logger?: NotifyLogger;
  /**
   * Applied to every string of alert labels and annotations before Discord/Slack/webhook
   * payloads are formatted (the CLI passes the telemetry PII scrubber). Default: none.
   */
  readonly scrub?: (s: string) => string;
  /**
   * Serves the web UI's paths (the CLI passes `@canopy/web`'s handler; the hub itself does
   * not depend on it). Tried after the API and /metrics; returns false for other paths.
   */
  readonly ui?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * remote_write in (`/api/v1/write`) and imports (`/api/v1/import`, `/api/v1/import/prometheus`).
   * Default: off (the paths answer 404 saying how to enable them).
   */
  readonly remoteWriteReceiver?: RemoteWriteReceiverOptions;
  /**
   * remote_write out: every sample the hub commits (scraped, rule results, written in) is
   * queued durably in `<dataDir>/remote-write/<name>/` and sent to each endpoint. Default: none.
   */
  readonly remoteWrite?: readonly RemoteWriteEndpoint[];
}

/** A running hub. */
export interface Hub {
  /** The trace store, unless traces are off. */
  readonly traces: TraceStore | undefined;
  /** The log store (append captured lines here, or through a `LogFeed`), unless logs are off. */
  readonly logs: LogStore | undefined;
  /** The exemplar store, unless exemplars are off. */
  readonly exemplars: ExemplarStore | undefined;
  readonly url: string;
  readonly tsdb: TSDB;
  readonly scraper: Scraper;
  /** The rule manager, when rules were given. */
  readonly rules: RuleManager | undefined;
  /** The alert dispatcher, when alerting was configured. */
  readonly dispatcher: Dispatcher | undefined;
  /** The remote_write senders, when endpoints were given. */
  readonly remoteWriter: RemoteWriter | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the embedded hub: opens the TSDB, scrapes the configured targets (plus the host and
 * itself), and serves the Prometheus HTTP API and its own /metrics.
 *
 * @example const hub = await startHub({ dataDir: '.canopy', scrape: parseScrapeConfig({ targets: [] }) });
 */
export async function startHub(o: HubOptions): Promise<Hub> {
  const dir = join(o.dataDir, 'tsdb');
  mkdirSync(dir, { recursive: true });
  // Before the TSDB opens: an unreadable secret file refuses the start with nothing left open.
  const remoteWriter =
    o.remoteWrite !== undefined && o.remoteWrite.length > 0
      ? new RemoteWriter(o.remoteWrite, o.dataDir, o.logger)
      : undefined;
  let tsdb: TSDB;
  try {
    tsdb = TSDB.open({
      dir,
      ...(o.retentionMs !== undefined ? { retentionMs: o.retentionMs } : {}),
      ...(o.retentionBytes !== undefined ? { retentionBytes: o.retentionBytes } : {}),
    });
  } catch (e) {
    await remoteWriter?.stop();
    throw e;
  }
  if (remoteWriter !== undefined) {
    // Every appender of the TSDB (scraper, rules, remote write in) also feeds remote write out.
    const plain = tsdb.appender.bind(tsdb);
    tsdb.appender = () => remoteWriter.tap(plain());
  }
  const stats: HubStats = {
    series: 0,
    headSeries: 0,
    samplesAppended: 0,
    samplesRejected: 0,
    bytesOnDisk: 0,
    queries: 0,
    queryErrors: 0,
    querySeconds: 0,
  };
  // Count what goes through the TSDB's appender.
  const countingAppender = (): Appender => {
    const a = tsdb.appender();
    return {
      append(labels: Labels, t: number, v: number): boolean {
        const ok = a.append(labels, t, v);
        if (ok) stats.samplesAppended++;
        else stats.samplesRejected++;
        return ok;
      },
      commit() {
        a.commit();
      },
    };
  };
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 9400;
  const instance = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const sources: SourceTarget[] = [];
  if (o.selfScrape !== false)
    sources.push({
      service: 'hub',
      instance,
      url: `http://${instance}/metrics`,
      source: {
        // A scrape only runs once the hub has started, when everything metricsText reads exists.
        collect: async () => metricsText(),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
      },
    });
  if (o.host_collector !== false) sources.push(hostTarget());
  const signals = openSignals(o.dataDir, o);
  stats.signals = signals.stats;
  const scraper = new Scraper(countingAppender, o.scrape, {
    ...(signals.onExemplars !== undefined ? { exemplars: signals.onExemplars } : {}),
    sources,
    metadata: (_target, md) => {
      for (const [name, m] of md)
        tsdb.setMetadata(name, { type: m.type, help: m.help, unit: m.unit });
    },
  });

  const targets = (): TargetView[] =>
    scraper.targets().map((t) => ({
      service: t.service,
      instance: t.instance,
      url: t.url,
      health: t.health,
      lastScrape: t.lastScrape === 0 ? undefined : t.lastScrape,
      lastScrapeDurationSeconds: t.lastScrapeDurationSeconds,
      lastError: t.lastError,
      intervalMs: t.interval,
      timeoutMs: t.timeout,
    }));
  // Alert state and the notification log share one SQLite file next to the TSDB.
  const alertingDb = join(o.dataDir, 'alerting.sqlite');
  const hasRules = o.rules !== undefined && o.rules.length > 0;
  const stateStore = hasRules ? new RuleStateStore(alertingDb) : undefined;
  const nlog = o.alerting !== undefined ? new NotificationLog(alertingDb) : undefined;
  const externalURL = o.externalURL ?? `http://${instance}`;
  const dispatcher =
    o.alerting !== undefined && nlog !== undefined
      ? new Dispatcher({
          route: o.alerting.route,
          log: nlog,
          ...(o.alerting.inhibitRules !== undefined
            ? { inhibitRules: o.alerting.inhibitRules }
            : {}),
          notifier: new Notifier({
            receivers: o.alerting.receivers,
            ...(o.logger !== undefined ? { logger: o.logger } : {}),
            ...(o.alerting.delivery !== undefined ? { delivery: o.alerting.delivery } : {}),
            externalURL,
            ...(o.scrub !== undefined ? { scrub: o.scrub } : {}),
          }),
          ...(o.logger !== undefined ? { logger: o.logger } : {}),
        })
      : undefined;
  let evaluations = 0;
  let failures = 0;
  const rules = hasRules
    ? new RuleManager(o.rules!, {
        querier: tsdb,
        appender: countingAppender,
        externalURL,
        ...(dispatcher !== undefined ? { sink: dispatcher } : {}),
        ...(stateStore !== undefined ? { state: stateStore } : {}),
        ...(o.resendDelayMs !== undefined ? { resendDelayMs: o.resendDelayMs } : {}),
        onSinkError: (e) =>
          o.logger?.warn('rules: could not hand alerts over or save their state', {
            reason: (e as Error).message,
          }),
      })
    : undefined;
  if (rules !== undefined) {
    stats.alerting = {
      ruleGroupEvaluations: 0,
      ruleEvaluationFailures: 0,
      alertsFiring: 0,
      alertsPending: 0,
      notificationsSent: 0,
      notificationsFailed: 0,
    };
  }
  const refreshAlertingStats = (): void => {
    const a = stats.alerting;
    if (a === undefined || rules === undefined) return;
    let firing = 0;
    let pending = 0;
    for (const g of rules.groups)
      for (const r of g.rules)
        if (r.kind === 'alerting')
          for (const al of r.alerts.values()) {
            if (al.state === 'firing') firing++;
            else if (al.state === 'pending') pending++;
          }
    a.alertsFiring = firing;
    a.alertsPending = pending;
    a.ruleGroupEvaluations = evaluations;
    a.ruleEvaluationFailures = failures;
    a.notificationsSent = dispatcher?.stats.notificationsSent ?? 0;
    a.notificationsFailed = dispatcher?.stats.notificationsFailed ?? 0;
  };
  if (rules !== undefined) {
    // Count evaluations and failures by wrapping the manager's group evaluation.
    const evalGroup = rules.evalGroup.bind(rules);
    rules.evalGroup = (g, ts) => {
      evalGroup(g, ts);
      evaluations++;
      for (const r of g.rules) if (r.health.health === 'err') failures++;
    };
  }
  const writes = writeEndpoints(tsdb, o.remoteWriteReceiver, o.retentionMs ?? DEFAULT_RETENTION_MS);
  const api = apiHandler({
    pushers: () => writes.pushers(),
    querier: tsdb,
    metadata: (metric) => tsdb.metadata(metric),
    targets,
    version: o.version ?? '0.1.0',
    ...(rules !== undefined ? { rules: rulesSource(rules) } : {}),
  });
  /** The hub's /metrics: its own stats, refreshed, then the write paths' counters. */
  const metricsText = (): string => {
    const s = tsdb.stats();
    stats.series = s.series;
    stats.headSeries = s.headSeries;
    stats.bytesOnDisk = s.bytesOnDisk;
    refreshAlertingStats();
    return renderHubMetrics(stats) + writes.metrics() + (remoteWriter?.renderMetrics() ?? '');
  };
  const server: Server = createServer((req, res) => {
    if (writes.handle(req, res)) return;
    if (signals.handle(req, res)) return;
    if (api(req, res)) return;
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metricsText());
      return;
    }
    if (o.ui?.(req, res) === true) return;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'not found: the hub serves the Prometheus API under /api/v1/, /metrics, /-/healthy and /-/ready\n',
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  scraper.start();
  rules?.start();
  remoteWriter?.start();
  const compactTimer = setInterval(() => {
    try {
      tsdb.compact();
    } catch {
      // retention problems must not stop ingestion; the next round retries
    }
  }, 60_000);
  compactTimer.unref();
  return {
    traces: signals.traces,
    logs: signals.logs,
    exemplars: signals.exemplars,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    tsdb,
    scraper,
    rules,
    dispatcher,
    remoteWriter,
    async stop() {
      clearInterval(compactTimer);
      rules?.stop();
      await dispatcher?.stop();
      await scraper.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await remoteWriter?.stop();
      tsdb.close();
      stateStore?.close();
      nlog?.close();
      signals.close();
    },
  };
}
