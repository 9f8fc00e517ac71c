/**
 * The dashboard's first render, measured in Chromium: a hub holding a day of catalog-shaped
 * history (see ui-history.ts) with the generated rules running, and the overview loaded over
 * 24 hours. The time is from navigation start to the moment every card, SLO sparkline,
 * budget figure and the alert strip is drawn (the app's `canopy:first-render` mark). Used by
 * the render test and `npm run bench -- --ui`. Loopback only; everything started is stopped.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startHub, parseScrapeConfig, loadRuleFile, type Hub } from '@canopy/hub';
import { DEFAULT_SLOS } from '@canopy/catalog';
import { renderRules } from '@canopy/stack';
import { buildDashboards, uiHandler } from '@canopy/web';
import { launchChromium, type TestBrowser } from '@canopy/web/testing/browser';
import { writeHistory, type HistoryResult } from './ui-history.js';

/** A hub serving the dashboard over generated history. */
export interface HistoryHub {
  readonly hub: Hub;
  readonly history: HistoryResult;
  stop(): Promise<void>;
}

/**
 * Writes `hours` of history and starts a hub on it (free port, the default SLO rules, the
 * dashboard; no scraping, so the data stays as written).
 *
 * @example const h = await startHistoryHub(24); … await h.stop();
 */
export async function startHistoryHub(hours = 24): Promise<HistoryHub> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-ui-history-'));
  const history = writeHistory(dir, { hours });
  const hub = await startHub({
    dataDir: dir,
    port: 0,
    scrape: parseScrapeConfig({ targets: [] }),
    selfScrape: false,
    host_collector: false,
    rules: loadRuleFile(renderRules(DEFAULT_SLOS), 'canopy.rules.yml'),
    ui: uiHandler({ model: buildDashboards(), backend: 'hub' }),
  });
  return {
    hub,
    history,
    async stop() {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One page load. */
export interface RenderSample {
  /** Navigation start → overview fully drawn, ms. */
  readonly firstRenderMs: number;
  /** API requests the overview made. */
  readonly requests: number;
  /** Bytes of the bundle transferred (0 when cached). */
  readonly bundleBytes: number;
}

/** Result of {@link measureFirstRender}. */
export interface RenderResult {
  /** The very first load: hub just started on its store (rules evaluating), empty cache. */
  readonly first: RenderSample;
  /** A load with the browser cache cleared, the hub running. */
  readonly cold: RenderSample;
  /** Later loads (cached bundle). */
  readonly warm: readonly RenderSample[];
  readonly history: HistoryResult;
  /** 1-minute load average before and after. */
  readonly load: readonly [number, number];
}

/** Completed refreshes of the page on screen (the app counts them on the root element). */
export const REFRESHES = 'Number(document.documentElement.dataset.refreshes ?? 0)';

async function loadOnce(b: TestBrowser, url: string, clearCache = false): Promise<RenderSample> {
  const page = await b.context.newPage();
  if (clearCache) await (await b.context.newCDPSession(page)).send('Network.clearBrowserCache');
  let requests = 0;
  let bundleBytes = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) requests++;
  });
  page.on('response', (r) => {
    if (r.url().includes('/ui/assets/') && r.status() === 200)
      bundleBytes += Number(r.headers()['content-length'] ?? 0);
  });
  await page.goto(url);
  await page.waitForFunction(`${REFRESHES} >= 1`, null, { timeout: 60_000 });
  const ms = await page.evaluate<number>(
    "performance.getEntriesByName('canopy:first-render')[0]?.startTime ?? NaN",
  );
  await page.close();
  return { firstRenderMs: ms, requests, bundleBytes };
}

/**
 * Loads the overview over 24 h: once right after the hub starts, once with the browser
 * cache cleared, then `runs − 2` more times.
 *
 * @example const r = await measureFirstRender({ runs: 5 }); r.cold.firstRenderMs
 */
export async function measureFirstRender(
  o: {
    /** Page loads in all (default 5). */
    runs?: number;
    hours?: number;
    /** A folder for screenshots of the overview, alerts and storage pages over the range. */
    shots?: string;
  } = {},
): Promise<RenderResult> {
  const l0 = loadavg()[0]!;
  const h = await startHistoryHub(o.hours ?? 24);
  const b = await launchChromium();
  try {
    const url = `${h.hub.url}/?range=24h&refresh=off`;
    const first = await loadOnce(b, url);
    const cold = await loadOnce(b, url, true);
    const warm: RenderSample[] = [];
    for (let i = 2; i < (o.runs ?? 5); i++) warm.push(await loadOnce(b, url));
    if (o.shots !== undefined) {
      const page = await b.context.newPage();
      for (const [name, path] of [
        ['history-overview', '/'],
        ['history-alerts', '/alerts'],
        ['history-storage', '/d/storage'],
      ]) {
        await page.goto(`${h.hub.url}${path}?range=24h&refresh=off`);
        await page.waitForFunction(`${REFRESHES} >= 1`, null, { timeout: 60_000 });
        await page.screenshot({ path: join(o.shots, `${name}.png`), fullPage: true });
      }
      await page.close();
    }
    return { first, cold, warm, history: h.history, load: [l0, loadavg()[0]!] };
  } finally {
    await b.close();
    await h.stop();
  }
}
