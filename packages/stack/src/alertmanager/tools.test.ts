/**
 * The generated Alertmanager files against the real tools (Debian's prometheus-alertmanager):
 * `amtool check-config` accepts them, `amtool config routes test` routes label sets where the
 * spec says, the routing cases script passes (and fails on a hand edit), the templates render
 * within Discord's limits for any group, and a config with each receiver type is loaded by
 * a real Alertmanager that starts and answers /-/ready. Skipped only when the binaries are
 * absent outside CI.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertingSpec, ReceiverSpec } from '@canopy/catalog';
import {
  ALERTMANAGER_BIN,
  AMTOOL_BIN,
  startAlertmanager,
  toolSkipReason,
} from '../engines/index.js';
import { ALERTMANAGER_FILE } from './generate.js';
import { ROUTES_TEST_FILE } from './route-cases.js';
import { TEMPLATE_FILE } from './templates.js';
import { writeAlertmanagerFiles } from './write.js';

const GOLDEN = fileURLToPath(new URL('../../generated/alertmanager/', import.meta.url));
const amtoolSkip = toolSkipReason(AMTOOL_BIN, 'prometheus-alertmanager');
const serverSkip = toolSkipReason(ALERTMANAGER_BIN, 'prometheus-alertmanager');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-am-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The installed Alertmanager's version as [major, minor, patch]. */
function amtoolVersion(): number[] {
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(run(AMTOOL_BIN, ['--version']).out);
  assert.ok(m !== null, 'amtool --version');
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const atLeast = (v: number[], minor: number) => v[0]! > 0 || v[1]! >= minor;

describe(
  'amtool on the golden config (packages/stack/generated/alertmanager)',
  {
    skip: amtoolSkip,
  },
  () => {
    test('amtool check-config accepts it, with its templates and inhibit rules', () => {
      const r = run(AMTOOL_BIN, ['check-config', join(GOLDEN, ALERTMANAGER_FILE)]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /SUCCESS/);
      assert.match(r.out, / - 3 inhibit rules/);
      assert.match(r.out, / - 3 receivers/);
      assert.match(r.out, / - 1 templates/);
      assert.match(r.out, /SUCCESS\s*$/); // the template file parses too
    });

    test('amtool config routes test sends each label set to the expected receivers', () => {
      const cases: Array<[string[], string]> = [
        [['severity=page', 'service=relay'], 'oncall-discord,incident-log'],
        [
          ['alertname=RelayDown', 'service=relay', 'slo=target-up', 'severity=page'],
          'oncall-discord,incident-log',
        ],
        [
          ['alertname=ReplaySyncLagHigh', 'service=replay', 'severity=page'],
          'oncall-discord,incident-log',
        ],
        [['severity=ticket', 'service=relay'], 'team-slack'],
        [['severity=ticket', 'service=storage', 'slo=storage-disk-free'], 'team-slack'],
        [['severity=ticket', 'service=host'], 'team-slack'],
        [['severity=info', 'service=relay'], 'team-slack'],
        [[], 'team-slack'],
      ];
      for (const [labels, want] of cases) {
        const r = run(AMTOOL_BIN, [
          'config',
          'routes',
          'test',
          `--config.file=${join(GOLDEN, ALERTMANAGER_FILE)}`,
          `--verify.receivers=${want}`,
          ...labels,
        ]);
        assert.equal(r.status, 0, `${labels.join(' ')}: ${r.out}`);
        assert.equal(r.stdout.trim(), want, labels.join(' '));
      }
      // And a wrong expectation fails: the check is real.
      const wrong = run(AMTOOL_BIN, [
        'config',
        'routes',
        'test',
        `--config.file=${join(GOLDEN, ALERTMANAGER_FILE)}`,
        '--verify.receivers=oncall-discord',
        'severity=ticket',
      ]);
      assert.equal(wrong.status, 1, wrong.out);
    });

    test('a storage ticket is taken by the child route, not the root (amtool --tree)', () => {
      const r = run(AMTOOL_BIN, [
        'config',
        'routes',
        'test',
        '--tree',
        `--config.file=${join(GOLDEN, ALERTMANAGER_FILE)}`,
        'severity=ticket',
        'service=storage',
      ]);
      assert.equal(r.status, 0, r.out);
      // The child route took it, not the root (both name team-slack).
      assert.match(
        r.stdout,
        /└── \{service=~"host\|storage",severity="ticket"\} {2}receiver: team-slack/,
      );
      assert.equal(r.stdout.trim().split('\n').at(-1), 'team-slack');
    });

    test('routes-test.sh passes every generated case', () => {
      const r = run('sh', [join(GOLDEN, ROUTES_TEST_FILE)], { ...process.env, AMTOOL: AMTOOL_BIN });
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /^all 30 routing cases pass$/m);
      assert.doesNotMatch(r.out, /FAIL/);
    });

    test('routes-test.sh fails, naming the cases, after a hand edit of the routes', (t) => {
      const dir = tempDir(t);
      cpSync(GOLDEN, dir, { recursive: true });
      const file = join(dir, ALERTMANAGER_FILE);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes('continue: true'));
      writeFileSync(file, text.replace('continue: true', 'continue: false'));
      const r = run('sh', [join(dir, ROUTES_TEST_FILE)], { ...process.env, AMTOOL: AMTOOL_BIN });
      assert.equal(r.status, 1, r.out);
      assert.match(
        r.out,
        /^FAIL {2}alertname="RelayDown" service="relay" slo="target-up" severity="page" went to 'oncall-discord', expected 'oncall-discord,incident-log'$/m,
      );
      assert.match(r.out, /^18 of 30 routing cases failed$/m);
    });

    test('the templates stay within Discord limits for a large group with huge fields (amtool template render)', (t) => {
      const dir = tempDir(t);
      const big = (c: string, n: number) => c.repeat(n);
      const alert = (i: number, status: 'firing' | 'resolved') => ({
        status,
        labels: {
          alertname: big('A', 300),
          instance: big('i', 300),
          service: 'relay',
          n: String(i),
        },
        annotations: {
          summary: big('s', 3000),
          value: big('v', 500),
          budget_left: big('b', 500),
          dashboard: big('d', 500),
        },
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: String(i),
      });
      const data = {
        receiver: 'oncall',
        status: 'firing',
        alerts: [
          ...Array.from({ length: 12 }, (_, i) => alert(i, 'firing')),
          alert(99, 'resolved'),
        ],
        groupLabels: { alertname: big('A', 300), service: big('é', 300) },
        commonLabels: { service: 'relay' },
        commonAnnotations: {},
        externalURL: 'http://127.0.0.1:9093',
      };
      writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
      const render = (name: string) => {
        const r = run(AMTOOL_BIN, [
          'template',
          'render',
          `--template.glob=${join(GOLDEN, TEMPLATE_FILE)}`,
          `--template.text={{ template "${name}" . }}`,
          `--template.data=${join(dir, 'data.json')}`,
        ]);
        assert.equal(r.status, 0, r.out);
        return r.stdout.replace(/\n$/, '');
      };
      const title = render('canopy.title');
      const message = render('canopy.message');
      assert.ok([...title].length <= 256, `title ${[...title].length} characters`);
      assert.ok([...message].length <= 4096, `message ${[...message].length} characters`);
      assert.ok(title.startsWith('[FIRING:12] AAAA'), title.slice(0, 40));
      assert.equal(message.match(/^A{77}…/gm)?.length, 4, 'four alerts shown, names cut');
      assert.match(message, /12 firing, 1 resolved in this group \(at most 4 shown\)\.$/);
    });

    test('the templates render a one-alert group in full', (t) => {
      const dir = tempDir(t);
      writeFileSync(
        join(dir, 'data.json'),
        JSON.stringify({
          receiver: 'oncall',
          status: 'resolved',
          alerts: [
            {
              status: 'resolved',
              labels: { alertname: 'RelayDown', instance: '127.0.0.1:9464', service: 'relay' },
              annotations: {
                summary: 'relay target 127.0.0.1:9464 is down: its last scrape failed',
                value: 'up = 0',
                dashboard: 'http://127.0.0.1:9400/d/relay',
              },
              startsAt: '2026-01-01T00:00:00Z',
              endsAt: '2026-01-01T00:01:00Z',
              generatorURL: '',
              fingerprint: '1',
            },
          ],
          groupLabels: { alertname: 'RelayDown', service: 'relay' },
          commonLabels: {},
          commonAnnotations: {},
          externalURL: '',
        }),
      );
      const render = (name: string) =>
        run(AMTOOL_BIN, [
          'template',
          'render',
          `--template.glob=${join(GOLDEN, TEMPLATE_FILE)}`,
          `--template.text={{ template "${name}" . }}`,
          `--template.data=${join(dir, 'data.json')}`,
        ]).stdout;
      assert.equal(render('canopy.title').trim(), '[RESOLVED] RelayDown relay');
      assert.equal(
        render('canopy.message').trim(),
        'RelayDown on 127.0.0.1:9464: relay target 127.0.0.1:9464 is down: its last scrape failed\n' +
          'value up = 0\nhttp://127.0.0.1:9400/d/relay',
      );
    });
  },
);

