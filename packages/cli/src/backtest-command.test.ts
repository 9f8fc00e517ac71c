/**
 * `canopy rules backtest` as a person uses it: every bad input gets a message that says
 * what, where and what to do, with exit code 2; a good one prints the table or JSON.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from '@canopy/hub';
import { run } from './cli.js';
import { backtestCommand, parseTimeFlag } from './backtest-command.js';

const T0 = Date.UTC(2025, 2, 1, 12);
const MIN = 60_000;
const root = mkdtempSync(join(tmpdir(), 'canopy-backtest-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A data folder with an hour of `up` for one relay, down for 3 minutes at T0 + 20 m. */
function dataDir(name: string): string {
  const dir = join(root, name);
  const db = TSDB.open({ dir: join(dir, 'tsdb') });
  const app = db.appender();
  for (let t = T0; t <= T0 + 60 * MIN; t += 15_000) {
    const down = t >= T0 + 20 * MIN && t < T0 + 23 * MIN;
    app.append({ __name__: 'up', job: 'relay', service: 'relay' }, t, down ? 0 : 1);
  }
  app.commit();
  db.close();
  return dir;
}
const DATA = dataDir('data');

function file(name: string, text: string): string {
  const p = join(root, name);
  writeFileSync(p, text);
  return p;
}

const RULES = file(
  'down.yml',
  `groups:
  - name: down
    interval: 10s
    rules:
      - alert: RelayDown
        expr: up{service="relay"} == 0
        labels:
          severity: page
      - alert: RelayDownLong
        expr: up{service="relay"} == 0
        for: 5m
        labels:
          severity: ticket
`,
);

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const RANGE = ['--from', iso(T0), '--to', iso(T0 + 60 * MIN)];

test('rules backtest prints a table sorted by time and a summary line', async () => {
  const r = await canopy('rules', 'backtest', '--data', DATA, '--rules', RULES, ...RANGE);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^ALERTNAME\s+LABELS\s+PENDING-AT\s+FIRED-AT\s+RESOLVED-AT\s+DURATION$/);
  assert.match(
    lines[1]!,
    /^RelayDown\s+service=relay,severity=page,job=relay\s+2025-03-01T12:20:\d\d(\.\d+)?Z\s+2025-03-01T12:20:\S+\s+2025-03-01T12:23:\S+\s+3m$/,
  );
  assert.match(
    lines[2]!,
    /^RelayDownLong\s+service=relay,severity=ticket,job=relay\s+2025-03-01T12:20:\S+\s+never\s+2025-03-01T12:23:\S+\s+-$/,
  );
  assert.match(
    r.out,
    /\n1 alert fired \(1 page\); 1 more went pending without firing, from 2025-03-01T12:00:00Z to 2025-03-01T13:00:00Z \(1 group, 36[01] evaluations\)\.\n$/,
  );
  assert.equal(r.err, '');
});

test('rules backtest --json: times in RFC 3339, null for what did not happen', async () => {
  const r = await canopy('rules', 'backtest', '--data', DATA, '--rules', RULES, ...RANGE, '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as {
    summary: { fired: number; pages: number; pendingOnly: number };
    alerts: Array<{ alertname: string; firedAt: string | null; firingSeconds: number | null }>;
    rules: string;
    stepSeconds: number | null;
  };
  assert.equal(j.summary.fired, 1);
  assert.equal(j.summary.pages, 1);
  assert.equal(j.summary.pendingOnly, 1);
  assert.equal(j.alerts[0]!.firingSeconds, 180);
  assert.equal(j.alerts[1]!.alertname, 'RelayDownLong');
  assert.equal(j.alerts[1]!.firedAt, null);
  assert.equal(j.rules, RULES);
  assert.equal(j.stepSeconds, null);
});

