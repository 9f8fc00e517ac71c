import type { Server } from 'node:http';
import { Registry, collectRuntimeMetrics, serveMetrics } from '@canopy/telemetry';
import type { TracingStats } from '@canopy/telemetry/tracing';

/** A running reference service, as returned by `startRelay`/`startReplay`/`startStorage`. */
export interface RunningService {
  /** `relay`, `replay` or `storage`. */
  readonly name: string;
  /** Base URL of the service's own listener (`ws://…` for relay, `http://…` otherwise). */
  readonly url: string;
  /** URL of its /metrics endpoint. */
  readonly metricsUrl: string;
  /** The service's registry (for in-process tests). */
  readonly registry: Registry;
  /** Spans exported and dropped so far (both 0 with tracing off). */
  readonly tracing?: TracingStats;
  /** Stops listeners, timers and actors; resolves when closed. */
  stop(): Promise<void>;
}

/**
 * A registry with runtime metrics, served on `host:port`. `CANOPY_TELEMETRY=off` in the
 * environment switches metrics to no-ops (for measuring telemetry overhead).
 */
export async function startMetrics(
  host: string,
  port: number,
  enabled = process.env.CANOPY_TELEMETRY !== 'off',
): Promise<{ registry: Registry; server: Server; url: string }> {
  const registry = new Registry({ enabled });
  collectRuntimeMetrics(registry);
  const server = await serveMetrics(registry, { host, port });
  return { registry, server, url: `http://${hostForUrl(host)}:${portOf(server)}/metrics` };
}

/** The bound port of a listening server. */
export function portOf(server: Server | { address(): unknown }): number {
  const a = server.address();
  if (typeof a === 'object' && a !== null && 'port' in a) return (a as { port: number }).port;
  throw new Error('server is not listening on a TCP port');
}

/** Brackets an IPv6 host for use in a URL. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Closes an HTTP server, ending idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
