/**
 * The web dashboard in Chromium against the reference deployment (`canopy up`: two relays,
 * replay, storage, load, the hub with its default rules): every page renders with data,
 * graphs have points, the time picker changes the queried range, Explore runs a query with
 * completion, bad input and a down or slow backend are said in place, a killed relay shows
 * up as a firing RelayDown on the overview, and `canopy ui` draws the same pages from
 * VictoriaMetrics scraping the same services. Screenshots go to test-artifacts/ui/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildDashboards, startUiServer } from '@canopy/web';
import { haveChromium, launchChromium } from '@canopy/web/testing/browser';
import { STACK_B_VICTORIA_FLAGS, VICTORIA_METRICS_BIN, startVictoriaMetrics } from '@canopy/stack';
import { startAlertRun } from './testing/alert-run.js';
import { REFRESHES } from './testing/ui-render.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/ui/', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const model = buildDashboards();

/** Opens a path and waits for the page's first completed refresh. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(`${REFRESHES} >= 1`, null, { timeout: 60_000 });
}

/** Waits for the next completed refresh after `before`. */
async function nextRefresh(page: Page, before: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(`${REFRESHES} > ${before}`, null, { timeout });
}

const refreshes = (page: Page) => page.evaluate<number>(REFRESHES);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

test(
  'the dashboard in Chromium against the reference deployment',
  { timeout: 480_000, skip: haveChromium() ? false : 'no Chromium at /usr/bin/chromium' },
  async (t) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const run = await startAlertRun({ peers: 40, rate: 60 });
    const metricsUrls = [
      ...run.output().matchAll(/(relay-a|relay-b|replay|storage)\s+metrics (http:\S+)/g),
    ].map((m) => ({ url: m[2]!, service: m[1]!.startsWith('relay') ? 'relay' : m[1]! }));
    const vm = existsSync(VICTORIA_METRICS_BIN)
      ? await startVictoriaMetrics({ targets: metricsUrls, flags: STACK_B_VICTORIA_FLAGS })
      : undefined;
    const b = await launchChromium();
    const page = await b.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const ranges: { start: number; end: number; query: string }[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/query_range')
        ranges.push({
          start: Number(u.searchParams.get('start')),
          end: Number(u.searchParams.get('end')),
          query: u.searchParams.get('query') ?? '',
        });
    });
    const hub = run.hubUrl;
    try {
      await t.test('canopy up prints the dashboard URL', () => {
        assert.match(run.output(), new RegExp(`dashboard ${hub.replace(/[.]/g, '\\.')}/`));
      });
      // Rates need two scrapes (15 s apart) of every service, the SLO rules a few evaluations.
      await sleep(50_000);

      await t.test('overview: a card per service with up/down, numbers and SLOs', async () => {
        const alertsAnswer = page.waitForResponse((r) => r.url().endsWith('/api/v1/alerts'));
        await open(page, `${hub}/?range=15m&refresh=off`);
        const cards = await page.$$eval('article.card', (els) =>
          els.map((e) => [e.getAttribute('data-service'), e.getAttribute('data-up')]),
        );
        assert.deepEqual(cards, [
          ['relay', '2/2'],
          ['replay', '1/1'],
          ['storage', '1/1'],
          ['host', '1/1'],
        ]);
        const peers = await page.textContent('article[data-service="relay"] .stat .v');
        assert.ok(Number(peers) > 0, `peers connected: ${peers}`);
        const slos = await page.$$eval('li.slo', (els) =>
          els.map((e) => [e.getAttribute('data-slo'), e.getAttribute('data-status')]),
        );
        assert.equal(slos.length, 10);
        const drawn = await page.$$eval('li.slo canvas', (els) => els.length);
        assert.ok(drawn >= 6, `${drawn} SLO sparklines drawn`);
        // The strip shows what the hub's alert API says (what fires depends on how busy
        // this machine is: a slow disk under load is a real SLO burn).
        const strip = await page.$$eval('#firing li.alert', (els) =>
          els.map(
            (e) =>
              `${e.getAttribute('data-alertname')}:${e.classList.contains('firing') ? 'firing' : 'pending'}`,
          ),
        );
        const api = (await (await alertsAnswer).json()) as {
          data: { alerts: { labels: { alertname: string }; state: string }[] };
        };
        const want = api.data.alerts.map((a) => `${a.labels.alertname}:${a.state}`);
        assert.deepEqual(new Set(strip), new Set(want));
        if (want.length === 0)
          assert.equal(await page.textContent('#firing p'), 'No alerts firing.');
        await shot(page, 'overview');
        await page.setViewportSize({ width: 390, height: 844 });
        await page.waitForTimeout(300);
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth');
        assert.ok(overflow <= 390, `phone width: the page is ${overflow} px wide`);
        await shot(page, 'overview-phone');
        await page.setViewportSize({ width: 1280, height: 900 });
      });

      await t.test('service dashboards: every generated panel, graphs with points', async () => {
        for (const d of model.dashboards) {
          await open(page, `${hub}/d/${d.id}?range=15m&refresh=off`);
          const panels = await page.$$eval('section.panel', (els) =>
            els.map((e) => ({
              id: e.id,
              points: Number(e.getAttribute('data-points') ?? 0),
              status: e.querySelector('.status')?.className ?? '',
              text: e.querySelector('.status')?.textContent ?? '',
            })),
          );
          const want = d.sections.flatMap((s) => s.panels.map((p) => p.id));
          assert.deepEqual(
            panels.map((p) => p.id),
            want,
            d.id,
          );
          const errors = panels.filter((p) => p.status.includes('error'));
          assert.deepEqual(errors, [], `${d.id}: panels with errors`);
          const withData = panels.filter((p) => p.points > 0).length;
          assert.ok(
            withData >= panels.length / 2,
            `${d.id}: ${withData} of ${panels.length} panels have points`,
          );
          await shot(page, `dashboard-${d.id}`);
        }
        // An SLO threshold is drawn as its own line on the SLO's panel.
        await open(page, `${hub}/d/replay?range=15m&refresh=off`);
        const legend = await page.textContent('#slo-replay-sync-lag .u-legend');
        assert.match(legend ?? '', /SLO: sync lag/);
      });

      await t.test('the time picker changes the queried range and the URL', async () => {
        await open(page, `${hub}/d/storage?range=15m&refresh=off`);
        ranges.length = 0;
        const n = await refreshes(page);
        await page.selectOption('#range', '6h');
        await nextRefresh(page, n);
        assert.match(page.url(), /range=6h/);
        assert.ok(ranges.length > 0);
        for (const r of ranges)
          assert.ok(Math.abs(r.end - r.start - 21600) <= 2 * 120, `${r.end - r.start} s`);
        // A custom range: exactly what was typed, kept in the URL as from/to.
        ranges.length = 0;
        const m = await refreshes(page);
        await page.selectOption('#range', 'custom');
        const to = new Date(Date.now() + 60_000);
        const from = new Date(to.getTime() - 30 * 60_000);
        const local = (d: Date) =>
          new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        await page.fill('#from', local(from));
        await page.fill('#to', local(to));
        await page.click('#apply-range');
        await nextRefresh(page, m);
        assert.match(page.url(), /from=.*&to=/);
        for (const r of ranges)
          assert.ok(Math.abs(r.end - r.start - 1800) <= 60, `${r.end - r.start} s`);
        // The link reproduces the view.
        const url = page.url();
        await open(page, url);
        assert.equal(await page.inputValue('#range'), 'custom');
      });

      await t.test('alerts, targets and budget pages render with data', async () => {
        await open(page, `${hub}/alerts?range=15m&refresh=off`);
        const rules = await page.$$eval('#alert-rules tbody tr', (els) => els.length);
        assert.equal(rules, 26);
        await shot(page, 'alerts');
        await open(page, `${hub}/targets?refresh=off`);
        const targets = await page.$$eval('tr.target', (els) =>
          els.map((e) => [e.children[0]!.textContent, e.classList.contains('up')]),
        );
        for (const s of ['relay', 'replay', 'storage', 'host', 'hub'])
          assert.ok(
            targets.some(([svc, up]) => svc === s && up === true),
            `${s} up`,
          );
        const samples = await page.$$eval('tr.target td:nth-child(6)', (els) =>
          els.map((e) => Number(e.textContent)),
        );
        assert.ok(
          samples.every((x) => x > 0),
          `samples per scrape: ${samples.join(', ')}`,
        );
        await shot(page, 'targets');
        await open(page, `${hub}/budget?refresh=off`);
        assert.ok(Number((await page.textContent('#active-total'))!.replace(/,/g, '')) > 100);
        const relayPeers = await page.textContent(
          'tr[data-service="relay"][data-metric="relay_peers_connected"] td:nth-child(3)',
        );
        assert.equal(relayPeers, '2');
        assert.ok((await page.textContent('#budget-overflow')) !== null);
        await shot(page, 'budget');
      });

      await t.test(
        'Explore: completion, a query as graph and table, a bad query in place',
        async () => {
          await open(page, `${hub}/explore?range=15m&refresh=off`);
          await page.waitForSelector('#query[data-editor="codemirror"] .cm-content');
          await page.click('#query .cm-content');
          await page.keyboard.type('relay_peers_con');
          const option = await page.waitForSelector('.cm-tooltip-autocomplete li', {
            timeout: 15_000,
          });
          assert.match((await option.textContent()) ?? '', /relay_peers_connected/);
          await page.keyboard.press('Escape');
          await page.keyboard.type('nected');
          const n = await refreshes(page);
          await page.click('#run');
          await nextRefresh(page, n);
          assert.match(decodeURIComponent(page.url()), /q=relay_peers_connected/);
          assert.ok(Number(await page.getAttribute('#explore-out', 'data-points')) > 0);
          await shot(page, 'explore');
          await page.click('button[role="tab"]:text("Table")');
          await page.waitForSelector('#explore-out table');
          const rows = await page.$$eval('#explore-out tr', (els) => els.length);
          assert.equal(rows, 2);
          await open(page, `${hub}/explore?q=${encodeURIComponent('sum(rate(')}&refresh=off`);
          assert.match(
            (await page.textContent('#explore-status')) ?? '',
            /^Query error — bad_data: /,
          );
          await shot(page, 'explore-error');
        },
      );

      await t.test('an empty range and a down or slow backend are said in place', async () => {
        await open(
          page,
          `${hub}/d/relay?from=2001-01-01T00:00:00Z&to=2001-01-01T01:00:00Z&refresh=off`,
        );
        const empty = await page.$$eval('section.panel .status', (els) =>
          els.map((e) => e.textContent),
        );
        assert.ok(
          empty.every((s) => s === 'No data in this range'),
          empty.join(' | '),
        );

        // Down: every API request refused. The banner says so, the cards keep their place.
        await open(page, `${hub}/?range=15m&refresh=off`);
        await page.route('**/api/v1/**', (r) => r.abort('connectionrefused'));
        let n = await refreshes(page);
        await page.selectOption('#range', '30m');
        await nextRefresh(page, n);
        assert.ok(await page.isVisible('#backend-banner'));
        assert.match((await page.textContent('#backend-banner')) ?? '', /Cannot reach the backend/);
        assert.equal(await page.$$eval('article.card', (els) => els.length), 4);
        assert.match((await page.textContent('#firing')) ?? '', /Alerts unavailable: Backend down/);
        await shot(page, 'overview-backend-down');
        await page.unroute('**/api/v1/**');
        n = await refreshes(page);
        await page.selectOption('#range', '15m');
        await nextRefresh(page, n);
        assert.ok(!(await page.isVisible('#backend-banner')), 'the banner goes once it answers');

        // Slow: one panel's queries hang past the 15 s client timeout; the others draw.
        await page.route(
          /query_range\?query=sum\+by\+%28instance%2C\+direction%29\+%28rate%28relay_bytes_total/,
          async (r) => {
            await sleep(20_000);
            await r.continue().catch(() => {});
          },
        );
        await page.goto(`${hub}/d/relay?range=15m&refresh=off`);
        await page.waitForFunction(
          `document.querySelector('#relay-relay_bytes_total .status')?.textContent === 'Waiting for the backend…'`,
          null,
          { timeout: 10_000 },
        );
        const others = await page.$$eval(
          'section.panel',
          (els) => els.filter((e) => Number(e.getAttribute('data-points') ?? 0) > 0).length,
        );
        assert.ok(others > 5, `${others} other panels drawn while one waits`);
        await page.waitForFunction(`${REFRESHES} >= 1`, null, { timeout: 30_000 });
        assert.match(
          (await page.textContent('#relay-relay_bytes_total .status')) ?? '',
          /^Backend too slow — the backend did not answer within 15 s/,
        );
        await shot(page, 'dashboard-slow-panel');
        await page.unroute(/query_range/);
      });

      if (vm !== undefined)
        await t.test('canopy ui draws the same pages from VictoriaMetrics', async () => {
          const ui = await startUiServer({ prometheus: new URL(vm.url), model, port: 0 });
          try {
            await open(page, `${ui.url}/?range=15m&refresh=off`);
            assert.equal(
              await page.getAttribute('article[data-service="relay"]', 'data-up'),
              '2/2',
            );
            assert.match(
              (await page.textContent('header .backend')) ?? '',
              new RegExp(vm.url.replace(/[.]/g, '\\.')),
            );
            await shot(page, 'ui-victoria-overview');
            await open(page, `${ui.url}/d/relay?range=15m&refresh=off`);
            const withData = await page.$$eval(
              'section.panel',
              (els) => els.filter((e) => Number(e.getAttribute('data-points') ?? 0) > 0).length,
            );
            assert.ok(withData >= 15, `${withData} relay panels drawn from VictoriaMetrics`);
            await shot(page, 'ui-victoria-relay');
          } finally {
            await ui.stop();
          }
        });

      await t.test('a killed relay shows as RelayDown firing on the overview', async () => {
        await open(page, `${hub}/?range=15m&refresh=10s`);
        const killed = run.kill('relay-b');
        await page.waitForSelector('#firing li.alert.firing[data-alertname="RelayDown"]', {
          timeout: 90_000,
        });
        t.diagnostic(
          `kill → RelayDown on the overview: ${((Date.now() - killed) / 1000).toFixed(1)} s`,
        );
        await page.waitForFunction(
          `document.querySelector('article[data-service="relay"]')?.dataset.up === '1/2'`,
          null,
          {
            timeout: 30_000,
          },
        );
        await shot(page, 'overview-relay-down');
      });
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    } finally {
      await b.close();
      await vm?.stop();
      await run.stop();
    }
  },
);
