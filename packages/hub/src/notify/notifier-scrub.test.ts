import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from './alert.js';
import { Notifier } from './notifier.js';
import { WebhookUrl } from './secret.js';
import { ChatStandIn } from './testing/chat-stand-in.js';

// The hub cannot import the telemetry scrubber; any `(s) => s` function is injected.
const scrub = (s: string): string => s.replaceAll(/10\.0\.0\.\d+/g, '<ip>');

const alert = (i: number): Alert => ({
  labels: { alertname: 'RelayDialFailures', service: 'relay', peer: `10.0.0.${i}` },
  annotations: { summary: `dials to 10.0.0.${i} fail`, description: 'from 10.0.0.99' },
  status: 'firing',
  startsAt: 1_700_000_000_000,
});

for (const kind of ['discord', 'slack', 'webhook'] as const) {
  test(`${kind}: every label and annotation string is scrubbed before formatting`, async () => {
    const s = await ChatStandIn.start();
    try {
      const url =
        kind === 'discord'
          ? s.discordUrl()
          : kind === 'slack'
            ? s.slackUrl()
            : `${s.origin}/hook/ops`;
      const n = new Notifier({
        receivers: [{ name: 'ops', kind, url: new WebhookUrl(url) }],
        scrub,
      });
      const alerts = [alert(1), alert(2)];
      const r = await n.send('ops', {
        key: '{}:{peer="10.0.0.1"}',
        labels: { alertname: 'RelayDialFailures', peer: '10.0.0.1' },
        alerts,
      });
      assert.equal(r.ok, true);
      // The originals come back, so the dispatcher's fingerprints still match.
      assert.deepEqual(r.delivered, alerts);
      const body = JSON.stringify(s.received.map((x) => x.body));
      assert.ok(body.length > 50, body);
      assert.doesNotMatch(body, /10\.0\.0\./, body);
      assert.match(body, /<ip>/);
    } finally {
      await s.close();
    }
  });
}

test('without scrub the payload carries the strings as they are', async () => {
  const s = await ChatStandIn.start();
  try {
    const n = new Notifier({
      receivers: [{ name: 'ops', kind: 'webhook', url: new WebhookUrl(`${s.origin}/hook/ops`) }],
    });
    await n.send('ops', {
      key: 'k',
      labels: { alertname: 'RelayDialFailures' },
      alerts: [alert(3)],
    });
    assert.match(JSON.stringify(s.received[0]?.body), /10\.0\.0\.3/);
  } finally {
    await s.close();
  }
});
