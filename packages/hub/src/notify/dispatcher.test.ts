import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAlertingSpec } from './config.js';
import { Dispatcher, type IncomingAlert } from './dispatcher.js';
import { NotificationLog } from './log.js';
import { Notifier, type Receiver } from './notifier.js';
import { WebhookUrl } from './secret.js';
import { ChatStandIn } from './testing/chat-stand-in.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `f()` is true, polling; fails after `ms`. */
async function until(f: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function alert(name: string, labels: Record<string, string>, o: Partial<IncomingAlert> = {}) {
  const now = Date.now();
  return {
    status: 'firing' as const,
    labels: { alertname: name, ...labels },
    annotations: { summary: `${name} on ${labels['service'] ?? '?'}` },
    startsAt: now,
    endsAt: now + 60_000,
    generatorURL: 'http://127.0.0.1:9400/graph',
    ...o,
  };
}

interface Rig {
  s: ChatStandIn;
  dir: string;
  make(): { d: Dispatcher; log: NotificationLog };
  close(): Promise<void>;
}

/** A stand-in, a temp dir for the log, and a dispatcher factory for `route`. */
async function rig(
  route: Record<string, unknown>,
  receivers?: (s: ChatStandIn) => Record<string, unknown>[],
) {
  const s = await ChatStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'canopy-dispatch-'));
  const cfg = parseAlertingSpec(
    {
      receivers: receivers?.(s) ?? [
        { name: 'discord', type: 'discord', webhook_url: s.discordUrl() },
        { name: 'slack', type: 'slack', webhook_url: s.slackUrl() },
        { name: 'hook', type: 'webhook', webhook_url: `${s.origin}/hook/ops` },
      ],
      route,
    },
    'test.yaml',
  );
  const live: { d: Dispatcher; log: NotificationLog }[] = [];
  const r: Rig = {
    s,
    dir,
    make() {
      const rs: Receiver[] = [...cfg.receivers.values()].map((rc) => ({
        name: rc.name,
        kind: rc.type,
        url: new WebhookUrl(rc.webhook_url ?? ''),
        ...(rc.send_resolved !== undefined ? { sendResolved: rc.send_resolved } : {}),
      }));
      const log = new NotificationLog(join(dir, 'alerting.sqlite'));
      const d = new Dispatcher({
        route: cfg.route,
        notifier: new Notifier({ receivers: rs, delivery: { baseDelayMs: 1, maxAttempts: 2 } }),
        log,
      });
      live.push({ d, log });
      return { d, log };
    },
    async close() {
      for (const x of live) {
        await x.d.stop();
        x.log.close();
      }
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return r;
}

test('alerts are grouped by group_by and sent once after group_wait', async () => {
  const r = await rig({
    receiver: 'discord',
    group_by: ['alertname'],
    group_wait: '100ms',
    group_interval: '200ms',
  });
  try {
    const { d } = r.make();
    const t0 = Date.now();
    d.send([alert('RelayDown', { service: 'relay', instance: 'a' })]);
    d.send([alert('RelayDown', { service: 'relay', instance: 'b' })]);
    d.send([alert('StorageDown', { service: 'storage', instance: 'c' })]);
    await until(() => r.s.accepted().length === 2, 3000, 'two group messages');
    assert.ok(Date.now() - t0 >= 95, 'held back for group_wait');
    const titles = r.s
      .accepted()
      .map((m) => (m.body as { content: string }).content)
      .sort();
    assert.deepEqual(titles, ['[FIRING:1] StorageDown', '[FIRING:2] RelayDown']);
    // nothing new: the next flushes send nothing
    await sleep(500);
    assert.equal(r.s.accepted().length, 2);
  } finally {
    await r.close();
  }
});

test('routes by matchers; continue sends to several receivers; the webhook gets Alertmanager JSON', async () => {
  const r = await rig({
    receiver: 'slack',
    group_wait: '20ms',
    routes: [
      { matchers: ['severity="page"'], receiver: 'discord', continue: true },
      { matchers: ['service=~"relay|replay"'], receiver: 'hook' },
    ],
  });
  try {
    const { d } = r.make();
    d.send([alert('RelayDown', { service: 'relay', severity: 'page' })]);
    d.send([alert('ReplayLag', { service: 'replay', severity: 'ticket' })]);
    d.send([alert('StorageDisk', { service: 'storage', severity: 'ticket' })]);
    await until(() => r.s.received.length === 4, 3000, 'four messages');
    const by = (svc: string) => r.s.received.filter((m) => m.service === svc);
    assert.equal(by('discord').length, 1);
    assert.equal(by('slack').length, 1);
    const hooks = r.s.received.filter((m) => m.path.startsWith('/hook/'));
    assert.equal(hooks.length, 2);
    const names = hooks
      .map(
        (h) =>
          (h.body as { alerts: { labels: { alertname: string } }[] }).alerts[0]?.labels.alertname,
      )
      .sort();
    assert.deepEqual(names, ['RelayDown', 'ReplayLag']);
    const body = hooks[0]?.body as Record<string, unknown>;
    assert.equal(body['version'], '4');
    assert.equal(body['receiver'], 'hook');
    assert.equal(body['status'], 'firing');
    assert.match(String(body['groupKey']), /^alerting\.route\.routes\[1\]:\{/);
    assert.ok(r.s.received.every((m) => m.violations.length === 0));
  } finally {
    await r.close();
  }
});

test('resolved alerts are sent once, then the group is gone; send_resolved: false skips them', async () => {
  const r = await rig(
    {
      receiver: 'a',
      group_wait: '20ms',
      group_interval: '60ms',
      routes: [{ matchers: ['service="replay"'], receiver: 'b' }],
    },
    (s) => [
      { name: 'a', type: 'discord', webhook_url: s.discordUrl('1', 'tokenaaaaaa') },
      {
        name: 'b',
        type: 'discord',
        webhook_url: s.discordUrl('2', 'tokenbbbbbb'),
        send_resolved: false,
      },
    ],
  );
  try {
    const { d } = r.make();
    const ra = alert('RelayDown', { service: 'relay' });
    const rb = alert('ReplayLag', { service: 'replay' });
    d.send([ra, rb]);
    await until(() => r.s.accepted().length === 2, 3000, 'firing messages');
    const now = Date.now();
    d.send([
      { ...ra, status: 'resolved', endsAt: now },
      { ...rb, status: 'resolved', endsAt: now },
    ]);
    await until(() => d.groups().length === 0, 3000, 'groups to empty');
    const to = (id: string) => r.s.accepted().filter((m) => m.path.includes(`/webhooks/${id}/`));
    assert.deepEqual(
      to('1').map((m) => (m.body as { content: string }).content),
      ['[FIRING:1] RelayDown service=relay', '[RESOLVED:1] RelayDown service=relay'],
    );
    assert.equal(to('2').length, 1, 'send_resolved: false sends no resolved message');
  } finally {
    await r.close();
  }
});

test('a restart does not resend an acknowledged group; a new alert in it is sent', async () => {
  const r = await rig({
    receiver: 'discord',
    group_by: ['service'],
    group_wait: '20ms',
    group_interval: '50ms',
  });
  try {
    const a1 = alert(
      'RelayDown',
      { service: 'relay', instance: 'a' },
      { startsAt: Date.now() - 60_000 },
    );
    let x = r.make();
    x.d.send([a1]);
    await until(() => r.s.accepted().length === 1, 3000, 'first message');
    await x.d.stop();
    x.log.close();

    // "restart": a new dispatcher over the same log gets the same alert again
    x = r.make();
    x.d.send([a1]);
    await sleep(300);
    assert.equal(r.s.accepted().length, 1, 'no duplicate after restart');
    // a second alert joins the group: the whole group is sent
    x.d.send([alert('RelayCpuHigh', { service: 'relay', instance: 'a' })]);
    await until(() => r.s.accepted().length === 2, 3000, 'group update');
    assert.equal((r.s.accepted()[1]?.body as { embeds: unknown[] }).embeds.length, 2);
  } finally {
    await r.close();
  }
});

test('an unacknowledged notification is delivered after a restart (at-least-once)', async () => {
  const r = await rig({ receiver: 'slack', group_wait: '20ms', group_interval: '10s' });
  try {
    const a1 = alert('StorageDown', { service: 'storage' }, { startsAt: Date.now() - 60_000 });
    r.s.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    let x = r.make();
    x.d.send([a1]);
    await until(() => r.s.received.length === 2, 3000, 'two failed attempts');
    await until(() => x.d.stats.notificationsFailed === 1, 3000, 'the failure to be counted');
    assert.equal(r.s.accepted().length, 0);
    await x.d.stop();
    x.log.close();

    x = r.make();
    x.d.send([a1]);
    // the alert is older than group_wait: flushed at once, not after another wait
    await until(() => r.s.accepted().length === 1, 1000, 'redelivery');
    await sleep(100);
    assert.equal(r.s.accepted().length, 1);
  } finally {
    await r.close();
  }
});

test('repeat_interval resends an unchanged firing group', async () => {
  const r = await rig({
    receiver: 'discord',
    group_wait: '10ms',
    group_interval: '50ms',
    repeat_interval: '250ms',
  });
  try {
    const { d } = r.make();
    d.send([alert('HostLoadHigh', { service: 'host' }, { endsAt: Date.now() + 60_000 })]);
    await until(() => r.s.accepted().length === 1, 3000, 'first');
    const t1 = r.s.accepted()[0]!.at;
    await until(() => r.s.accepted().length === 2, 3000, 'repeat');
    const gap = r.s.accepted()[1]!.at - t1;
    assert.ok(gap >= 240 && gap < 3000, `repeat after ${gap} ms`);
  } finally {
    await r.close();
  }
});

test('a 429 with retry_after is waited out, and the group is delivered once', async () => {
  const r = await rig({ receiver: 'discord', group_wait: '10ms', group_interval: '10s' });
  try {
    r.s.script({ kind: 'rate-limit', retryAfterSeconds: 0.3 });
    const { d } = r.make();
    const t0 = Date.now();
    d.send([alert('RelayDown', { service: 'relay' })]);
    await until(() => r.s.accepted().length === 1, 3000, 'delivery after 429');
    const [first, second] = r.s.received;
    assert.equal(first?.status, 429);
    assert.ok(second !== undefined && second.at - first.at >= 290, 'waited retry_after');
    assert.ok(Date.now() - t0 < 10_000, 'retry_after is 0.3 s, not a long backoff');
  } finally {
    await r.close();
  }
});

test('inhibition: a dead target mutes its SLO alerts; a page mutes its ticket tiers', async () => {
  const s = await ChatStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'canopy-dispatch-'));
  const cfg = parseAlertingSpec(
    {
      receivers: [{ name: 'd', type: 'discord', webhook_url: s.discordUrl() }],
      route: { receiver: 'd', group_by: ['service'], group_wait: '50ms', group_interval: '10s' },
    },
    't.yaml',
  );
  const log = new NotificationLog(join(dir, 'a.sqlite'));
  const d = new Dispatcher({
    route: cfg.route,
    log,
    inhibitRules: cfg.inhibitRules,
    notifier: new Notifier({
      receivers: [{ name: 'd', kind: 'discord', url: new WebhookUrl(s.discordUrl()) }],
    }),
  });
  try {
    d.send([
      alert('RelayDown', { service: 'relay', slo: 'target-up', severity: 'page', instance: 'a' }),
      // service-wide burn alerts (no instance): muted by the dead relay
      alert('RelayWsConnectErrorsBudgetBurnFast', {
        service: 'relay',
        slo: 'relay-ws',
        severity: 'page',
      }),
      alert('RelayWsConnectErrorsBudgetBurn6h', {
        service: 'relay',
        slo: 'relay-ws',
        severity: 'ticket',
      }),
      // storage: a page mutes the ticket tier of the same SLO only
      alert('StorageWriteLatencyBudgetBurnFast', {
        service: 'storage',
        slo: 'w',
        severity: 'page',
      }),
      alert('StorageWriteLatencyBudgetBurn1d', {
        service: 'storage',
        slo: 'w',
        severity: 'ticket',
      }),
      alert('StorageDiskFreeLow', {
        service: 'storage',
        slo: 'disk',
        severity: 'ticket',
        instance: 's',
      }),
    ]);
    await until(() => s.accepted().length === 2, 3000, 'two groups');
    const names = s
      .accepted()
      .flatMap((m) => (m.body as { embeds: { title: string }[] }).embeds.map((e) => e.title))
      .sort();
    assert.deepEqual(names, [
      '[FIRING] RelayDown',
      '[FIRING] StorageDiskFreeLow',
      '[FIRING] StorageWriteLatencyBudgetBurnFast',
    ]);
    assert.equal(d.stats.alertsInhibited, 3);
  } finally {
    await d.stop();
    log.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
