import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  startHub,
  parseDuration,
  parseBytes,
  type RemoteWriteReceiverOptions,
  type ScrapeConfig,
  type LogsOptions,
  type TracesOptions,
  resolveRemoteWrite,
  type RemoteWriteEndpoint,
} from '@canopy/hub';
import { parseHostPort } from '@canopy/services';
import type { CanopyConfig } from './config.js';
import type { AlertingSetup } from './alerting-setup.js';
import { logsOptions, tracesOptions } from './signals-config.js';
import { remoteWriteSettings } from './remote-write-setup.js';
import { scrubberFromEnv } from './scrub-setup.js';

/** Resolved hub settings from the config and the command line. */
export interface HubSettings {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  /** `hub.traces` / `hub.logs`, resolved; absent: the hub's defaults (on). */
  readonly traces?: TracesOptions;
  readonly logs?: LogsOptions;
  /** `remote_write:` endpoints, resolved (series limit default: budget.series). */
  readonly remoteWrite?: readonly RemoteWriteEndpoint[];
  /** `hub.remote_write_receiver`, resolved; absent when the section is. */
  readonly remoteWriteReceiver?: RemoteWriteReceiverOptions;
}

/** Merges `hub:` from the config with `--listen`/`--data` flags (flags win). */
export function hubSettings(config: CanopyConfig, listen?: string, data?: string): HubSettings {
  const hp = parseHostPort(listen ?? config.hub.listen, '--listen');
  const rw = remoteWriteSettings(config);
  return {
    ...(rw !== undefined ? { remoteWriteReceiver: rw } : {}),
    host: hp.host,
    port: hp.port,
    dataDir: resolve(data ?? config.hub.data),
    retentionMs: parseDuration(config.hub.retention),
    retentionBytes: parseBytes(config.hub.retention_size),
    ...(tracesOptions(config.hub.traces) !== undefined
      ? { traces: tracesOptions(config.hub.traces)! }
      : {}),
    ...(logsOptions(config.hub.logs) !== undefined ? { logs: logsOptions(config.hub.logs)! } : {}),
    ...(config.remote_write.length > 0
      ? { remoteWrite: resolveRemoteWrite(config.remote_write, config.budget.series) }
      : {}),
  };
}

/** Where the hub logs notification events: one JSON line on stderr, like the services. */
const stderrLogger = {
  info(msg: string, fields?: Record<string, unknown>) {
    process.stderr.write(JSON.stringify({ level: 'info', service: 'hub', msg, ...fields }) + '\n');
  },
  warn(msg: string, fields?: Record<string, unknown>) {
    process.stderr.write(JSON.stringify({ level: 'warn', service: 'hub', msg, ...fields }) + '\n');
  },
};

/**
 * Starts the hub with a scrape config and, when given, its rules and alert routing and the
 * web dashboard's handler; resolves with the running hub (URL, stop).
 */
export async function runHub(
  s: HubSettings,
  scrape: ScrapeConfig,
  alerting?: AlertingSetup,
  ui?: (req: IncomingMessage, res: ServerResponse) => boolean,
) {
  return startHub({
    ...(ui !== undefined ? { ui } : {}),
    host: s.host,
    port: s.port,
    dataDir: s.dataDir,
    scrape,
    retentionMs: s.retentionMs,
    retentionBytes: s.retentionBytes,
    ...(s.traces !== undefined ? { traces: s.traces } : {}),
    ...(s.logs !== undefined ? { logs: s.logs } : {}),
    ...(s.remoteWrite !== undefined ? { remoteWrite: s.remoteWrite } : {}),
    ...(s.remoteWriteReceiver !== undefined ? { remoteWriteReceiver: s.remoteWriteReceiver } : {}),
    ...(alerting !== undefined
      ? {
          rules: alerting.rules,
          ...(alerting.alerting !== undefined ? { alerting: alerting.alerting } : {}),
          ...(alerting.externalURL !== undefined ? { externalURL: alerting.externalURL } : {}),
          logger: stderrLogger,
          // Alert labels/annotations pass the PII scrubber before any payload is built.
          scrub: scrubberFromEnv(process.env).string,
        }
      : {}),
  });
}

/** Lines for the start-up banner: what is evaluated and where alerts go. */
export function alertingBanner(a: AlertingSetup): string {
  const alerts = a.rules.reduce(
    (n, g) => n + g.rules.filter((r) => r.kind === 'alerting').length,
    0,
  );
  const to =
    a.alerting === undefined
      ? 'no receivers configured (alerting: in canopy.yaml; see docs/alerting.md) — alerts show at /api/v1/alerts only'
      : a.alerting.receivers.map((r) => `${r.name} (${r.kind}, ${r.url.redacted})`).join(', ');
  return `  rules    ${a.rules.length} groups, ${alerts} alerts: ${a.rulesFrom}\n  alerts → ${to}\n`;
}
