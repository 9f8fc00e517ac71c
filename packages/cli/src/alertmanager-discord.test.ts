/**
 * A real Alertmanager on a generated config delivers to the Discord stand-in, which enforces
 * Discord's limits: one alert arrives as the template renders it, and a group of twelve
 * alerts with huge labels and annotations still arrives within the limits (Alertmanager 0.25
 * does not cut embeds itself; the generated templates do).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatStandIn, type ReceivedRequest } from '@canopy/hub/testing/chat-stand-in';
import { parseAlertingSpec } from '@canopy/hub';
import {
  ALERTMANAGER_BIN,
  startAlertmanager,
  toolSkipReason,
  writeAlertmanagerFiles,
  type EngineProcess,
} from '@canopy/stack';

const skip = toolSkipReason(ALERTMANAGER_BIN, 'prometheus-alertmanager');

interface Embed {
  title: string;
  description: string;
}

async function started(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ am: EngineProcess; standIn: ChatStandIn }> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-am-discord-'));
  const standIn = await ChatStandIn.start();
  const spec = parseAlertingSpec(
    {
      receivers: [{ name: 'oncall', type: 'discord', webhook_url: standIn.discordUrl() }],
      route: { receiver: 'oncall', group_wait: '1s' },
    },
    'test',
  ).spec;
  const w = writeAlertmanagerFiles(dir, spec);
  const am = await startAlertmanager({ configFile: w.files[0]! });
  t.after(async () => {
    await am.stop();
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { am, standIn };
}

async function post(am: EngineProcess, alerts: unknown[]): Promise<void> {
  const r = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  assert.equal(r.status, 200, await r.text());
}

async function firstRequest(standIn: ChatStandIn, ms = 20_000): Promise<ReceivedRequest> {
  const end = Date.now() + ms;
  while (standIn.received.length === 0) {
    assert.ok(Date.now() < end, 'no request reached the Discord stand-in');
    await new Promise((r) => setTimeout(r, 100));
  }
  return standIn.received[0]!;
}

test('one alert arrives at Discord as the template renders it', { skip }, async (t) => {
  const { am, standIn } = await started(t);
  await post(am, [
    {
      labels: {
        alertname: 'ReplaySyncLagHigh',
        service: 'replay',
        slo: 'replay-sync-lag',
        severity: 'page',
        instance: '127.0.0.1:7102',
      },
      annotations: {
        summary: 'replay: sync lag (head event age) < 10 s — violated for 1m',
        value: '42s',
        budget_left: '99.1% of the 30d error budget left',
        dashboard: 'http://127.0.0.1:9400/d/replay',
      },
    },
  ]);
  const r = await firstRequest(standIn);
  assert.equal(r.status, 204, JSON.stringify(r.violations));
  const embeds = (r.body as { embeds: Embed[] }).embeds;
  assert.equal(embeds.length, 1);
  assert.equal(embeds[0]!.title, '[FIRING:1] ReplaySyncLagHigh replay');
  assert.equal(
    embeds[0]!.description,
    'ReplaySyncLagHigh on 127.0.0.1:7102: replay: sync lag (head event age) < 10 s — violated for 1m\n' +
      'value 42s · 99.1% of the 30d error budget left\n' +
      'http://127.0.0.1:9400/d/replay\n\n',
  );
});

test(
  'a group of twelve alerts with huge fields stays within Discord limits',
  { skip },
  async (t) => {
    const { am, standIn } = await started(t);
    const huge = (c: string, n: number) => c.repeat(n);
    await post(
      am,
      Array.from({ length: 12 }, (_, i) => ({
        labels: {
          alertname: `Huge${huge('N', 200)}`,
          service: huge('s', 400),
          instance: `${huge('i', 300)}-${i}`,
          severity: 'page',
        },
        annotations: {
          summary: huge('ü', 5000),
          value: huge('v', 2000),
          budget_left: huge('b', 2000),
          dashboard: huge('d', 2000),
        },
      })),
    );
    const r = await firstRequest(standIn);
    assert.deepEqual(r.violations, []);
    assert.equal(r.status, 204);
    const e = (r.body as { embeds: Embed[] }).embeds[0]!;
    assert.ok(e.title.startsWith('[FIRING:12] Huge'), e.title.slice(0, 30));
    assert.ok([...e.title].length <= 256);
    assert.ok([...e.description].length <= 4096);
    assert.match(e.description, /12 firing, 0 resolved in this group \(at most 4 shown\)\.$/);
  },
);
