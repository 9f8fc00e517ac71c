/**
 * The web dashboard from the command line: the page set for a config (its SLO spec,
 * deployment and budget), the handler `canopy hub` / `canopy up` serve it with, and
 * `canopy ui --prometheus URL`, which serves the same pages over a Prometheus-compatible
 * backend (Prometheus, VictoriaMetrics) by passing `/api/v1/*` through to it.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { buildDashboards, startUiServer, uiHandler, type DashboardsModel } from '@canopy/web';
import { loadSloSpec } from '@canopy/stack';
import { parseHostPort } from '@canopy/services';
import { loadConfig, type CanopyConfig } from './config.js';
import { budgetReport } from './budget.js';

/** Where `canopy ui` listens by default. */
export const DEFAULT_UI_LISTEN = '127.0.0.1:9401';

/**
 * The dashboards of a config: its SLO spec (`slos:`, else the built-in ten), its scrape
 * interval, and its deployment and budget for the budget page.
 *
 * @example dashboardsFor(loadConfig().config, undefined).dashboards.length // 5
 */
export function dashboardsFor(config: CanopyConfig, file: string | undefined): DashboardsModel {
  const spec = loadSloSpec(file);
  const d = config.deployment;
  return buildDashboards({
    slos: spec.slos,
    scrapeIntervalSeconds: spec.scrapeInterval,
    budgetSeries: config.budget.series,
    deployment: {
      relay: d.relay,
      replay: d.replay,
      storage: d.storage,
      hosts: d.hosts,
      cores: d.host.cores,
      filesystems: d.host.filesystems,
    },
    deploymentMax: budgetReport(config).total,
  });
}

/**
 * The handler that serves the dashboard from the hub (`HubOptions.ui`).
 *
 * @example await startHub({ ..., ui: hubUi(config, file) });
 */
export function hubUi(
  config: CanopyConfig,
  file: string | undefined,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return uiHandler({ model: dashboardsFor(config, file), backend: 'hub' });
}

/** Thrown for a bad `canopy ui` command line (exit 2). */
export class UiUsageError extends Error {}

/**
 * `canopy ui --prometheus URL [--listen HOST:PORT] [--config FILE]`: serves the dashboard
 * until SIGINT/SIGTERM; resolves to the exit code.
 */
export async function uiCommand(
  args: string[],
  io: { out(s: string): void; err(s: string): void },
  signal?: AbortSignal,
): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      options: {
        prometheus: { type: 'string' },
        listen: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UiUsageError(`ui: ${(e as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  if (v.help === true) {
    io.out(
      'Usage: canopy ui --prometheus URL [--listen HOST:PORT] [--config FILE]\n' +
        'Serves the web dashboard over a Prometheus-compatible backend (Prometheus,\n' +
        `VictoriaMetrics, or a hub) at --listen (default ${DEFAULT_UI_LISTEN}).\n`,
    );
    return 0;
  }
  if (typeof v.prometheus !== 'string')
    throw new UiUsageError(
      'ui: --prometheus URL is required: the Prometheus API to read, e.g. http://127.0.0.1:8428 (VictoriaMetrics) or http://127.0.0.1:9090',
    );
  let backend: URL;
  try {
    backend = new URL(v.prometheus);
    if (backend.protocol !== 'http:' && backend.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UiUsageError(
      `ui: --prometheus: expected an http:// or https:// URL such as http://127.0.0.1:8428, got "${v.prometheus}"`,
    );
  }
  let listen;
  try {
    listen = parseHostPort((v.listen as string | undefined) ?? DEFAULT_UI_LISTEN, '--listen');
  } catch (e) {
    throw new UiUsageError(`ui: ${(e as Error).message}`);
  }
  const { config, file } = loadConfig(v.config as string | undefined);
  const model = dashboardsFor(config, file);
  const ui = await startUiServer({
    prometheus: backend,
    model,
    host: listen.host,
    port: listen.port,
  });
  io.out(
    `Canopy dashboard: ${ui.url}/  (data from ${backend.origin}${backend.pathname.replace(/\/$/, '')}/api/v1/)\n`,
  );
  io.out('Press Ctrl-C to stop.\n');
  await new Promise<void>((resolve) => {
    if (signal !== undefined) signal.addEventListener('abort', () => resolve(), { once: true });
    else {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }
  });
  await ui.stop();
  return 0;
}
