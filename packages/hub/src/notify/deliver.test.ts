import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, deliver, retryAfterMs } from './deliver.js';
import { WebhookUrl } from './secret.js';
import { ChatStandIn } from './testing/chat-stand-in.js';
import { CapturingLogger } from './testing/fixtures.js';

const payload = { content: 'hello' };

test('retryAfterMs reads Discord body seconds (float) and the Retry-After header', () => {
  assert.equal(retryAfterMs('discord', '{"retry_after":0.25}', null), 250);
  assert.equal(retryAfterMs('discord', 'not json', '2'), 2000);
  assert.equal(retryAfterMs('slack', '{"retry_after":9}', '3'), 3000);
  assert.equal(retryAfterMs('slack', '', null), undefined);
});

test('backoff doubles per attempt and is capped', () => {
  const one = () => 0.999999;
  assert.ok(Math.abs(backoffMs(1, 100, 1000, one) - 100) < 0.01);
  assert.ok(Math.abs(backoffMs(3, 100, 1000, one) - 400) < 0.01);
  assert.ok(Math.abs(backoffMs(10, 100, 1000, one) - 1000) < 0.01);
  assert.equal(
    backoffMs(2, 100, 1000, () => 0),
    100,
  );
});

test('Discord 429 then success waits at least retry_after (body)', async () => {
  const s = await ChatStandIn.start();
  try {
    s.script({ kind: 'rate-limit', retryAfterSeconds: 0.2 });
    const url = new WebhookUrl(s.discordUrl());
    const t0 = performance.now();
    const r = await deliver('discord', url, payload, { baseDelayMs: 1 });
    assert.equal(r.ok, true);
    assert.equal(r.attempts, 2);
    assert.equal(s.received.length, 2);
    const [a, b] = s.received;
    assert.ok(a && b);
    assert.equal(a.status, 429);
    assert.ok(b.at - a.at >= 195, `waited ${b.at - a.at} ms`);
    assert.ok(performance.now() - t0 >= 200);
  } finally {
    await s.close();
  }
});

test('Slack 429 honours the Retry-After header', async () => {
  const s = await ChatStandIn.start();
  try {
    s.script({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const waits: number[] = [];
    const r = await deliver(
      'slack',
      new WebhookUrl(s.slackUrl()),
      { text: 'hi' },
      {
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );
    assert.equal(r.ok, true);
    assert.deepEqual(waits, [1000]);
  } finally {
    await s.close();
  }
});

test('5xx is retried with exponential backoff, then succeeds', async () => {
  const s = await ChatStandIn.start();
  try {
    s.script(
      { kind: 'status', status: 502 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 500 },
    );
    const waits: number[] = [];
    const r = await deliver('discord', new WebhookUrl(s.discordUrl()), payload, {
      baseDelayMs: 100,
      random: () => 0.999999,
      sleep: async (ms) => {
        waits.push(Math.round(ms));
      },
    });
    assert.equal(r.ok, true);
    assert.equal(r.attempts, 4);
    assert.deepEqual(waits, [100, 200, 400]);
  } finally {
    await s.close();
  }
});

test('5xx retries are bounded and leave the failure retryable', async () => {
  const s = await ChatStandIn.start();
  try {
    s.script(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 503 })));
    const r = await deliver('discord', new WebhookUrl(s.discordUrl()), payload, {
      maxAttempts: 3,
      baseDelayMs: 1,
    });
    assert.ok(!r.ok && !r.permanent && r.attempts === 3 && r.status === 503);
    assert.equal(s.received.length, 3);
  } finally {
    await s.close();
  }
});

test('a slow answer times out and is retried', async () => {
  const s = await ChatStandIn.start();
  try {
    // Generous margins: on a loaded machine a normal answer can take a few hundred ms.
    s.script({ kind: 'slow', delayMs: 4000 });
    const log = new CapturingLogger();
    const r = await deliver('discord', new WebhookUrl(s.discordUrl()), payload, {
      timeoutMs: 1500,
      baseDelayMs: 1,
      logger: log,
    });
    assert.equal(r.ok, true);
    assert.equal(r.attempts, 2);
    assert.match(log.text(), /timed out after 1500 ms/);
  } finally {
    await s.close();
  }
});

test('a permanent 4xx gives up at once with a logged reason', async () => {
  const s = await ChatStandIn.start();
  try {
    s.script({ kind: 'status', status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
    const log = new CapturingLogger();
    const r = await deliver('discord', new WebhookUrl(s.discordUrl()), payload, { logger: log });
    assert.ok(!r.ok && r.permanent && r.status === 404 && r.attempts === 1);
    assert.match(r.reason, /404.*Unknown Webhook/);
    assert.equal(s.received.length, 1);
    const line = log.lines.find((l) => l.msg === 'notify: giving up');
    assert.ok(line);
    assert.match(String(line.fields?.['reason']), /Unknown Webhook/);
  } finally {
    await s.close();
  }
});
