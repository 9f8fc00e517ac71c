import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dedupeKey } from './alert.js';
import { NotificationLog } from './log.js';
import { Notifier, type Receiver } from './notifier.js';
import { WebhookUrl } from './secret.js';
import { ChatStandIn } from './testing/chat-stand-in.js';
import { makeAlerts } from './testing/fixtures.js';

function tmp(): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-notify-'));
  return {
    file: join(dir, 'notify.db'),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('the dedupe key is receiver + fingerprint + status + startsAt', () => {
  const [a] = makeAlerts(1);
  assert.ok(a);
  const k = dedupeKey('ops', a);
  assert.notEqual(k, dedupeKey('ops2', a));
  assert.notEqual(k, dedupeKey('ops', { ...a, status: 'resolved' }));
  assert.notEqual(k, dedupeKey('ops', { ...a, startsAt: a.startsAt + 1 }));
  assert.equal(k, dedupeKey('ops', { ...a, labels: { ...a.labels }, annotations: {} }));
});

test('no duplicates across a restart: sent alerts are not resent', async () => {
  const s = await ChatStandIn.start();
  const t = tmp();
  try {
    const receivers: Receiver[] = [
      { name: 'ops', kind: 'discord', url: new WebhookUrl(s.discordUrl()) },
    ];
    const alerts = makeAlerts(12);
    let log = new NotificationLog(t.file);
    let n = new Notifier({ log, receivers });
    const first = await n.notify('ops', alerts);
    assert.equal(first.sent, 12);
    assert.equal(first.messages, 2);
    assert.equal((await n.notify('ops', alerts)).skipped, 12);
    log.close();

    // restart: reopen the same file
    log = new NotificationLog(t.file);
    n = new Notifier({ log, receivers });
    assert.deepEqual(await n.resume(), []);
    const again = await n.notify('ops', alerts);
    assert.equal(again.sent, 0);
    assert.equal(again.skipped, 12);
    // a resolved notification for the same alerts is new
    const resolved = alerts.map((a) => ({
      ...a,
      status: 'resolved' as const,
      endsAt: a.startsAt + 1,
    }));
    assert.equal((await n.notify('ops', resolved)).sent, 12);
    log.close();
    assert.equal(s.accepted().length, 4);
  } finally {
    await s.close();
    t.done();
  }
});

test('a crash before acknowledgement resends exactly once after restart', async () => {
  const s = await ChatStandIn.start();
  const t = tmp();
  try {
    const receivers: Receiver[] = [
      { name: 'chat', kind: 'slack', url: new WebhookUrl(s.slackUrl()) },
    ];
    const alerts = makeAlerts(3);
    let log = new NotificationLog(t.file);
    // simulate: recorded as pending, then the process died before sending
    assert.equal(log.claim('chat', alerts).length, 3);
    log.close();

    log = new NotificationLog(t.file);
    let n = new Notifier({ log, receivers });
    assert.equal((await n.notify('chat', alerts)).skipped, 3, 'pending rows are not re-claimed');
    const [r] = await n.resume();
    assert.equal(r?.sent, 3);
    assert.equal(s.accepted().length, 1);
    for (const a of alerts) assert.equal(log.stateOf('chat', a), 'sent');
    log.close();

    log = new NotificationLog(t.file);
    n = new Notifier({ log, receivers });
    assert.deepEqual(await n.resume(), []);
    log.close();
    assert.equal(s.accepted().length, 1);
  } finally {
    await s.close();
    t.done();
  }
});

test('retryable failures stay pending, permanent ones are marked failed', async () => {
  const s = await ChatStandIn.start();
  const t = tmp();
  try {
    const receivers: Receiver[] = [
      { name: 'ops', kind: 'discord', url: new WebhookUrl(s.discordUrl()) },
    ];
    const log = new NotificationLog(t.file);
    const n = new Notifier({ log, receivers, delivery: { maxAttempts: 2, baseDelayMs: 1 } });
    s.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const [a, b] = makeAlerts(2);
    assert.ok(a && b);
    const r1 = await n.notify('ops', [a]);
    assert.equal(r1.pending, 1);
    assert.equal(log.stateOf('ops', a), 'pending');
    const [r2] = await n.resume();
    assert.equal(r2?.sent, 1);
    assert.equal(log.stateOf('ops', a), 'sent');

    s.script({ kind: 'status', status: 403, body: '{"message":"Missing Access"}' });
    const r3 = await n.notify('ops', [b]);
    assert.equal(r3.failed, 1);
    assert.equal(log.stateOf('ops', b), 'failed');
    assert.deepEqual(await n.resume(), []);
    log.close();
  } finally {
    await s.close();
    t.done();
  }
});
