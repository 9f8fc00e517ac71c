/**
 * End to end, with the default intervals (15 s scrape, the generated rule groups, 5 s
 * group_wait): faults in the reference deployment page the Discord stand-in through the hub
 * within the targets — every full outage ≤ 2 min, a dead process ≤ 30 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAlertRun } from './testing/alert-run.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'faults page the Discord stand-in through the hub within their targets',
  { timeout: 420_000 },
  async (t) => {
    const run = await startAlertRun();
    try {
      // Warm-up: the SLO windows get a baseline; nothing may page under normal load.
      await sleep(40_000);
      assert.deepEqual(
        run
          .notifications()
          .filter((n) => n.status === 'firing')
          .map((n) => n.alertname),
        [],
        'no alert under normal load',
      );

      const took: Record<string, number> = {};
      const expectWithin = async (name: string, since: number, limitS: number) => {
        const at = await run.waitFiring(name, since, (limitS + 30) * 1000);
        assert.ok(
          at !== undefined,
          `${name} never reached the stand-in\n${run.output().slice(-3000)}`,
        );
        took[name] = (at - since) / 1000;
      };

      // Phase 1, two full outages at once: every upgrade refused, every write slow.
      const t1 = Date.now();
      await run.fault('relay-a', 'ws-reject', true);
      await run.fault('relay-b', 'ws-reject', true);
      await run.fault('storage', 'slow-disk', true, 200);
      await expectWithin('RelayWsConnectErrorsBudgetBurnFast', t1, 120);
      await expectWithin('StorageWriteLatencyBudgetBurnFast', t1, 120);
      await run.fault('relay-a', 'ws-reject', false);
      await run.fault('relay-b', 'ws-reject', false);
      await run.fault('storage', 'slow-disk', false);

      // Phase 2: the replay stalls (no writes reach storage then, so not with slow-disk),
      // and a relay process dies.
      const t2 = await run.fault('replay', 'stall-replay', true);
      const tk = run.kill('relay-b');
      await expectWithin('RelayDown', tk, 30);
      await expectWithin('ReplaySyncLagHigh', t2, 120);
      t.diagnostic(`fault → notification at the stand-in (s): ${JSON.stringify(took)}`);
      for (const [name, s] of Object.entries(took))
        assert.ok(s <= (name === 'RelayDown' ? 30 : 120), `${name} took ${s} s`);

      // Every message was inside Discord's limits, and the webhook token never left the hub.
      assert.ok(run.standIn.received.every((r) => r.violations.length === 0));
      assert.ok(!run.output().includes('run-token-abcdef'), 'webhook token in the output');
      const alerts = (await (await fetch(`${run.hubUrl}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: { alertname: string }; state: string }[] };
      };
      const firing = alerts.data.alerts
        .filter((a) => a.state === 'firing')
        .map((a) => a.labels.alertname);
      for (const name of ['ReplaySyncLagHigh', 'RelayDown'])
        assert.ok(firing.includes(name), `${name} in /api/v1/alerts`);
    } finally {
      await run.stop();
    }
  },
);
