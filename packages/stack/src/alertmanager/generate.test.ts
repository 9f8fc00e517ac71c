/**
 * The Alertmanager generator without the real tools: the golden copy is what it makes, the
 * route tree and receivers map as documented, matchers come out in the one quoted form, and
 * the routing walk behaves like Alertmanager's (first match, `continue`, inheritance).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  DEFAULT_SLOS,
  ROUTE_DEFAULTS,
  type AlertingSpec,
  type ReceiverSpec,
} from '@canopy/catalog';
import { ALERTMANAGER_FILE, buildAlertmanager, renderAlertmanager } from './generate.js';
import { mapReceiver } from './receivers.js';
import { formatMatcher, parseMatcher } from './matchers.js';
import { ROUTES_TEST_FILE, renderRoutesTest, routeCases, routeReceivers } from './route-cases.js';
import { ruleAlerts } from './rule-alerts.js';
import { TEMPLATE_FILE, renderTemplates } from './templates.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const GOLDEN = join(ROOT, 'packages/stack/generated/alertmanager');
const EXAMPLE = 'examples/canopy.alerting.yaml';

/** The example's spec as written (the CLI validates it; see alertmanager-command.test.ts). */
function exampleSpec(): AlertingSpec {
  const doc = parse(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as { alerting: AlertingSpec };
  return doc.alerting;
}

const spec = (receivers: ReceiverSpec[], route: AlertingSpec['route']): AlertingSpec => ({
  receivers,
  route,
});
const discord: ReceiverSpec = {
  name: 'oncall',
  type: 'discord',
  webhook_url: 'https://discord.com/api/webhooks/1/x',
};

test('the checked-in config, templates and routing cases are what the generator makes (npm run gen:alertmanager)', () => {
  const s = exampleSpec();
  for (const [file, text] of [
    [ALERTMANAGER_FILE, renderAlertmanager(s, { source: EXAMPLE })],
    [TEMPLATE_FILE, renderTemplates()],
    [ROUTES_TEST_FILE, renderRoutesTest(routeCases(s, ruleAlerts(DEFAULT_SLOS)))],
  ] as const)
    assert.equal(
      readFileSync(join(GOLDEN, file), 'utf8'),
      text,
      `packages/stack/generated/alertmanager/${file} is stale: run npm run gen:alertmanager`,
    );
  assert.equal(statSync(join(GOLDEN, ROUTES_TEST_FILE)).mode & 0o111, 0o111, 'script executable');
});

test('the root route gets ROUTE_DEFAULTS for what the spec leaves out; children only what they set', () => {
  const g = buildAlertmanager(
    spec([discord], {
      receiver: 'oncall',
      routes: [{ matchers: ['severity="page"'], group_wait: '10s' }],
    }),
  );
  assert.deepEqual(g.config.route, {
    receiver: 'oncall',
    group_by: [...ROUTE_DEFAULTS.group_by],
    group_wait: ROUTE_DEFAULTS.group_wait,
    group_interval: ROUTE_DEFAULTS.group_interval,
    repeat_interval: ROUTE_DEFAULTS.repeat_interval,
    routes: [{ matchers: ['severity="page"'], group_wait: '10s' }],
  });
  const own = buildAlertmanager(
    spec([discord], {
      receiver: 'oncall',
      group_by: ['...'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '1d',
    }),
  ).config.route;
  assert.deepEqual(
    [own.group_by, own.group_wait, own.group_interval, own.repeat_interval],
    [['...'], '30s', '5m', '1d'],
  );
});

test('nested routes keep continue, grouping and timing; the inhibit rules and template are there', () => {
  const g = buildAlertmanager(exampleSpec()).config;
  assert.deepEqual(g.route.routes?.[0], {
    receiver: 'oncall-discord',
    matchers: ['severity="page"'],
    continue: true,
    routes: [{ matchers: ['slo="target-up"'], repeat_interval: '1h' }],
  });
  assert.deepEqual(g.route.routes?.[2], {
    receiver: 'team-slack',
    matchers: ['severity="ticket"', 'service=~"host|storage"'],
    group_wait: '1m',
    repeat_interval: '12h',
  });
  assert.deepEqual(g.templates, [TEMPLATE_FILE]);
  assert.deepEqual(
    g.inhibit_rules.map((r) => [r.source_matchers, r.target_matchers, r.equal]),
    [
      [['slo="target-up"'], ['slo!="target-up"'], ['service', 'instance']],
      [['slo="target-up"'], ['slo!="target-up"', 'instance=""'], ['service']],
      [['severity="page"'], ['severity="ticket"'], ['service', 'slo']],
    ],
  );
});

test("the spec's inhibit_rules replace Canopy's; [] writes none", () => {
  const own = buildAlertmanager({
    ...spec([discord], { receiver: 'oncall' }),
    inhibit_rules: [
      { source_matchers: ['alertname=HostDown'], target_matchers: ['service=host'], equal: [] },
    ],
  });
  assert.deepEqual(own.config.inhibit_rules, [
    { source_matchers: ['alertname="HostDown"'], target_matchers: ['service="host"'], equal: [] },
  ]);
  const text = renderAlertmanager({
    ...spec([discord], { receiver: 'oncall' }),
    inhibit_rules: [],
  });
  assert.match(text, /^inhibit_rules: \[\]$/m);
  assert.match(text, /^# Inhibit rules: the spec's own \(0\)\.$/m);
});

test('matchers are written back quoted, with only \\\\, \\" and \\n escaped', () => {
  for (const [input, out] of [
    ['severity="page"', 'severity="page"'],
    ['severity=page', 'severity="page"'],
    [' service =~ relay|replay ', 'service=~"relay|replay"'],
    ['tier!="fast"', 'tier!="fast"'],
    ['slo!~"host-.*"', 'slo!~"host-.*"'],
    ['msg="say \\"hi\\""', 'msg="say \\"hi\\""'],
    ['path=~"a\\\\b"', 'path=~"a\\\\b"'],
    ['x=""', 'x=""'],
  ] as const)
    assert.equal(formatMatcher(parseMatcher(input)), out, input);
});

test('receivers: URL key per type and source, send_resolved, channel, and what each needs', () => {
  const cases: Array<[ReceiverSpec, Record<string, unknown>, string, RegExp | undefined]> = [
    [
      discord,
      { webhook_url: 'https://discord.com/api/webhooks/1/x', send_resolved: true },
      '0.25.0',
      undefined,
    ],
    [
      { name: 'd', type: 'discord', webhook_url_file: '/run/secrets/discord' },
      { webhook_url_file: '/run/secrets/discord', send_resolved: true },
      '0.28.0',
      /webhook_url_file loads from Alertmanager 0\.28\.0/,
    ],
    [
      { name: 'd', type: 'discord', webhook_url_env: 'DISCORD_URL' },
      { webhook_url_file: '/etc/alertmanager/secrets/DISCORD_URL', send_resolved: true },
      '0.28.0',
      /write the value of \$DISCORD_URL to \/etc\/alertmanager\/secrets\/DISCORD_URL/,
    ],
    [
      { name: 's', type: 'slack', webhook_url_env: 'SLACK_URL', channel: '#ops' },
      {
        api_url_file: '/etc/alertmanager/secrets/SLACK_URL',
        channel: '#ops',
        send_resolved: true,
      },
      '0.25.0',
      /reads no environment variables/,
    ],
    [
      { name: 's', type: 'slack', webhook_url: 'https://hooks.slack.com/services/T/B/X' },
      { api_url: 'https://hooks.slack.com/services/T/B/X', send_resolved: true },
      '0.25.0',
      undefined,
    ],
    [
      { name: 'w', type: 'webhook', webhook_url: 'http://127.0.0.1:5001/', send_resolved: false },
      { url: 'http://127.0.0.1:5001/', send_resolved: false },
      '0.25.0',
      undefined,
    ],
    [
      { name: 'w', type: 'webhook', webhook_url_file: 'secrets/hook' },
      { url_file: 'secrets/hook', send_resolved: true },
      '0.28.0',
      /relative path/,
    ],
  ];
  for (const [rc, expected, needs, note] of cases) {
    const m = mapReceiver(rc);
    const key = `${rc.type}_configs` as const;
    const cfg = m.receiver[key]?.[0];
    assert.ok(cfg !== undefined, `${rc.name}: ${key}`);
    const { title, message, text, ...rest } = cfg;
    assert.deepEqual(rest, expected, rc.name);
    if (rc.type !== 'webhook') {
      assert.equal(title, '{{ template "canopy.title" . }}');
      assert.equal(message ?? text, '{{ template "canopy.message" . }}');
    }
    assert.equal(m.needs, needs, rc.name);
    if (note === undefined) assert.deepEqual(m.notes, [], rc.name);
    else
      assert.ok(
        m.notes.some((n) => note.test(n)),
        `${rc.name}: ${m.notes.join(' | ')}`,
      );
  }
  const env = mapReceiver({ name: 'd', type: 'slack', webhook_url_env: 'X' }, '/srv/secrets');
  assert.equal(env.receiver.slack_configs?.[0]?.['api_url_file'], '/srv/secrets/X');
});

test('the config needs the newest version any receiver needs, and says so in its header', () => {
  const s = spec([discord, { name: 'd2', type: 'discord', webhook_url_file: '/run/secrets/d2' }], {
    receiver: 'oncall',
  });
  assert.equal(buildAlertmanager(s).needs, '0.28.0');
  assert.match(
    renderAlertmanager(s),
    /^# Needs Alertmanager 0\.28\.0 or newer\. Before starting it:$/m,
  );
  assert.equal(buildAlertmanager(spec([discord], { receiver: 'oncall' })).needs, '0.25.0');
});

test('routing walk: first matching child wins, continue goes on, unset receivers inherit', () => {
  const root: AlertingSpec['route'] = {
    receiver: 'default',
    routes: [
      {
        matchers: ['severity="page"'],
        receiver: 'pager',
        continue: true,
        routes: [{ matchers: ['service="relay"'], receiver: 'relay-pager' }],
      },
      { matchers: ['severity=~"page|ticket"'], receiver: 'log' },
      { matchers: ['severity="page"'], receiver: 'never' },
    ],
  };
  for (const [labels, receivers] of [
    [{}, ['default']],
    [{ severity: 'page' }, ['pager', 'log']],
    [{ severity: 'page', service: 'relay' }, ['relay-pager', 'log']],
    [{ severity: 'ticket' }, ['log']],
    [{ severity: 'info' }, ['default']],
  ] as const)
    assert.deepEqual(routeReceivers(root, labels), receivers, JSON.stringify(labels));
  const inherit = routeReceivers(
    { receiver: 'a', routes: [{ matchers: ['x="1"'], routes: [{ matchers: ['y="2"'] }] }] },
    { x: '1', y: '2' },
  );
  assert.deepEqual(inherit, ['a']);
});

test('routing cases: one per route, one per alert, repeats dropped, unbuildable routes noted', () => {
  const s = spec([discord, { name: 'log', type: 'webhook', webhook_url: 'http://127.0.0.1:1/' }], {
    receiver: 'oncall',
    routes: [
      { matchers: ['service=~"relay|replay"'], receiver: 'log' },
      { matchers: ['instance=~"[0-9]+\\\\.[0-9]+"'], receiver: 'log' },
      { matchers: ['team!=""'], receiver: 'log' },
    ],
  });
  const rc = routeCases(s, [
    { alertname: 'RelayDown', service: 'relay', severity: 'page' },
    { alertname: 'RelayDown', service: 'relay', severity: 'page' },
  ]);
  assert.deepEqual(
    rc.cases.map((c) => [c.about, c.labels, c.receivers]),
    [
      ['route', {}, ['oncall']],
      ['route.routes[0]', { service: 'relay' }, ['log']],
      ['route.routes[2]', { team: 'x' }, ['log']],
      ['alert RelayDown', { alertname: 'RelayDown', service: 'relay', severity: 'page' }, ['log']],
    ],
  );
  assert.deepEqual(rc.notes, [
    'route.routes[1]: no simple label set satisfies its matchers; test it by hand with amtool',
  ]);
  const script = renderRoutesTest(rc);
  assert.match(script, /^# Not covered: route\.routes\[1\]/m);
  assert.match(
    script,
    /^check 'log' 'alertname="RelayDown"' 'service="relay"' 'severity="page"'$/m,
  );
  assert.match(script, /^check 'oncall'$/m);
});

test('label values with quotes survive the shell and amtool quoting in the script', () => {
  const rc = routeCases(spec([discord], { receiver: 'oncall' }), [{ summary: `it's "odd"` }]);
  assert.match(renderRoutesTest(rc), /^check 'oncall' 'summary="it'\\''s \\"odd\\""'$/m);
});
