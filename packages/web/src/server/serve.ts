/** `canopy ui`: the web UI on its own server, its data from a Prometheus-compatible backend. */
import { createServer, type Server } from 'node:http';
import { uiHandler } from './handler.js';
import { prometheusProxy } from './proxy.js';
import type { DashboardsModel } from '../model/index.js';
import type { Assets } from './assets.js';

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  /** The Prometheus-compatible backend, e.g. `http://127.0.0.1:8428`. */
  readonly prometheus: URL;
  readonly model: DashboardsModel;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9401; 0 picks a free port. */
  readonly port?: number;
  readonly assets?: Assets;
  /** Longest wait for the backend, ms (default 60 000). */
  readonly timeoutMs?: number;
}

/** A running UI server. */
export interface UiServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves the UI and passes `/api/v1/*` through to the backend.
 *
 * @example const ui = await startUiServer({ prometheus: new URL('http://127.0.0.1:8428'), model: buildDashboards() });
 */
export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const ui = uiHandler({
    model: o.model,
    backend: o.prometheus.origin + o.prometheus.pathname.replace(/\/$/, ''),
    ...(o.assets !== undefined ? { assets: o.assets } : {}),
  });
  const api = prometheusProxy({
    backend: o.prometheus,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  const server: Server = createServer((req, res) => {
    if (api(req, res) || ui(req, res)) return;
    if (req.url === '/-/healthy') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Canopy UI is Healthy.\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'not found: the Canopy UI serves its pages, /ui/assets/ and /api/v1/ (from the backend)\n',
    );
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 9401, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (o.port ?? 9401);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async stop() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
