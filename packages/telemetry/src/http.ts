import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import { timingSafeEqual } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Registry } from './registry.js';
import { contentType, negotiate, renderChunks } from './exposition.js';

/** Options of {@link metricsHandler} and {@link serveMetrics}. */
export interface MetricsHandlerOptions {
  /** Require `Authorization: Bearer <token>`. Default: no token. */
  readonly token?: string;
  /** Path that serves metrics. Default `/metrics`. */
  readonly path?: string;
}

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions extends MetricsHandlerOptions {
  /** Address to bind. Default `127.0.0.1`: metrics are not public unless asked. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one. Default 9464. */
  readonly port?: number;
}

/**
 * Waits for `drain`, or for the response to close first: a client that hangs up mid-scrape
 * never drains, and waiting for it alone would keep the render alive forever.
 */
function drainOrClose(sink: EventEmitter, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      res.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    res.once('close', done);
  });
}

function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const got = Buffer.from(header.slice(7).trim());
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * A `node:http` request handler that serves a registry: `GET`/`HEAD` on `path`, content
 * negotiation between the text format and OpenMetrics, gzip when accepted, an optional
 * bearer token. Rendering yields to the event loop every few ms, so concurrent scrapes and
 * the service's own work interleave safely.
 *
 * @example http.createServer(metricsHandler(registry, { token: process.env.METRICS_TOKEN }))
 */
export function metricsHandler(
  registry: Registry,
  options: MetricsHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const path = options.path ?? '/metrics';
  const token = options.token !== undefined ? Buffer.from(options.token) : undefined;
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not found: metrics are served at ${path}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`method ${req.method ?? ''} not allowed: use GET or HEAD\n`);
      return;
    }
    if (token !== undefined && !tokenMatches(req.headers.authorization, token)) {
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="metrics"',
        'content-type': 'text/plain; charset=utf-8',
      });
      res.end('unauthorized: send Authorization: Bearer <token>\n');
      return;
    }
    const format = negotiate(req.headers.accept);
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const headers: Record<string, string> = {
      'content-type': contentType(format),
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const out = gzip ? createGzip() : undefined;
    if (out !== undefined) out.pipe(res);
    const sink = out ?? res;
    void (async () => {
      try {
        for await (const chunk of renderChunks(registry, format)) {
          if (res.destroyed) break;
          if (!sink.write(chunk)) await drainOrClose(sink, res);
        }
        if (res.destroyed) out?.destroy();
        else sink.end();
      } catch {
        res.destroy();
      }
    })();
  };
}

/**
 * Starts an HTTP server for a registry, bound to 127.0.0.1 by default. Resolves once
 * listening; the server's address tells the chosen port.
 *
 * @example const server = await serveMetrics(registry, { port: 9464 });
 */
export function serveMetrics(
  registry: Registry,
  options: ServeMetricsOptions = {},
): Promise<Server> {
  const server = createServer(metricsHandler(registry, options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
