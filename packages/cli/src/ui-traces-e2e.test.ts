/**
 * The trace, waterfall and log views and the latency graphs' exemplars in Chromium, against
 * a real hub (`startHub`, the web UI handler) that was sent a known seed the way services
 * send it: spans as OTLP/JSON to /v1/traces, pino lines to /api/v1/logs/push, and a storage
 * write-latency histogram with trace_id exemplars scraped from a telemetry registry's
 * /metrics (OpenMetrics). Checks the list is slowest first and filters, the waterfall's
 * nesting (skewed child, orphan, error), span details by keyboard, the trace → logs link, a
 * search that narrows, a bad query's reason, an exemplar that opens its trace, and the phone
 * width. Screenshots go to test-artifacts/ui/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Registry, serveMetrics } from '@canopy/telemetry';
import { storage } from '@canopy/catalog';
import { startHub, parseScrapeConfig, type Hub } from '@canopy/hub';
import { buildDashboards, uiHandler } from '@canopy/web';
import { haveChromium, launchChromium } from '@canopy/web/testing/browser';
import { REFRESHES } from './testing/ui-render.js';
import { SEED_TRACE_IDS, buildSeed, sendSeed } from './testing/trace-log-seed.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/ui/', import.meta.url));
const { slow, mid, fast } = SEED_TRACE_IDS;

const refreshes = (page: Page) => page.evaluate<number>(REFRESHES);
/** Runs `act` and waits for the page's next completed refresh. */
async function after(page: Page, act: () => Promise<unknown>): Promise<void> {
  const n = await refreshes(page);
  await act();
  await page.waitForFunction(`${REFRESHES} > ${n}`, null, { timeout: 20_000 });
}
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(`${REFRESHES} >= 1`, null, { timeout: 20_000 });
}
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const traceRows = (page: Page) =>
  page.$$eval('tr.trace', (els) => els.map((e) => e.getAttribute('data-trace-id')));
const logRows = (page: Page) =>
  page.$$eval('tr.log', (els) =>
    els.map((e) => ({
      msg: e.querySelector('.msg')?.textContent ?? '',
      level: e.getAttribute('data-level'),
      trace: e.getAttribute('data-trace-id'),
      time: e.querySelector('.time')?.getAttribute('title') ?? '',
    })),
  );