/** A spec with one receiver of the given kind, routed from the root. */
function oneReceiver(rc: ReceiverSpec): AlertingSpec {
  return {
    receivers: [rc],
    route: { receiver: rc.name, routes: [{ matchers: ['severity="page"'], group_wait: '1s' }] },
  };
}

describe(
  'a real Alertmanager loads a generated config of every receiver type',
  {
    skip: serverSkip || amtoolSkip,
  },
  () => {
    const loadable: ReceiverSpec[] = [
      {
        name: 'discord-inline',
        type: 'discord',
        webhook_url: 'http://127.0.0.1:9/api/webhooks/1/t',
      },
      {
        name: 'slack-inline',
        type: 'slack',
        webhook_url: 'http://127.0.0.1:9/services/T/B/X',
        channel: '#ops',
      },
      { name: 'slack-file', type: 'slack', webhook_url_file: '/nonexistent/slack-url' },
      { name: 'slack-env', type: 'slack', webhook_url_env: 'CANOPY_SLACK_WEBHOOK' },
      {
        name: 'webhook-inline',
        type: 'webhook',
        webhook_url: 'http://127.0.0.1:9/hook/x',
        send_resolved: false,
      },
    ];
    for (const rc of loadable)
      test(`${rc.name}: amtool check-config passes and Alertmanager starts and is ready`, async (t) => {
        const dir = tempDir(t);
        const w = writeAlertmanagerFiles(dir, oneReceiver(rc));
        assert.equal(w.needs, '0.25.0');
        const check = run(AMTOOL_BIN, ['check-config', join(dir, ALERTMANAGER_FILE)]);
        assert.equal(check.status, 0, check.out);
        const am = await startAlertmanager({ configFile: join(dir, ALERTMANAGER_FILE) });
        t.after(() => am.stop());
        const ready = await fetch(`${am.url}/-/ready`);
        assert.equal(ready.status, 200);
        const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as {
          config: { original: string };
        };
        assert.match(status.config.original, new RegExp(`name: ${rc.name}`));
        assert.match(status.config.original, /canopy\.tmpl/);
      });

    // Alertmanager 0.25 (Debian 12) has no secret files for Discord and webhooks; the
    // generator says which version they need. On a newer Alertmanager they must load.
    const newer: Array<[ReceiverSpec, string]> = [
      [
        { name: 'discord-file', type: 'discord', webhook_url_file: '/run/secrets/discord' },
        'webhook_url_file',
      ],
      [
        { name: 'discord-env', type: 'discord', webhook_url_env: 'CANOPY_DISCORD_WEBHOOK' },
        'webhook_url_file',
      ],
      [
        { name: 'webhook-file', type: 'webhook', webhook_url_file: '/run/secrets/hook' },
        'url_file',
      ],
    ];
    for (const [rc, field] of newer)
      test(`${rc.name}: needs Alertmanager 0.28; older ones reject ${field}, as the note says`, async (t) => {
        const dir = tempDir(t);
        const w = writeAlertmanagerFiles(dir, oneReceiver(rc));
        assert.equal(w.needs, '0.28.0');
        const file = join(dir, ALERTMANAGER_FILE);
        const check = run(AMTOOL_BIN, ['check-config', file]);
        if (atLeast(amtoolVersion(), 28)) {
          assert.equal(check.status, 0, check.out);
          const am = await startAlertmanager({ configFile: file });
          await am.stop();
        } else {
          assert.equal(check.status, 1, check.out);
          assert.match(check.out, new RegExp(`field ${field} not found`));
          await assert.rejects(
            startAlertmanager({ configFile: file, logLevel: 'error' }),
            (e: Error) =>
              new RegExp(`exited during start-up[\\s\\S]*field ${field} not found`).test(e.message),
          );
        }
      });
  },
);

