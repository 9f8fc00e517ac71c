/**
 * The hub's write paths in one place: `/api/v1/write` (remote_write) and the import paths,
 * behind the same switch and bearer token (`hub.remote_write_receiver` in canopy.yaml).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSDB } from '../tsdb/index.js';
import { IMPORT_PATHS, importHandler, type ImportStats } from '../import/http.js';
import { bearerMatches } from './bearer.js';
import type { PusherStatus } from './pushers.js';
import { RemoteWriteReceiver } from './receive.js';

/** `hub.remote_write_receiver`, resolved (the token read from its file). */
export interface RemoteWriteReceiverOptions {
  /** Whether the write paths are served; when false they answer 404 with how to enable them. */
  readonly enabled: boolean;
  /** Required bearer token, if any. */
  readonly bearerToken?: string;
  /** Largest compressed remote_write body, bytes (default 32 MiB; imports take 2×). */
  readonly maxBodyBytes?: number;
  /** Most samples in one remote_write request (default 1,000,000). */
  readonly maxSamplesPerRequest?: number;
}

/** What the hub mounts. */
export interface WriteEndpoints {
  /** Serves the request if it is a write path; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Pushers for `/api/v1/targets`. */
  pushers(): PusherStatus[];
  /** Counters for /metrics ('' when disabled). */
  metrics(): string;
}

/**
 * Builds the write paths over a TSDB.
 *
 * @example const w = writeEndpoints(tsdb, { enabled: true }, 15 * 86_400_000); if (w.handle(req, res)) return;
 */
export function writeEndpoints(
  tsdb: TSDB,
  o: RemoteWriteReceiverOptions | undefined,
  retentionMs: number,
): WriteEndpoints {
  const enabled = o?.enabled === true;
  const rw = enabled
    ? new RemoteWriteReceiver({
        tsdb,
        retentionMs,
        ...(o.bearerToken !== undefined ? { bearerToken: o.bearerToken } : {}),
        ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
        ...(o.maxSamplesPerRequest !== undefined
          ? { maxSamplesPerRequest: o.maxSamplesPerRequest }
          : {}),
      })
    : undefined;
  const importStats: ImportStats = { requests: 0, refused: 0, samples: 0, rejectedLines: 0 };
  const imp = importHandler({
    tsdb,
    retentionMs,
    stats: importStats,
    ...(o?.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes * 2 } : {}),
  });
  const token = o?.bearerToken !== undefined ? Buffer.from(`Bearer ${o.bearerToken}`) : undefined;
  return {
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://hub').pathname;
      const isImport = IMPORT_PATHS.has(path);
      if (path !== '/api/v1/write' && !isImport) return false;
      if (rw === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(
          `${path} is off: set hub.remote_write_receiver.enabled: true in canopy.yaml to accept remote_write and imports\n`,
        );
        req.resume();
        return true;
      }
      if (!isImport) {
        rw.handle(req, res);
        return true;
      }
      if (token !== undefined && !bearerMatches(token, req.headers.authorization)) {
        importStats.requests++;
        importStats.refused++;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(
          JSON.stringify({
            status: 'error',
            errorType: 'unauthorized',
            error: 'missing or wrong bearer token (hub.remote_write_receiver.bearer_token_file)',
          }),
        );
        req.resume();
        return true;
      }
      imp(req, res);
      return true;
    },
    pushers: () => rw?.pusherStatus() ?? [],
    metrics: () =>
      rw === undefined
        ? ''
        : rw.renderMetrics() +
          '# HELP canopy_hub_import_requests_total Requests to /api/v1/import and /api/v1/import/prometheus.\n' +
          '# TYPE canopy_hub_import_requests_total counter\n' +
          `canopy_hub_import_requests_total ${importStats.requests}\n` +
          '# HELP canopy_hub_import_refused_requests_total Import requests refused with a 4xx (nothing stored).\n' +
          '# TYPE canopy_hub_import_refused_requests_total counter\n' +
          `canopy_hub_import_refused_requests_total ${importStats.refused}\n` +
          '# HELP canopy_hub_import_samples_total Samples stored by imports.\n' +
          '# TYPE canopy_hub_import_samples_total counter\n' +
          `canopy_hub_import_samples_total ${importStats.samples}\n` +
          '# HELP canopy_hub_import_rejected_lines_total Lines refused by imports.\n' +
          '# TYPE canopy_hub_import_rejected_lines_total counter\n' +
          `canopy_hub_import_rejected_lines_total ${importStats.rejectedLines}\n`,
  };
}
