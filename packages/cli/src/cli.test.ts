import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cli.js';
import { renderMetricsDoc } from './metrics-doc.js';
import { startDemo } from './demo.js';

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'canopy-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('--help lists the commands', async () => {
  const r = await canopy('--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /check budget/);
  assert.match(r.out, /gen metrics-doc/);
});

test('check budget passes for the default deployment and prints per-metric maxima', async () => {
  const r = await canopy('check', 'budget', '--config', configFile('ok.yaml', '{}\n'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /relay × 1: \d+ series per instance/);
  assert.match(r.out, /relay_peer_disconnects_total\s+16/);
  assert.match(r.out, /total: [\d,]+ maximum series of a budget of 10,000/);
  assert.equal(r.err, '');
});

test('check budget fails with a clear message when the deployment exceeds the budget', async () => {
  const f = configFile(
    'big.yaml',
    'deployment:\n  relay: 60\n  replay: 10\nbudget:\n  series: 10000\n',
  );
  const r = await canopy('check', 'budget', '--config', f, '--quiet');
  assert.equal(r.code, 1);
  assert.match(r.out, /relay × 60/);
  assert.match(r.err, /series budget exceeded: \d+ maximum series > budget 10000/);
  assert.match(r.err, /raise budget\.series/);
});

test('check budget honours a smaller budget', async () => {
  const r = await canopy(
    'check',
    'budget',
    '--config',
    configFile('tight.yaml', 'budget: { series: 100 }\n'),
  );
  assert.equal(r.code, 1);
});

const badConfigs: Array<[string, string, RegExp]> = [
  [
    'unknown key',
    'deploymnet:\n  relay: 1\n',
    /bad-unknown key\.yaml: \(top level\): unknown key "deploymnet"/,
  ],
  [
    'wrong type',
    'deployment:\n  relay: two\n',
    /deployment\.relay: expected a whole number of relay instances \(0 or more\), got "two"/,
  ],
  [
    'negative',
    'deployment:\n  hosts: -1\n',
    /deployment\.hosts: expected a whole number of hosts \(0 or more\), got -1/,
  ],
  [
    'fraction',
    'budget:\n  series: 10.5\n',
    /budget\.series: expected the maximum number of active series \(a whole number ≥ 1\), got 10\.5/,
  ],
  [
    'zero cores',
    'deployment:\n  host:\n    cores: 0\n',
    /deployment\.host\.cores: expected the number of CPU cores per host \(1 or more\), got 0/,
  ],
  ['bad yaml', 'deployment: [relay: 1\n', /bad-bad yaml\.yaml:\d+:\d+: not valid YAML/],
  ['nested unknown', 'deployment:\n  relays: 2\n', /deployment: unknown key "relays"/],
];

for (const [name, text, message] of badConfigs) {
  test(`a bad config is refused with file and path: ${name}`, async () => {
    const r = await canopy('check', 'budget', '--config', configFile(`bad-${name}.yaml`, text));
    assert.equal(r.code, 2);
    assert.match(r.err, message);
    assert.equal(r.out, '', 'nothing is printed as if the check had run');
  });
}

test('a missing config file is named', async () => {
  const r = await canopy('check', 'budget', '--config', join(dir, 'nope.yaml'));
  assert.equal(r.code, 2);
  assert.match(r.err, /nope\.yaml: cannot read the config file \(ENOENT\)/);
});

const badArgs: Array<[string[], RegExp]> = [
  [['frobnicate'], /unknown command "frobnicate"/],
  [['check'], /check: unknown check ""; available: budget/],
  [['check', 'budgets'], /unknown check "budgets"/],
  [['check', 'budget', '--confg', 'x'], /check budget: Unknown option '--confg'/],
  [['gen', 'dashboards'], /gen: unknown generator "dashboards"/],
  [['demo', '--port', 'http'], /--port: expected a port number 0–65533, got "http"/],
];

for (const [argv, message] of badArgs) {
  test(`bad usage is explained: canopy ${argv.join(' ')}`, async () => {
    const r = await canopy(...argv);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
    assert.match(r.err, /Run "canopy --help" for usage/);
  });
}

test('METRICS.md is the generated catalog (run `npm run gen:docs` after changing the catalog)', () => {
  const checkedIn = readFileSync(new URL('../../../METRICS.md', import.meta.url), 'utf8');
  assert.equal(checkedIn, renderMetricsDoc());
});

test('demo serves the three services’ catalog metrics', async () => {
  const demo = await startDemo({ port: 0, tickMs: 5 });
  try {
    await new Promise((r) => setTimeout(r, 60));
    const relay = await (await fetch(demo.urls.relay)).text();
    assert.match(relay, /^relay_peers_connected \d+$/m);
    assert.match(relay, /^process_cpu_seconds_total /m);
    const storage = await (await fetch(demo.urls.storage)).text();
    assert.match(storage, /^storage_write_duration_seconds_bucket\{le="0\.1"\} [1-9]/m);
    const replay = await (await fetch(demo.urls.replay)).text();
    assert.match(replay, /^replay_events_applied_total /m);
  } finally {
    await demo.stop();
  }
});

test('fault against a service that is not running says so', async () => {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
  const r = await canopy('fault', 'slow-disk', 'on', '--service', `http://127.0.0.1:${port}`);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /could not switch slow-disk at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(is the service running\?\)/,
  );
});
