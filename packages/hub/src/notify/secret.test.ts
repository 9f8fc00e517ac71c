import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { deliver } from './deliver.js';
import { Notifier } from './notifier.js';
import { WebhookUrl, redactWebhookUrl, resolveWebhookUrl } from './secret.js';
import { ChatStandIn } from './testing/chat-stand-in.js';
import { CapturingLogger, makeAlerts } from './testing/fixtures.js';

const TOKEN = 'Zq9SECRETtokenVALUE_abc123-xyz';
const REAL = `https://discord.com/api/webhooks/112233445566778899/${TOKEN}`;

test('redaction keeps the service prefix and drops id and token', () => {
  assert.equal(redactWebhookUrl(REAL), 'https://discord.com/api/webhooks/…');
  assert.equal(
    redactWebhookUrl('https://hooks.slack.com/services/T00/B00/abcdefghijkl'),
    'https://hooks.slack.com/services/…',
  );
  assert.equal(redactWebhookUrl('https://example.com/hook?key=secret'), 'https://example.com/…');
  assert.equal(redactWebhookUrl('not a url'), '…');
});

test('WebhookUrl never prints its token', () => {
  const u = new WebhookUrl(REAL);
  assert.equal(u.reveal(), REAL);
  for (const s of [
    String(u),
    `${u}`,
    JSON.stringify({ u }),
    inspect(u),
    inspect({ u }, { depth: 5 }),
  ]) {
    assert.ok(!s.includes(TOKEN), s);
    assert.ok(!s.includes('112233445566778899'), s);
  }
  assert.equal(
    u.scrub(`POST ${REAL} failed; token ${TOKEN}`),
    'POST https://discord.com/api/webhooks/… failed; token …',
  );
});

test('resolveWebhookUrl reads config, a file or an env var, with secret-free errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-secret-'));
  try {
    const file = join(dir, 'hook');
    writeFileSync(file, `${REAL}\n`);
    assert.equal(resolveWebhookUrl({ webhook_url: REAL }, 'receivers[0]').reveal(), REAL);
    assert.equal(resolveWebhookUrl({ webhook_url_file: file }, 'receivers[0]').reveal(), REAL);
    assert.equal(
      resolveWebhookUrl({ webhook_url_env: 'HOOK' }, 'receivers[0]', { HOOK: REAL }).reveal(),
      REAL,
    );
    const bad: [Parameters<typeof resolveWebhookUrl>[0], RegExp, NodeJS.ProcessEnv][] = [
      [{}, /receivers\[1\]: set exactly one of/, {}],
      [{ webhook_url: REAL, webhook_url_env: 'HOOK' }, /found webhook_url, webhook_url_env/, {}],
      [{ webhook_url_file: join(dir, 'missing') }, /cannot read the file \(ENOENT\)/, {}],
      [{ webhook_url_env: 'NOPE' }, /NOPE\): the environment variable is not set/, {}],
      [{ webhook_url: `ftp://x/${TOKEN}` }, /must use http or https/, {}],
      [{ webhook_url_env: 'HOOK' }, /not a valid URL/, { HOOK: `http://exa mple.com/${TOKEN}` }],
    ];
    for (const [src, re, env] of bad) {
      assert.throws(
        () => resolveWebhookUrl(src, 'receivers[1]', env),
        (e: Error) =>
          re.test(e.message) && !e.message.includes(TOKEN) && !inspect(e).includes(TOKEN),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the webhook URL never appears in logs, results or errors during delivery', async () => {
  const s = await ChatStandIn.start();
  const log = new CapturingLogger();
  const url = new WebhookUrl(s.discordUrl('998877665544332211', TOKEN));
  const seen: string[] = [];
  try {
    // the service echoes the URL back in its error body, retries, rate limits, gives up
    s.script(
      { kind: 'status', status: 500, body: `upstream failed for ${url.reveal()}` },
      { kind: 'rate-limit', retryAfterSeconds: 0.01 },
      { kind: 'status', status: 401, body: `{"message":"Invalid Webhook Token ${TOKEN}"}` },
    );
    const r = await deliver('discord', url, { content: 'x' }, { baseDelayMs: 1, logger: log });
    seen.push(JSON.stringify(r), inspect(r));
    assert.ok(!r.ok && r.permanent);

    // network error: the stand-in is gone
    await s.close();
    const r2 = await deliver(
      'discord',
      url,
      { content: 'x' },
      { maxAttempts: 2, baseDelayMs: 1, logger: log },
    );
    assert.ok(!r2.ok && !r2.permanent);
    seen.push(JSON.stringify(r2));

    const n = new Notifier({
      receivers: [{ name: 'ops', kind: 'discord', url }],
      logger: log,
      delivery: { maxAttempts: 1 },
    });
    const group = {
      key: 'g',
      labels: { alertname: 'RelayDialLatencyHigh' },
      alerts: makeAlerts(2),
    };
    seen.push(inspect(n, { depth: 10 }), JSON.stringify(await n.send('ops', group)));
    await assert.rejects(n.send('nope', group), (e: Error) => (seen.push(e.message), true));
  } finally {
    await s.close().catch(() => {});
  }
  seen.push(log.text());
  assert.ok(log.lines.length >= 4);
  for (const text of seen) {
    assert.ok(!text.includes(TOKEN), text);
    assert.ok(!text.includes('998877665544332211'), text);
  }
});