test('rules backtest: relative times, still firing at the end, --step', () => {
  let out = '';
  let err = '';
  const code = backtestCommand(
    ['--data', DATA, '--rules', RULES, '--from', '-45m', '--step', '1m'],
    { out: (s) => void (out += s), err: (s) => void (err += s) },
    { now: T0 + 21 * MIN },
  );
  assert.equal(code, 0, err);
  assert.match(out, /RelayDown .*still firing\s+\d+s\+\n/);
  assert.match(out, /\(1 group, 4[56] evaluations\)/);
});

test('rules backtest: a rule that fails is a warning and exit code 1', async () => {
  const bad = file(
    'clash.yml',
    'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: label_replace(up, "x", "1", "", "") or label_replace(up, "x", "2", "", "")\n        labels:\n          x: "0"\n',
  );
  const r = await canopy('rules', 'backtest', '--data', DATA, '--rules', bad, ...RANGE);
  assert.equal(r.code, 1);
  assert.match(r.out, /^No alert went pending from 2025-03-01T12:00:00Z/);
  assert.match(
    r.err,
    /warning: g\/r failed 6[01] time\(s\), first at 2025-03-01T12:00:\S+: vector contains metrics with the same labelset/,
  );
});

test('parseTimeFlag: RFC 3339, Unix seconds, now, durations ago', () => {
  const now = T0;
  assert.equal(parseTimeFlag('--from', '2025-03-01T10:00:00Z', now), T0 - 2 * 3600_000);
  assert.equal(parseTimeFlag('--from', String(T0 / 1000), now), T0);
  assert.equal(parseTimeFlag('--from', 'now', now), T0);
  assert.equal(parseTimeFlag('--from', '-2h', now), T0 - 2 * 3600_000);
  assert.equal(parseTimeFlag('--from', 'now-1d', now), T0 - 86_400_000);
});

const empty = join(root, 'empty');
mkdirSync(join(empty, 'tsdb'), { recursive: true });
const noStore = join(root, 'no-store');
mkdirSync(noStore);
const emptyStore = join(root, 'empty-store');
TSDB.open({ dir: join(emptyStore, 'tsdb') }).close();
const badYaml = file('bad-yaml.yml', 'groups:\n  - name: g\n    rules: [\n');
const badExpr = file(
  'bad-expr.yml',
  'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n',
);
const cfgMissingRules = file(
  'missing-rules.yaml',
  'hub:\n  rule_files: [/nonexistent/rules.yml]\n',
);

