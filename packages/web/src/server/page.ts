/** The HTML shell every page route answers with: the bundle and the page set inlined. */
import type { DashboardsModel } from '../model/index.js';
import type { Assets } from './assets.js';

/** What the browser app is given at load: the page set and where its data comes from. */
export interface UiConfig {
  readonly model: DashboardsModel;
  /** Shown in the header: `hub` or the Prometheus-compatible backend's URL. */
  readonly backend: string;
}

/** Escapes JSON for a `<script>` element (no `</script>` or `<!--` can appear). */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The page: the model travels inside it, so the first render needs no extra round trip.
 *
 * @example renderPage(assets, { model: buildDashboards(), backend: 'hub' }).startsWith('<!doctype html>') // true
 */
export function renderPage(assets: Assets, config: UiConfig): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Canopy</title>' +
    `<link rel="stylesheet" href="/ui/assets/${assets.css}">` +
    `<script type="module" src="/ui/assets/${assets.js}"></script>` +
    '</head><body><div id="app"></div>' +
    `<script id="canopy-config" type="application/json">${scriptJson(config)}</script>` +
    '</body></html>\n'
  );
}

/** What the hub answers when the bundle was not built. */
export const NOT_BUILT =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Canopy</title></head><body>' +
  '<h1>The Canopy web UI is not built</h1><p>Run <code>npm run build</code> (or <code>npm ci</code>, ' +
  'which builds it) in the repository, then reload. The Prometheus API under ' +
  '<code>/api/v1/</code> works meanwhile.</p></body></html>\n';
