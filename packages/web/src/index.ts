/**
 * The web dashboard: its page set generated from the catalog and the SLO spec (model), the
 * server side that serves the built bundle and passes the Prometheus API through (server),
 * and the browser app itself (src/app, bundled by scripts/bundle.mjs). The app talks only
 * to the Prometheus HTTP API, so it works against the hub, Prometheus or VictoriaMetrics.
 */
export * from './model/index.js';
export { uiHandler, PAGE_PATH, type UiHandlerOptions } from './server/handler.js';
export { prometheusProxy, type ProxyOptions } from './server/proxy.js';
export { startUiServer, type UiServer, type UiServerOptions } from './server/serve.js';
export { loadAssets, DEFAULT_ASSETS_DIR, type Asset, type Assets } from './server/assets.js';
export { renderPage, type UiConfig } from './server/page.js';
