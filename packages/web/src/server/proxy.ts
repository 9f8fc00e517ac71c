/**
 * `/api/v1/*` passed through to a Prometheus-compatible backend (Prometheus,
 * VictoriaMetrics), so the browser talks to one origin whatever serves the data.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Options of {@link prometheusProxy}. */
export interface ProxyOptions {
  /** The backend's base URL, e.g. `http://127.0.0.1:8428` (a path prefix is kept). */
  readonly backend: URL;
  /** Longest wait for the backend's answer, ms. Default 60 000. */
  readonly timeoutMs?: number;
}

const HEADERS = ['content-type', 'content-length', 'accept', 'accept-encoding'];

function fail(res: ServerResponse, status: number, error: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ status: 'error', errorType: 'unavailable', error });
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * A handler for `/api/v1/*` that forwards the request (method, query, form body) to the
 * backend and streams its answer back. A backend that cannot be reached or does not answer
 * in time gets a Prometheus-shaped error (502 / 504) that says so.
 *
 * @example const api = prometheusProxy({ backend: new URL('http://127.0.0.1:8428') });
 */
export function prometheusProxy(
  o: ProxyOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const base = o.backend.pathname.replace(/\/$/, '');
  const send = o.backend.protocol === 'https:' ? httpsRequest : httpRequest;
  const where = o.backend.origin + base;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ui');
    if (!url.pathname.startsWith('/api/v1/')) return false;
    const headers: Record<string, string> = {};
    for (const h of HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const out = send(
      {
        protocol: o.backend.protocol,
        hostname: o.backend.hostname.replace(/^\[|\]$/g, ''),
        port: o.backend.port,
        method: req.method ?? 'GET',
        path: base + url.pathname + url.search,
        headers,
        timeout: o.timeoutMs ?? 60_000,
      },
      (answer) => {
        const h: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(answer.headers))
          if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') h[k] = v;
        res.writeHead(answer.statusCode ?? 502, h);
        answer.pipe(res);
      },
    );
    out.on('timeout', () => {
      out.destroy();
      fail(
        res,
        504,
        `the Prometheus backend at ${where} did not answer within ${(o.timeoutMs ?? 60_000) / 1000} s`,
      );
    });
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (res.writableEnded) return;
      fail(res, 502, `cannot reach the Prometheus backend at ${where} (${e.code ?? e.message})`);
    });
    req.pipe(out);
    return true;
  };
}
