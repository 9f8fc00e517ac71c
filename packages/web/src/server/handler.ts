/**
 * The web UI over HTTP: the page routes, the bundle and the page set as JSON. Plugged into
 * the hub's server (the hub has no dependency on this package: the CLI hands it the
 * handler) and into `canopy ui`'s server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadAssets, type Assets } from './assets.js';
import { NOT_BUILT, renderPage, type UiConfig } from './page.js';

/** Options of {@link uiHandler}. */
export interface UiHandlerOptions extends UiConfig {
  /** The bundle; default: the one `npm run build` wrote (read once, at creation); null: none. */
  readonly assets?: Assets | null;
}

/** Paths that answer with the app: `/`, `/d/<dashboard>`, `/alerts`, `/traces/<id>`, …. */
export const PAGE_PATH =
  /^\/(?:d\/[a-zA-Z0-9_-]+|alerts|targets|budget|explore|traces(?:\/[a-zA-Z0-9_-]+)?|logs)?\/?$/;

/**
 * A request handler for the UI's paths; returns false for any other path, so it can sit
 * behind another handler (the hub's API, /metrics).
 *
 * @example const ui = uiHandler({ model: buildDashboards(), backend: 'hub' });
 * createServer((req, res) => { if (!ui(req, res)) res.writeHead(404).end(); });
 */
export function uiHandler(
  o: UiHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const assets = o.assets === undefined ? loadAssets() : (o.assets ?? undefined);
  const page = assets === undefined ? undefined : Buffer.from(renderPage(assets, o));
  const modelJson = Buffer.from(JSON.stringify(o.model));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://ui').pathname;
    if (PAGE_PATH.test(path)) {
      res.writeHead(page === undefined ? 503 : 200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
      });
      res.end(page ?? NOT_BUILT);
      return true;
    }
    if (path === '/ui/dashboards.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      res.end(modelJson);
      return true;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return true;
    }
    if (!path.startsWith('/ui/assets/')) return false;
    const file = assets?.files.get(path.slice('/ui/assets/'.length));
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: this file is not part of the web UI bundle\n');
      return true;
    }
    const gzip = file.gzip !== undefined && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? file.gzip! : file.body;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': body.length,
      // File names carry a content hash: a new build has new names.
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
    return true;
  };
}