test(
  'traces, waterfall, logs and exemplars in Chromium against a seeded hub',
  { timeout: 120_000, skip: haveChromium() ? false : 'no Chromium at /usr/bin/chromium' },
  async (t) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'canopy-ui-traces-'));
    // Storage's write latency, observed with the seed's trace IDs as exemplars, scraped each second.
    const registry = new Registry();
    const writes = registry.histogram(storage.writeDuration).labels();
    const observe = () => {
      writes.observe(0.04, { trace_id: fast });
      writes.observe(0.3, { trace_id: mid });
      writes.observe(0.9, { trace_id: slow });
    };
    observe();
    const ticker = setInterval(observe, 250);
    let metrics: Server | undefined;
    let hub: Hub | undefined;
    const b = await launchChromium();
    try {
      metrics = await serveMetrics(registry, { port: 0 });
      const addr = metrics.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      hub = await startHub({
        dataDir: dir,
        port: 0,
        scrape: parseScrapeConfig({
          interval: '1s',
          timeout: '1s',
          targets: [{ url: `http://127.0.0.1:${port}/metrics`, service: 'storage' }],
        }),
        selfScrape: false,
        host_collector: false,
        ui: uiHandler({ model: buildDashboards(), backend: 'hub' }),
      });
      const url = hub.url;
      const seed = buildSeed(Date.now());
      await sendSeed(url, seed);
      const page = await b.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));

      await t.test('the trace list: slowest first, filtered by service and duration', async () => {
        await open(page, `${url}/traces?range=1h&refresh=off`);
        assert.deepEqual(await traceRows(page), [slow, mid, fast]);
        const durations = await page.$$eval('tr.trace', (els) =>
          els.map((e) => Number(e.getAttribute('data-duration'))),
        );
        assert.deepEqual(durations, [900, 300, 40]);
        assert.equal(await page.locator('tr.trace.error').count(), 1);
        assert.equal(
          await page.getAttribute('tr.trace.error', 'data-trace-id'),
          slow,
          'the trace with an error span is marked',
        );
        // Operations of the chosen service come from trace_services.
        await after(page, () => page.selectOption('#trace-service', 'storage'));
        assert.match(page.url(), /service=storage/);
        assert.deepEqual(await traceRows(page), [slow, fast]);
        const ops = await page.$$eval('#trace-operation option', (els) =>
          els.map((e) => e.getAttribute('value') ?? '').filter((v) => v !== ''),
        );
        assert.deepEqual(ops, ['sqlite.insert', 'storage.write']);
        await after(page, () => page.selectOption('#trace-service', ''));
        await page.fill('#trace-min', '100');
        await after(page, () => page.press('#trace-min', 'Enter'));
        assert.match(page.url(), /min_duration=100/);
        assert.deepEqual(await traceRows(page), [slow, mid]);
        await shot(page, 'traces');
        // Bad input is said, and nothing is listed.
        await page.fill('#trace-min', 'fast');
        await after(page, () => page.press('#trace-min', 'Enter'));
        assert.equal(
          await page.textContent('#traces-status'),
          'Minimum duration "fast" is not a number of milliseconds: enter e.g. 250, or leave it empty for any duration.',
        );
        assert.deepEqual(await traceRows(page), []);
      });

      await t.test(
        'the waterfall: nesting, skew, orphan, error; span details by keyboard',
        async () => {
          await open(page, `${url}/traces?range=1h&refresh=off`);
          await after(page, () => page.click(`tr.trace[data-trace-id="${slow}"] a.trace-link`));
          assert.equal(new URL(page.url()).pathname, `/traces/${slow}`);
          const rows = await page.$$eval('.wf-row', (els) =>
            els.map((e) => [
              e.querySelector('.op')?.textContent,
              Number(e.getAttribute('data-depth')),
              [...e.classList].filter((c) => c !== 'wf-row').join(' '),
            ]),
          );
          // The seed's tree: replay.apply starts before its parent (clock skew) and so comes
          // first among storage.write's children; replay.ack's parent never arrived.
          assert.deepEqual(rows, [
            ['gossip.forward', 0, ''],
            ['storage.write', 1, ''],
            ['replay.apply', 2, 'skew'],
            ['sqlite.insert', 2, ''],
            ['peer.send', 1, 'error'],
            ['ws.write', 2, ''],
            ['replay.ack', 0, 'orphan'],
          ]);
          // Bars sit at their start within the trace: storage.write starts at 100 of 900 ms.
          const left = await page.$eval(
            '.wf-row[data-span-id="a000000000000002"] .wf-bar',
            (e) => /left:\s*([\d.]+)%/.exec(e.getAttribute('style') ?? '')?.[1] ?? '',
          );
          assert.ok(Math.abs(parseFloat(left) - (100 / 900) * 100) < 0.01, left);
          // Keyboard: focus the first row, arrow down to storage.write, open it with Enter.
          await page.focus('.wf-row[data-span-id="a000000000000001"]');
          await page.keyboard.press('ArrowDown');
          await after(page, () => page.keyboard.press('Enter'));
          assert.equal(await page.getAttribute('#span-detail', 'data-span'), 'a000000000000002');
          assert.match(page.url(), /span=a000000000000002/);
          const detail = (await page.textContent('#span-detail')) ?? '';
          assert.match(detail, /db\.system\s*sqlite/);
          assert.match(detail, /retry/);
          assert.match(detail, /Duration\s*600 ms/);
          // The error span says its status and message.
          await after(page, () => page.click('.wf-row[data-span-id="a000000000000004"]'));
          assert.match((await page.textContent('#span-detail')) ?? '', /error peer went away/);
          await shot(page, 'trace-waterfall');
          // A link to a trace the hub does not have says so.
          await open(page, `${url}/traces/${'e'.repeat(32)}?refresh=off`);
          assert.match(
            (await page.textContent('#trace-status')) ?? '',
            /^No trace e{32} in the hub/,
          );
        },
      );

      await t.test('trace → logs: the link filters the log view to the trace', async () => {
        await open(page, `${url}/traces/${slow}?refresh=off`);
        await after(page, () => page.click('#trace-logs'));
        const u = new URL(page.url());
        assert.equal(u.pathname, '/logs');
        assert.equal(u.searchParams.get('trace'), slow);
        const lines = await logRows(page);
        const want = seed.lines.filter((l) => l.trace_id === slow);
        assert.equal(lines.length, want.length);
        assert.ok(lines.every((l) => l.trace === slow));
        // Newest first.
        assert.deepEqual(
          lines.map((l) => l.msg),
          [...want].sort((a, b) => Number(b.time) - Number(a.time)).map((l) => l.msg),
        );
        assert.deepEqual(
          lines.map((l) => l.level),
          ['warn', 'error', 'warn', 'info'],
        );
        await shot(page, 'logs-trace');
        // A line's trace links back to its waterfall.
        await after(page, () => page.click('tr.log >> nth=0 >> a.trace-link'));
        assert.equal(new URL(page.url()).pathname, `/traces/${slow}`);
      });

      await t.test('log search narrows; level filters; a bad query shows its reason', async () => {
        await open(page, `${url}/logs?range=1h&refresh=off`);
        assert.equal((await logRows(page)).length, seed.lines.length);
        await page.fill('#log-search', 'timeout');
        await after(page, () => page.press('#log-search', 'Enter'));
        assert.match(page.url(), /q=timeout/);
        assert.deepEqual(
          (await logRows(page)).map((l) => l.msg),
          ['dial timeout, will retry'],
        );
        await page.fill('#log-search', '');
        await after(page, () => page.press('#log-search', 'Enter'));
        await after(page, () => page.selectOption('#log-level', 'error'));
        assert.deepEqual(
          (await logRows(page)).map((l) => [l.level, l.msg]),
          [['error', 'write failed: database is locked']],
        );
        await after(page, () => page.selectOption('#log-level', ''));
        await after(page, () => page.selectOption('#log-service', 'replay'));
        assert.deepEqual(
          (await logRows(page)).map((l) => l.msg),
          ['applied a batch of 12 events'],
        );
        // A search nothing matches: the empty state.
        await page.fill('#log-search', 'nosuchword');
        await after(page, () => page.press('#log-search', 'Enter'));
        assert.deepEqual(await logRows(page), []);
        assert.match((await page.textContent('#logs-status')) ?? '', /^No log lines match/);
        // The hub's reason for refusing a query is what the page says.
        const bad = '"unclosed';
        const answer = (await (
          await fetch(`${url}/api/v1/logs?query=${encodeURIComponent(bad)}`)
        ).json()) as { errorType: string; error: string };
        assert.equal(answer.errorType, 'bad_data');
        await page.fill('#log-search', bad);
        await after(page, () => page.press('#log-search', 'Enter'));
        assert.equal(
          await page.textContent('#logs-status'),
          `Logs unavailable: Query error — bad_data: ${answer.error}`,
        );
        assert.equal(await page.getAttribute('#logs-status', 'class'), 'status error');
        await shot(page, 'logs-bad-query');
      });

      await t.test('an exemplar on the storage latency graph opens its trace', async () => {
        // Quantiles need a rate over two scrapes; exemplars need one.
        const deadline = Date.now() + 30_000;
        let n = 0;
        while (Date.now() < deadline) {
          const r = (await (
            await fetch(
              `${url}/api/v1/query_exemplars?query=storage_write_duration_seconds_bucket&start=${Date.now() / 1000 - 600}&end=${Date.now() / 1000 + 5}`,
            )
          ).json()) as { data: { exemplars: unknown[] }[] };
          n = r.data.reduce((a, s) => a + s.exemplars.length, 0);
          if (n >= 3) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.ok(n >= 3, `the hub holds ${n} exemplars`);
        // Until the quantiles have a point (two scrapes), the graph has nothing to draw on.
        const panel = '#storage-storage_write_duration_seconds';
        let shown: string | null = null;
        for (let i = 0; i < 10 && shown !== '3'; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 1000));
          await open(page, `${url}/d/storage?range=15m&refresh=off`);
          await page.waitForSelector(`${panel}[data-exemplars]`, { timeout: 20_000 });
          shown = await page.getAttribute(panel, 'data-exemplars');
        }
        assert.equal(shown, '3');
        assert.match((await page.textContent(`${panel} .exemplar-note`)) ?? '', /^◆ 3 exemplars/);
        const hrefs = await page.$$eval(`${panel} a.exemplar`, (els) =>
          els.map((e) => (e.getAttribute('href') ?? '').split('?')[0]),
        );
        assert.deepEqual(new Set(hrefs), new Set([slow, mid, fast].map((id) => `/traces/${id}`)));
        await page.locator(panel).screenshot({ path: join(ARTIFACTS, 'exemplars.png') });
        // The rate panel of the same histogram has none.
        assert.equal(await page.locator(`${panel}-rate a.exemplar`).count(), 0);
        await after(page, () => page.click(`${panel} a.exemplar[href*="${slow}"]`));
        assert.equal(new URL(page.url()).pathname, `/traces/${slow}`);
        assert.equal(await page.locator('.wf-row').count(), 7);
      });

      await t.test('phone width: traces, waterfall and logs fit', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        for (const [path, name] of [
          [`/traces?range=1h&refresh=off`, 'traces-phone'],
          [`/traces/${slow}?refresh=off&span=a000000000000005`, 'trace-phone'],
          [`/logs?range=1h&refresh=off`, 'logs-phone'],
        ] as const) {
          await open(page, url + path);
          const w = await page.evaluate<number>('document.documentElement.scrollWidth');
          assert.ok(w <= 390, `${path}: the page is ${w} px wide`);
          await shot(page, name);
        }
      });
      assert.deepEqual(pageErrors, []);
    } finally {
      clearInterval(ticker);
      await b.close();
      await hub?.stop();
      await new Promise<void>((r) => (metrics === undefined ? r() : metrics.close(() => r())));
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
