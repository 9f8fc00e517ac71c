/**
 * A throwaway HTTP server on 127.0.0.1 (port 0) for scrape tests. `close()` also drops
 * open connections, so a handler that never answers cannot keep a test alive.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running test server. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  /** Request headers seen, in order. */
  readonly requests: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * Starts a server with `handler`.
 *
 * @example const srv = await serve((req, res) => res.end('up 1\n')); …; await srv.close();
 */
export async function serve(handler: http.RequestListener): Promise<TestServer> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves a fixed body with a Content-Type (default the text format). */
export function fixed(
  body: string | (() => string),
  contentType = 'text/plain; version=0.0.4; charset=utf-8',
): http.RequestListener {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(typeof body === 'function' ? body() : body);
  };
}

/** Resolves once `cond()` holds, checking every 10 ms; rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
