/**
 * The hub's write paths in one place: `/api/v1/write` (remote_write) and the import paths,
 * behind the same switch and bearer token (`hub.remote_write_receiver` in canopy.yaml).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSDB } from '../tsdb/index.js';
import { IMPORT_PATHS, importHandler } from '../import/http.js';
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
  const imp = importHandler({
    tsdb,
    retentionMs,
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
      if (token !== undefined) {
        const got = Buffer.from(req.headers.authorization ?? '');
        if (got.length !== token.length || !timingSafeEqual(got, token)) {
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
      }
      imp(req, res);
      return true;
    },
    pushers: () => rw?.pusherStatus() ?? [],
    metrics: () => rw?.renderMetrics() ?? '',
  };
}
