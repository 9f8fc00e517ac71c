import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoutes, parseAlertingSpec, parseRouteMatcher } from './config.js';

const receivers = [
  { name: 'oncall', type: 'discord', webhook_url_env: 'CANOPY_DISCORD' },
  { name: 'ops', type: 'slack', webhook_url_file: '/run/secrets/slack', channel: '#ops' },
];

test('a valid spec resolves defaults and inheritance', () => {
  const c = parseAlertingSpec(
    {
      receivers,
      route: {
        receiver: 'ops',
        group_interval: '2m',
        routes: [{ matchers: ['severity="page"'], receiver: 'oncall', group_wait: '1s' }],
      },
    },
    'canopy.yaml',
  );
  assert.equal(c.route.groupWaitMs, 5000);
  assert.equal(c.route.repeatIntervalMs, 4 * 3600_000);
  assert.deepEqual(c.route.groupBy, ['alertname', 'service']);
  const child = c.route.routes[0]!;
  assert.equal(child.groupWaitMs, 1000);
  assert.equal(child.groupIntervalMs, 120_000, 'inherited from the parent');
  assert.equal(child.path, 'alerting.route.routes[0]');
});

test('matchers: Alertmanager syntax, quoted or bare, regex anchored', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['severity="page"', { severity: 'page' }, true],
    ['severity=page', { severity: 'page' }, true],
    ['severity!="page"', { severity: 'ticket' }, true],
    ['service=~"relay|replay"', { service: 'replay' }, true],
    ['service=~"rel"', { service: 'relay' }, false],
    ['service!~"relay|replay"', { service: 'storage' }, true],
    ['team=""', {}, true],
    ['msg="a \\"b\\""', { msg: 'a "b"' }, true],
  ];
  for (const [m, labels, want] of cases) assert.equal(parseRouteMatcher(m).test(labels), want, m);
});

test('routing: first match wins, continue goes on, no match stays at the parent', () => {
  const c = parseAlertingSpec(
    {
      receivers: [
        ...receivers,
        { name: 'hook', type: 'webhook', webhook_url: 'http://127.0.0.1:1/x' },
      ],
      route: {
        receiver: 'ops',
        routes: [
          { matchers: ['severity="page"'], receiver: 'oncall', continue: true },
          { matchers: ['service="relay"'], receiver: 'hook' },
          { matchers: ['service=~"relay|replay"'], receiver: 'ops' },
        ],
      },
    },
    'f.yaml',
  );
  const to = (l: Record<string, string>) => matchRoutes(c.route, l).map((r) => r.receiver);
  assert.deepEqual(to({ severity: 'page', service: 'relay' }), ['oncall', 'hook']);
  assert.deepEqual(to({ severity: 'ticket', service: 'replay' }), ['ops']);
  assert.deepEqual(to({ severity: 'ticket', service: 'storage' }), ['ops']);
});

test('bad specs: every problem names the file, the path and what to do', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'route to an undefined receiver',
      { receivers, route: { receiver: 'ops', routes: [{ receiver: 'pager' }] } },
      /^f\.yaml: alerting\.route\.routes\[0\]\.receiver: no receiver is named "pager" \(defined: "oncall", "ops"\)$/m,
    ],
    [
      'root without receiver',
      { receivers, route: {} },
      /^f\.yaml: alerting\.route\.receiver: the root route needs a receiver \(defined: "oncall", "ops"\)$/m,
    ],
    [
      'bad matcher',
      { receivers, route: { receiver: 'ops', routes: [{ matchers: ['severity=="page"'] }] } },
      /^f\.yaml: alerting\.route\.routes\[0\]\.matchers\[0\]: "severity=="page"": use one operator: =, !=, =~ or !~ \(not ==\)$/m,
    ],
    [
      'matcher with a broken regex',
      { receivers, route: { receiver: 'ops', routes: [{ matchers: ['service=~"("'] }] } },
      /alerting\.route\.routes\[0\]\.matchers\[0\]: "service=~"\("": invalid regular expression/,
    ],
    [
      'matchers on the root',
      { receivers, route: { receiver: 'ops', matchers: ['a="b"'] } },
      /alerting\.route\.matchers: the root route matches every alert and cannot have matchers/,
    ],
    [
      'two URL sources',
      {
        receivers: [{ name: 'x', type: 'discord', webhook_url: 'http://a/', webhook_url_env: 'X' }],
        route: { receiver: 'x' },
      },
      /^f\.yaml: alerting\.receivers\[0\]: set exactly one of webhook_url, webhook_url_file or webhook_url_env \(found webhook_url, webhook_url_env\)$/m,
    ],
    [
      'no URL source',
      { receivers: [{ name: 'x', type: 'slack' }], route: { receiver: 'x' } },
      /alerting\.receivers\[0\]: set exactly one of .* \(found none\)/,
    ],
    [
      'unknown receiver type',
      {
        receivers: [{ name: 'x', type: 'teams', webhook_url: 'http://a/' }],
        route: { receiver: 'x' },
      },
      /^f\.yaml: alerting\.receivers\[0\]\.type: expected one of discord, slack, webhook, got "teams"$/m,
    ],
    [
      'duplicate receiver',
      { receivers: [receivers[0], receivers[0]], route: { receiver: 'oncall' } },
      /alerting\.receivers\[1\]\.name: receiver "oncall" is defined twice/,
    ],
    [
      'typo in a route key',
      { receivers, route: { receiver: 'ops', group_wiat: '5s' } },
      /^f\.yaml: alerting\.route: unknown key "group_wiat" \(check the spelling; see docs\/alerting\.md\)$/m,
    ],
    [
      'bad duration',
      { receivers, route: { receiver: 'ops', repeat_interval: 'daily' } },
      /^f\.yaml: alerting\.route\.repeat_interval: expected a duration such as "5s", "1m" or "4h", got "daily"$/m,
    ],
    [
      'zero group_interval',
      { receivers, route: { receiver: 'ops', group_interval: '0s' } },
      /alerting\.route\.group_interval: must be more than 0s/,
    ],
    [
      'channel on discord',
      {
        receivers: [{ name: 'x', type: 'discord', webhook_url: 'http://a/', channel: '#a' }],
        route: { receiver: 'x' },
      },
      /alerting\.receivers\[0\]\.channel: only a slack receiver has a channel/,
    ],
    [
      'receivers not a list',
      { receivers: { oncall: {} }, route: { receiver: 'oncall' } },
      /alerting\.receivers: expected a list of receivers, got an object/,
    ],
  ];
  for (const [what, raw, re] of cases)
    assert.throws(
      () => parseAlertingSpec(raw, 'f.yaml'),
      (e: Error) => {
        assert.equal(e.name, 'AlertingConfigError', what);
        assert.match(e.message, re, what);
        return true;
      },
      what,
    );
});