const refused: Array<[string, string[], RegExp]> = [
  ['no --from', ['--data', DATA], /--from TIME is required \(e\.g\. --from -2h/],
  [
    'a bad time',
    ['--from', 'yesterday'],
    /--from: "yesterday" is not a time: write RFC 3339 .*"now", or a duration ago/,
  ],
  ['a bad relative time', ['--from', '-2x'], /--from: "-2x": "2x" is not a duration/],
  ['a bad --to', ['--from', '-1h', '--to', '12:00'], /--to: "12:00" is not a time/],
  [
    '--from after --to',
    ['--from', iso(T0 + MIN), '--to', iso(T0)],
    /--from \(2025-03-01T12:01:00Z\) must be before --to \(2025-03-01T12:00:00Z\); swap them/,
  ],
  [
    'a long range without --step',
    ['--from', iso(T0 - 40 * 86_400_000), '--to', iso(T0)],
    /the range is 40\.0 days: more than 31 days .*pass --step \(e\.g\. --step 5m\)/,
  ],
  ['a bad --step', ['--from', '-1h', '--step', 'fast'], /--step: "fast" is not a duration/],
  ['a zero --step', ['--from', '-1h', '--step', '0'], /--step: must be more than 0, got "0"/],
  ['an unknown flag', ['--frm', '-1h'], /Unknown option '--frm'/],
  ['a positional argument', ['--from', '-1h', 'extra'], /Unexpected argument 'extra'/],
  [
    'a data folder that does not exist',
    ['--data', join(root, 'nope'), '--rules', RULES, ...RANGE],
    /nope\/tsdb does not exist: no hub has stored data there\nThe hub keeps its history in DATA\/tsdb; DATA is --data, or hub\.data in canopy\.yaml \(default \.canopy\)\./,
  ],
  [
    'a data folder without a store',
    ['--data', noStore, '--rules', RULES, ...RANGE],
    /no-store\/tsdb does not exist: no hub has stored data there/,
  ],
  [
    'a store folder without a database',
    ['--data', empty, '--rules', RULES, ...RANGE],
    /empty\/tsdb holds no TSDB \(.*tsdb\.sqlite is missing\)/,
  ],
  [
    'a range without samples',
    [
      '--data',
      DATA,
      '--rules',
      RULES,
      '--from',
      iso(T0 + 2 * 60 * MIN),
      '--to',
      iso(T0 + 3 * 60 * MIN),
    ],
    /no stored samples between 2025-03-01T14:00:00\.000Z and 2025-03-01T15:00:00\.000Z in .*data\nThe store holds samples from 2025-03-01T12:00:00Z to 2025-03-01T13:00:00Z: pick a range inside it\./,
  ],
  [
    'an empty store',
    ['--data', emptyStore, '--rules', RULES, ...RANGE],
    /no stored samples between .*\nThe store is empty: run the hub \(canopy hub \/ canopy up\) to collect history first\./,
  ],
  [
    'a rule file that does not exist',
    ['--data', DATA, '--rules', join(root, 'nope.yml'), ...RANGE],
    /--rules: cannot read the rule file .*nope\.yml \(ENOENT\): check the path\n$/,
  ],
  [
    'a rule file that is not YAML',
    ['--data', DATA, '--rules', badYaml, ...RANGE],
    /bad rule file\n.*bad-yaml\.yml:\d+:\d+: bad YAML/,
  ],
  [
    'a rule with a bad expression',
    ['--data', DATA, '--rules', badExpr, ...RANGE],
    /bad rule file\n.*bad-expr\.yml:g:A: expr: .*\nFix the file \(promtool check rules .*bad-expr\.yml shows the same problems\)/,
  ],
  [
    'hub.rule_files naming a missing file',
    ['--config', cfgMissingRules, '--data', DATA, ...RANGE],
    /missing-rules\.yaml: hub\.rule_files\[0\]: cannot read the rule file \/nonexistent\/rules\.yml \(ENOENT\)/,
  ],
];

for (const [name, args, re] of refused)
  test(`rules backtest refuses ${name}`, async () => {
    const r = await canopy('rules', 'backtest', ...args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^canopy: rules backtest: /);
    assert.match(r.err, re);
    assert.equal(r.out, '');
  });

test('rules backtest refuses a store a running hub holds', async () => {
  const dir = dataDir('busy');
  const db = TSDB.open({ dir: join(dir, 'tsdb') });
  // Like a hub between scrapes: it has committed since it opened the store.
  const app = db.appender();
  app.append({ __name__: 'up', job: 'relay', service: 'relay' }, T0 + 61 * MIN, 1);
  app.commit();
  try {
    const r = await canopy('rules', 'backtest', '--data', dir, '--rules', RULES, ...RANGE);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /busy\/tsdb is in use by a running hub \(.*is locked\): stop `canopy hub` \/ `canopy up` first/,
    );
  } finally {
    db.close();
  }
});

test('rules backtest with a bad config says which file and key', async () => {
  const r = await canopy(
    'rules',
    'backtest',
    '--config',
    file('bad.yaml', 'hub:\n  dta: x\n'),
    '--from',
    '-1h',
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /bad config\n.*bad\.yaml: hub: unknown key "dta"/);
});

test('canopy rules with an unknown subcommand lists the available one', async () => {
  const r = await canopy('rules', 'replay');
  assert.equal(r.code, 2);
  assert.match(r.err, /rules: unknown subcommand "replay"; available: backtest/);
});

test('rules backtest --help explains the flags', async () => {
  const r = await canopy('rules', 'backtest', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /--step DURATION/);
  assert.match(r.out, /stop a running hub\s+first/);
});
