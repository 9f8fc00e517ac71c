import { createServer, type Server } from 'node:http';
import { storage } from '@canopy/catalog';
import { ActorSystem } from '../actors/actor.js';
import { Faults } from '../common/faults.js';
import { createLogger } from '../common/log.js';
import {
  closeServer,
  hostForUrl,
  portOf,
  startMetrics,
  type RunningService,
} from '../common/service.js';
import { createApiHandler } from './api.js';
import { startBackfill, type Backfill } from './backfill.js';
import { registerDiskMetrics } from './disk.js';
import { EventStore } from './store.js';
import { spawnWriter } from './writer.js';
import { serviceTracing, type ServiceTracingOptions } from '../common/tracing.js';
import type { Tracing } from '@canopy/telemetry/tracing';

/** Options of {@link startStorage}. */
export interface StorageOptions {
  /** Where the HTTP API listens; port 0 picks a free one. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Where `/metrics` is served; port 0 picks a free one. */
  readonly metrics: { readonly host: string; readonly port: number };
  /** SQLite database file (created if missing), or `':memory:'`. */
  readonly db: string;
  /** Base URL of replay (`http://host:port`) to backfill gaps from. Default: no backfill. */
  readonly replayUrl?: string;
  /** Time between backfill rounds, in ms. Default 2000. */
  readonly backfillIntervalMs?: number;
  /** OTLP export of storage's spans (`storage write batch`, `storage backfill`). Default: off. */
  readonly tracing?: ServiceTracingOptions;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts the storage service: the SQLite event store (WAL), its `storage_writer` and (with
 * `replayUrl`) `storage_backfill` actors, the HTTP API on `listen` and `/metrics` on
 * `metrics`, with every storage metric of the catalog. Resolves once both listen; nothing
 * is left running if any part fails to start.
 *
 * @example
 * const svc = await startStorage({
 *   listen: { host: '127.0.0.1', port: 7003 },
 *   metrics: { host: '127.0.0.1', port: 9403 },
 *   db: '/var/lib/canopy/storage.db',
 *   replayUrl: 'http://127.0.0.1:7002',
 * });
 * await svc.stop();
 */
export async function startStorage(opts: StorageOptions): Promise<RunningService> {
  const log = createLogger('storage');
  const store = new EventStore(opts.db);
  let metricsServer: Server | undefined;
  const api = createServer();
  let system: ActorSystem | undefined;
  let backfill: Backfill | undefined;
  let gaugeTimer: NodeJS.Timeout | undefined;
  let tracing: Tracing | undefined;
  try {
    const m = await startMetrics(opts.metrics.host, opts.metrics.port);
    metricsServer = m.server;
    const registry = m.registry;
    const refreshDisk = registerDiskMetrics(registry, opts.db);
    gaugeTimer = setInterval(refreshDisk, 1000);
    gaugeTimer.unref();
    const writeDuration = registry.histogram(storage.writeDuration).labels();
    const backfilled = registry.counter(storage.eventsBackfilled).labels();
    const faults = new Faults(['slow-disk']);
    const t = serviceTracing('storage', registry, opts.tracing);
    tracing = t.tracing;
    system = new ActorSystem(registry, t.tracer);
    const writer = spawnWriter(system, store, writeDuration, faults, {
      onPanic: (e) => log.error({ err: (e as Error).message }, 'writer panicked'),
    });
    if (opts.replayUrl !== undefined)
      backfill = startBackfill(system, store, writer, backfilled, log, {
        replayUrl: opts.replayUrl,
        ...(opts.backfillIntervalMs !== undefined ? { intervalMs: opts.backfillIntervalMs } : {}),
      });
    api.on('request', createApiHandler({ store, writer, faults, log }));
    await listen(api, opts.listen.host, opts.listen.port);
    const url = `http://${hostForUrl(opts.listen.host)}:${portOf(api)}`;
    log.info({ events: store.count, backfill: backfill !== undefined }, 'storage listening');

    let stopping: Promise<void> | undefined;
    const stopAll = async (): Promise<void> => {
      clearInterval(gaugeTimer);
      await closeServer(api);
      await backfill?.stop();
      // Writes already queued (requests whose connection just closed) still commit.
      await writer.flush().catch(() => {});
      system?.stop();
      store.close();
      await tracing?.shutdown();
      if (metricsServer !== undefined) await closeServer(metricsServer);
      log.info('storage stopped');
    };
    return {
      name: 'storage',
      url,
      metricsUrl: m.url,
      registry,
      tracing: t.tracing.stats,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    clearInterval(gaugeTimer);
    await backfill?.stop();
    system?.stop();
    await tracing?.shutdown();
    if (api.listening) await closeServer(api);
    if (metricsServer !== undefined) await closeServer(metricsServer);
    store.close();
    throw e;
  }
}
