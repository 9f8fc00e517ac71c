/**
 * `canopy gen alertmanager`: the example config gives the golden files; bad usage and bad
 * `alerting:` sections are refused with the exact message and exit code 2, and nothing is
 * written for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOLDEN = join(ROOT, 'packages/stack/generated/alertmanager');
const USAGE = 'Run "canopy --help" for usage.\n';

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'canopy-gen-am-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const RECEIVER = [
  '  receivers:',
  '    - name: oncall',
  '      type: discord',
  '      webhook_url: http://127.0.0.1:9/api/webhooks/1/x',
].join('\n');

test('the example config gives the golden files, and the output says what to check', async () => {
  const out = join(dir, 'example');
  const r = await canopy(
    'gen',
    'alertmanager',
    '--config',
    join(ROOT, 'examples/canopy.alerting.yaml'),
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  for (const f of ['alertmanager.yml', 'canopy.tmpl', 'routes-test.sh']) {
    const made = readFileSync(join(out, f), 'utf8');
    const golden = readFileSync(join(GOLDEN, f), 'utf8');
    // The header names the config as given on the command line; the rest is identical.
    assert.equal(
      made.replace(join(ROOT, 'examples/canopy.alerting.yaml'), 'examples/canopy.alerting.yaml'),
      golden,
      f,
    );
  }
  const lines = r.out.split('\n');
  assert.equal(lines[0], `alerting spec: ${join(ROOT, 'examples/canopy.alerting.yaml')}`);
  assert.equal(lines[1], `wrote ${join(out, 'alertmanager.yml')}`);
  assert.equal(lines[4], 'Needs Alertmanager 0.25.0 or newer.');
  assert.match(
    lines[5]!,
    /^note: receiver "team-slack": Alertmanager reads no environment variables: write the value of \$CANOPY_SLACK_WEBHOOK to \/etc\/alertmanager\/secrets\/CANOPY_SLACK_WEBHOOK,/,
  );
  assert.equal(
    lines[6],
    `Check: amtool check-config ${out}/alertmanager.yml && sh ${out}/routes-test.sh (30 routing cases)`,
  );
});

test('a Discord URL from the environment: the file it is read from, and the version that needs', async () => {
  const out = join(dir, 'env');
  const cfg = file(
    'env.yaml',
    [
      'alerting:',
      '  receivers:',
      '    - name: oncall',
      '      type: discord',
      '      webhook_url_env: CANOPY_DISCORD_WEBHOOK',
      '  route:',
      '    receiver: oncall',
    ].join('\n'),
  );
  const r = await canopy(
    'gen',
    'alertmanager',
    '--config',
    cfg,
    '--out',
    out,
    '--secrets-dir',
    '/run/canopy',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Needs Alertmanager 0\.28\.0 or newer \(Debian 12 ships 0\.25\.0\)\.$/m);
  assert.match(
    r.out,
    /^note: receiver "oncall": Alertmanager reads no environment variables: write the value of \$CANOPY_DISCORD_WEBHOOK to \/run\/canopy\/CANOPY_DISCORD_WEBHOOK, readable by Alertmanager only/m,
  );
  assert.match(
    r.out,
    /^note: receiver "oncall": discord_configs webhook_url_file loads from Alertmanager 0\.28\.0 \(0\.25 rejects it\)$/m,
  );
  assert.match(
    readFileSync(join(out, 'alertmanager.yml'), 'utf8'),
    /webhook_url_file: \/run\/canopy\/CANOPY_DISCORD_WEBHOOK/,
  );
});

const bad: Array<[string, () => string[], string]> = [
  [
    'missing --out',
    () => ['--config', file('ok.yaml', `alerting:\n${RECEIVER}\n  route:\n    receiver: oncall\n`)],
    'canopy: gen alertmanager: --out DIR is required (e.g. --out packages/stack/generated/alertmanager)\n' +
      USAGE,
  ],
  [
    '--out without a value',
    () => ['--out'],
    "canopy: gen alertmanager: Option '-o, --out <value>' argument missing\n" + USAGE,
  ],
  [
    'an unknown option',
    () => ['--out', join(dir, 'o'), '--outt', 'x'],
    "canopy: gen alertmanager: Unknown option '--outt'\n" + USAGE,
  ],
  [
    'a relative --secrets-dir',
    () => ['--out', join(dir, 'o'), '--secrets-dir', 'secrets'],
    'canopy: gen alertmanager: --secrets-dir: expected an absolute path (Alertmanager resolves relative ones from its working directory), got "secrets"\n' +
      USAGE,
  ],
  [
    'a route to an undefined receiver',
    () => [
      '--config',
      file(
        'undefined.yaml',
        `alerting:\n${RECEIVER}\n  route:\n    receiver: oncall\n    routes:\n      - matchers: ['severity="page"']\n        receiver: pager\n`,
      ),
    ],
    'canopy: bad alerting config\n' +
      `${join(dir, 'undefined.yaml')}: alerting.route.routes[0].receiver: no receiver is named "pager" (defined: "oncall")\n`,
  ],
  [
    'bad matchers',
    () => [
      '--config',
      file(
        'matcher.yaml',
        `alerting:\n${RECEIVER}\n  route:\n    receiver: oncall\n    routes:\n      - matchers: ['severity~"page"', 'service=~"(relay"']\n`,
      ),
    ],
    'canopy: bad alerting config\n' +
      `${join(dir, 'matcher.yaml')}: alerting.route.routes[0].matchers[0]: "severity~"page"" is not a matcher; expected name="value", name!="value", name=~"regex" or name!~"regex"\n` +
      `${join(dir, 'matcher.yaml')}: alerting.route.routes[0].matchers[1]: "service=~"(relay"": invalid regular expression: Invalid regular expression: /^(?:(relay)$/s: Unterminated group\n`,
  ],
  [
    'matchers on the root route',
    () => [
      '--config',
      file(
        'root.yaml',
        `alerting:\n${RECEIVER}\n  route:\n    receiver: oncall\n    matchers: ['severity="page"']\n`,
      ),
    ],
    'canopy: bad alerting config\n' +
      `${join(dir, 'root.yaml')}: alerting.route.matchers: the root route matches every alert and cannot have matchers; put them on a child in routes:\n`,
  ],
  [
    'two URL sources on one receiver',
    () => [
      '--config',
      file(
        'two.yaml',
        'alerting:\n  receivers:\n    - name: oncall\n      type: slack\n      webhook_url: http://127.0.0.1:9/services/T/B/X\n      webhook_url_env: SLACK_URL\n  route:\n    receiver: oncall\n',
      ),
    ],
    'canopy: bad alerting config\n' +
      `${join(dir, 'two.yaml')}: alerting.receivers[0]: set exactly one of webhook_url, webhook_url_file or webhook_url_env (found webhook_url, webhook_url_env)\n`,
  ],
  [
    'a misspelt key',
    () => [
      '--config',
      file(
        'typo.yaml',
        `alerting:\n${RECEIVER}\n      chanel: '#ops'\n  route:\n    receiver: oncall\n`,
      ),
    ],
    'canopy: bad alerting config\n' +
      `${join(dir, 'typo.yaml')}: alerting.receivers[0]: unknown key "chanel" (check the spelling; see docs/alerting.md)\n`,
  ],
  [
    'a config without alerting:',
    () => ['--config', file('none.yaml', 'deployment:\n  relay: 1\n')],
    'canopy: bad alerting config\n' +
      `${join(dir, 'none.yaml')}: alerting: missing; add receivers and a route (see examples/canopy.alerting.yaml and docs/alerting.md)\n`,
  ],
  [
    'a config that is not YAML',
    () => ['--config', file('broken.yaml', 'alerting:\n  receivers: [\n')],
    'canopy: bad config\n' +
      `${join(dir, 'broken.yaml')}:3:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:\n`,
  ],
  [
    'a config file that does not exist',
    () => ['--config', join(dir, 'nope.yaml')],
    `canopy: bad config\n${join(dir, 'nope.yaml')}: cannot read the config file (ENOENT)\n`,
  ],
];

for (const [what, args, message] of bad)
  test(`gen alertmanager refuses ${what} with exit 2 and writes nothing`, async () => {
    const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
    const argv = args();
    const r = await canopy(
      'gen',
      'alertmanager',
      ...argv,
      ...(argv.includes('--out') || what === 'missing --out' ? [] : ['--out', out]),
    );
    assert.equal(r.err, message);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(existsSync(out), false, 'nothing written');
  });

test('without --config and without ./canopy.yaml it asks for a config', async () => {
  const cwd = process.cwd();
  const empty = mkdtempSync(join(dir, 'empty-'));
  process.chdir(empty);
  try {
    const r = await canopy('gen', 'alertmanager', '--out', 'am');
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      'canopy: gen alertmanager: no config: give --config FILE with an alerting: section ' +
        '(there is no ./canopy.yaml; see examples/canopy.alerting.yaml)\n' +
        USAGE,
    );
    assert.deepEqual(readdirSync(empty), []);
  } finally {
    process.chdir(cwd);
  }
});

test('gen lists alertmanager among its generators', async () => {
  const r = await canopy('gen', 'dashboards');
  assert.equal(r.code, 2);
  assert.match(r.err, /available: alertmanager, metrics-doc, rules, slo-schema/);
  const help = await canopy('--help');
  assert.match(help.out, /gen alertmanager --out DIR \[--config FILE\] \[--secrets-dir DIR\]/);
});
