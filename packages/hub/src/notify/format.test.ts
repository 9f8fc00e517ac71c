import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISCORD_LIMITS, embedChars, formatDiscord } from './discord.js';
import { SLACK_LIMITS, formatSlack } from './slack.js';
import { truncate, ELLIPSIS } from './truncate.js';
import { deliver } from './deliver.js';
import { WebhookUrl } from './secret.js';
import { ChatStandIn, discordViolations, slackViolations } from './testing/chat-stand-in.js';
import { makeAlerts } from './testing/fixtures.js';

test('truncate keeps short strings and marks cut ones with an ellipsis', () => {
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abcdef', 4), `abc${ELLIPSIS}`);
  assert.equal(truncate('abcdef', 4).length, 4);
  // never splits a surrogate pair
  const t = truncate('ab😀cd', 4);
  assert.ok(t.length <= 4);
  assert.ok(!/[\ud800-\udbff]$/.test(t.slice(0, -1)));
});

test('a 60-alert group splits into several valid Discord messages, none dropped', () => {
  const alerts = makeAlerts(60);
  const msgs = formatDiscord(alerts);
  assert.ok(msgs.length >= 6, `expected ≥ 6 messages, got ${msgs.length}`);
  assert.equal(
    msgs.reduce((n, m) => n + m.alerts.length, 0),
    60,
  );
  for (const [i, m] of msgs.entries()) {
    assert.deepEqual(discordViolations(m.payload), [], `message ${i}`);
    const embeds = m.payload.embeds ?? [];
    assert.ok(embeds.length <= DISCORD_LIMITS.embedsPerMessage);
    assert.ok(embeds.reduce((n, e) => n + embedChars(e), 0) <= DISCORD_LIMITS.embedTotal);
    assert.match(m.payload.content ?? '', new RegExp(`part ${i + 1}/${msgs.length}`));
    assert.deepEqual(m.payload.allowed_mentions, { parse: [] });
  }
});

test('Discord: over-long fields are truncated with an ellipsis, never rejected', () => {
  const labels: Record<string, string> = { alertname: 'X'.repeat(400) };
  for (let i = 0; i < 40; i++) labels[`label_${i}_${'k'.repeat(300)}`] = 'v'.repeat(2000);
  const [alert] = makeAlerts(1, {
    labels,
    annotations: { summary: 's'.repeat(5000), description: 'd'.repeat(5000) },
  });
  assert.ok(alert);
  const msgs = formatDiscord([alert], { title: 'T'.repeat(3000) });
  assert.equal(msgs.length, 1);
  const m = msgs[0];
  assert.ok(m);
  assert.deepEqual(discordViolations(m.payload), []);
  const e = m.payload.embeds?.[0];
  assert.ok(e);
  assert.ok(e.title.endsWith(ELLIPSIS));
  assert.ok(e.description?.endsWith(ELLIPSIS));
  assert.ok((m.payload.content ?? '').length <= DISCORD_LIMITS.content);
  assert.match(e.footer?.text ?? '', /label\(s\) omitted/);
});

test('a 60-alert group splits into valid Slack messages within 50 blocks', () => {
  const msgs = formatSlack(makeAlerts(60));
  assert.equal(msgs.length, 2);
  assert.equal(
    msgs.reduce((n, m) => n + m.alerts.length, 0),
    60,
  );
  for (const m of msgs) {
    assert.deepEqual(slackViolations(m.payload), []);
    assert.ok((m.payload.blocks ?? []).length <= SLACK_LIMITS.blocks);
  }
  const [big] = formatSlack(makeAlerts(1, { annotations: { summary: '<@x> & '.repeat(2000) } }));
  assert.ok(big);
  assert.deepEqual(slackViolations(big.payload), []);
  const sec = big.payload.blocks?.[1];
  assert.ok(sec && sec.text.text.endsWith(ELLIPSIS) && !sec.text.text.includes('<@'));
});

test('the stand-in accepts every split message and rejects over-limit payloads', async () => {
  const s = await ChatStandIn.start();
  try {
    const discord = new WebhookUrl(s.discordUrl());
    const slack = new WebhookUrl(s.slackUrl());
    const alerts = makeAlerts(60);
    const dm = formatDiscord(alerts);
    const sm = formatSlack(alerts);
    for (const m of dm) assert.equal((await deliver('discord', discord, m.payload)).ok, true);
    for (const m of sm) assert.equal((await deliver('slack', slack, m.payload)).ok, true);
    assert.equal(s.accepted().length, dm.length + sm.length);
    assert.ok(s.received.every((r) => r.violations.length === 0));

    // the stand-in enforces limits: a naive single message with 60 embeds is rejected
    const naive = { content: 'x'.repeat(2001), embeds: dm.flatMap((m) => m.payload.embeds ?? []) };
    const bad = await deliver('discord', discord, naive, { maxAttempts: 1 });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.permanent && bad.status === 400);
    assert.ok(!bad.ok && /Invalid Form Body/.test(bad.reason));
    const lastReq = s.received.at(-1);
    assert.ok(lastReq?.violations.some((v) => v.startsWith('content')));
    assert.ok(lastReq?.violations.some((v) => v.startsWith('embeds: must be 10')));
    const badSlack = await deliver('slack', slack, {
      text: 'x',
      blocks: Array.from({ length: 51 }, () => ({
        type: 'section',
        text: { type: 'mrkdwn', text: 'x' },
      })),
    });
    assert.ok(!badSlack.ok && badSlack.status === 400 && /invalid_blocks/.test(badSlack.reason));
  } finally {
    await s.close();
  }
});

test('value, budget left and the dashboard link reach both chat services', () => {
  const [a] = makeAlerts(1, {
    annotations: {
      summary: 'relay: ws connect error rate < 1% — burning the budget',
      value: '100% of upgrades failed over 5m',
      budget_left: '93.1% of the 30d error budget left',
      dashboard: 'http://127.0.0.1:9400/d/relay',
    },
  });
  assert.ok(a);
  const [d] = formatDiscord([a]);
  const e = d?.payload.embeds?.[0];
  assert.equal(e?.url, 'http://127.0.0.1:9400/d/relay');
  assert.match(e?.description ?? '', /\*\*Value:\*\* 100% of upgrades failed over 5m/);
  assert.match(e?.description ?? '', /\*\*Budget:\*\* 93\.1% of the 30d error budget left/);
  const [sl] = formatSlack([a]);
  const text = JSON.stringify(sl?.payload.blocks);
  assert.match(text, /\*Value:\* 100% of upgrades failed/);
  assert.match(text, /\*Dashboard:\* http:\/\/127\.0\.0\.1:9400\/d\/relay/);
});