describe('the inhibit rules in a real Alertmanager', { skip: serverSkip }, () => {
  test('a dead target silences its instance and its service-wide SLO alerts; a page silences its ticket tiers', async (t) => {
    const dir = tempDir(t);
    const w = writeAlertmanagerFiles(dir, {
      // Nothing listens on port 9: deliveries fail, which inhibition does not depend on.
      receivers: [{ name: 'log', type: 'webhook', webhook_url: 'http://127.0.0.1:9/hook' }],
      route: { receiver: 'log', group_wait: '1s' },
    });
    const am = await startAlertmanager({ configFile: w.files[0]!, logLevel: 'error' });
    t.after(() => am.stop());
    const alert = (labels: Record<string, string>) => ({ labels });
    const sent: Record<string, Record<string, string>> = {
      'RelayDown a': {
        alertname: 'RelayDown',
        service: 'relay',
        slo: 'target-up',
        severity: 'page',
        instance: 'a:1',
      },
      'RelayCpuHigh a': {
        alertname: 'RelayCpuHigh',
        service: 'relay',
        slo: 'relay-cpu',
        severity: 'ticket',
        instance: 'a:1',
      },
      'RelayCpuHigh b': {
        alertname: 'RelayCpuHigh',
        service: 'relay',
        slo: 'relay-cpu',
        severity: 'ticket',
        instance: 'b:1',
      },
      RelayWsConnectErrorsBudgetBurnFast: {
        alertname: 'RelayWsConnectErrorsBudgetBurnFast',
        service: 'relay',
        slo: 'relay-ws-connect-errors',
        severity: 'page',
        tier: 'fast',
      },
      'ReplaySyncLagHigh c': {
        alertname: 'ReplaySyncLagHigh',
        service: 'replay',
        slo: 'replay-sync-lag',
        severity: 'page',
        instance: 'c:1',
      },
      StorageWriteLatencyBudgetBurnFast: {
        alertname: 'StorageWriteLatencyBudgetBurnFast',
        service: 'storage',
        slo: 'storage-write-latency',
        severity: 'page',
        tier: 'fast',
      },
      StorageWriteLatencyBudgetBurn1d: {
        alertname: 'StorageWriteLatencyBudgetBurn1d',
        service: 'storage',
        slo: 'storage-write-latency',
        severity: 'ticket',
        tier: '1d',
      },
      'StorageDiskFreeLow d': {
        alertname: 'StorageDiskFreeLow',
        service: 'storage',
        slo: 'storage-disk-free',
        severity: 'ticket',
        instance: 'd:1',
      },
    };
    const r = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.values(sent).map(alert)),
    });
    assert.equal(r.status, 200);
    const key = (l: Record<string, string>) =>
      Object.entries(sent).find(
        ([, v]) => v['alertname'] === l['alertname'] && v['instance'] === l['instance'],
      )?.[0];
    const expected = {
      'RelayDown a': 'active',
      'RelayCpuHigh a': 'suppressed', // rule 1: same service and instance
      'RelayCpuHigh b': 'active', // another instance of the service
      RelayWsConnectErrorsBudgetBurnFast: 'suppressed', // rule 2: service-wide
      'ReplaySyncLagHigh c': 'active', // another service
      StorageWriteLatencyBudgetBurnFast: 'active',
      StorageWriteLatencyBudgetBurn1d: 'suppressed', // rule 3: its page tier fires
      'StorageDiskFreeLow d': 'active', // a ticket of another SLO
    };
    // Alertmanager marks inhibition when a group is flushed (after group_wait): poll.
    let got: Record<string, string> = {};
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      const list = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
        status: { state: string };
      }>;
      got = Object.fromEntries(list.map((a) => [key(a.labels) ?? '?', a.status.state]));
      if (
        JSON.stringify(Object.entries(got).sort()) ===
        JSON.stringify(Object.entries(expected).sort())
      )
        break;
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.deepEqual(got, expected);
  });
});
