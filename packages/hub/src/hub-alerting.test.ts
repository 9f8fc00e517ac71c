/**
 * The hub as a whole: it scrapes a target, evaluates a rule, and its dispatcher pages the
 * Discord stand-in; a restart of the hub neither repeats the page nor forgets the alert,
 * and the resolution is sent once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from './hub.js';
import { parseScrapeConfig } from './scrape/index.js';
import { loadRuleFile } from './rules/index.js';
import { parseAlertingSpec, WebhookUrl } from './notify/index.js';
import { ChatStandIn } from './notify/testing/chat-stand-in.js';

const RULES = `
groups:
  - name: down
    interval: 200ms
    rules:
      - alert: RelayDown
        expr: up{service="relay"} == 0
        labels:
          severity: page
          slo: target-up
        annotations:
          summary: "relay target {{ $labels.instance }} is down"
          value: "up = {{ $value }}"
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a dead target pages once across a hub restart, and its recovery resolves once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-hub-alerting-'));
  const s = await ChatStandIn.start();
  let up = true;
  const target: Server = createServer((_req, res) => {
    if (!up) {
      res.destroy(); // a dead process: the connection fails
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('relay_peers_connected 3\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const addr = target.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const cfg = parseAlertingSpec(
    {
      receivers: [{ name: 'oncall', type: 'discord', webhook_url: s.discordUrl() }],
      route: { receiver: 'oncall', group_wait: '100ms', group_interval: '300ms' },
    },
    'test.yaml',
  );
  const start = (): Promise<Hub> =>
    startHub({
      port: 0,
      dataDir: dir,
      scrape: parseScrapeConfig({
        interval: '200ms',
        timeout: '150ms',
        targets: [{ url: `http://127.0.0.1:${port}/metrics`, service: 'relay' }],
      }),
      host_collector: false,
      selfScrape: false,
      rules: loadRuleFile(RULES, 'down.yml'),
      alerting: {
        route: cfg.route,
        receivers: [{ name: 'oncall', kind: 'discord', url: new WebhookUrl(s.discordUrl()) }],
        inhibitRules: cfg.inhibitRules,
      },
      resendDelayMs: 500,
    });
  const titles = () => s.accepted().map((m) => (m.body as { content: string }).content);
  let hub = await start();
  try {
    await sleep(800);
    assert.deepEqual(titles(), [], 'nothing while the target is up');

    const down = Date.now();
    up = false;
    await until(() => titles().length === 1, 5000, 'the page');
    assert.match(titles()[0]!, /^\[FIRING:1\] RelayDown service=relay$/);
    const page = s.accepted()[0]!;
    assert.ok(page.at - down < 2000, `paged after ${page.at - down} ms`);
    const embed = (
      page.body as { embeds: { description: string; fields: { name: string; value: string }[] }[] }
    ).embeds[0]!;
    assert.match(embed.description, new RegExp(`relay target 127\\.0\\.0\\.1:${port} is down`));
    assert.match(embed.description, /\*\*Value:\*\* up = 0/);

    const alerts = (await (await fetch(`${hub.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string>; state: string }[] };
    };
    assert.equal(alerts.data.alerts[0]?.state, 'firing');

    // restart while still down: no second page
    await hub.stop();
    hub = await start();
    await sleep(1500);
    assert.equal(titles().length, 1, `no repeat after a restart: ${titles().join(' | ')}`);
    const again = (await (await fetch(`${hub.url}/api/v1/alerts`)).json()) as typeof alerts;
    assert.equal(again.data.alerts[0]?.state, 'firing', 'restored as firing, not pending');

    // recovery: exactly one resolved message
    up = true;
    await until(() => titles().length === 2, 5000, 'the resolved message');
    assert.match(titles()[1]!, /^\[RESOLVED:1\] RelayDown service=relay$/);
    await sleep(1000);
    assert.equal(titles().length, 2);
    assert.ok(s.received.every((r) => r.violations.length === 0));
    const m = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(m, /^canopy_hub_notifications_total [1-9]/m);
  } finally {
    await hub.stop();
    await s.close();
    target.closeAllConnections();
    await new Promise<void>((r) => target.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
