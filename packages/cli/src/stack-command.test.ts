/**
 * `canopy gen --stack`: the golden folders (packages/stack/generated/stack-*) are what the
 * command writes today; the real tools accept them (promtool, vmagent -dryRun, vmalert
 * -dryRun, amtool; Alloy's structure by the checker, Alloy not being packaged for Debian); the
 * Grafana dashboards draw every query of the web UI's page set; the keep rule keeps every
 * metric the dashboards and rules read; bad command lines and configs say what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  AMTOOL_BIN,
  VMALERT_BIN,
  catalogKeepRegex,
  checkAlloy,
  dashboardProblems,
  toolSkipReason,
} from '@canopy/stack';
import { run } from './cli.js';
import { defaultConfig } from './config.js';
import { stackTargets } from './stack-command.js';
import { dashboardsFor } from './ui-command.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOLDEN = (stack: string) => join(ROOT, 'packages', 'stack', 'generated', `stack-${stack}`);
const PROMTOOL = '/usr/bin/promtool';
const VMAGENT = '/usr/bin/vmagent';
// The golden folders name their config relative to the repository root, as npm run gen:stack does.
process.chdir(ROOT);

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : [p];
    })
    .sort();
}

function tool(bin: string, args: string[]) {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

for (const stack of ['self-hosted', 'managed'] as const)
  test(`gen --stack ${stack} writes the golden folder (npm run gen:stack after a change)`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-gen-stack-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await canopy(
      'gen',
      '--stack',
      stack,
      '--config',
      'examples/canopy.alerting.yaml',
      '--out',
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const got = files(dir).map((f) => relative(dir, f));
    const want = files(GOLDEN(stack)).map((f) => relative(GOLDEN(stack), f));
    assert.deepEqual(got, want, 'the same files');
    for (const f of got)
      assert.equal(
        readFileSync(join(dir, f), 'utf8'),
        readFileSync(join(GOLDEN(stack), f), 'utf8'),
        `${f} differs from the golden copy: run npm run gen:stack`,
      );
    assert.match(r.out, new RegExp(`wrote ${dir}/README.txt`));
  });

test(
  'the real tools accept the golden self-hosted folder',
  {
    skip:
      toolSkipReason(PROMTOOL, 'prometheus') ||
      toolSkipReason(VMAGENT, 'victoria-metrics') ||
      toolSkipReason(VMALERT_BIN, 'victoria-metrics') ||
      toolSkipReason(AMTOOL_BIN, 'prometheus-alertmanager'),
  },
  () => {
    const g = GOLDEN('self-hosted');
    const checks: [string, string[], RegExp][] = [
      [
        PROMTOOL,
        ['check', 'config', join(g, 'prometheus/prometheus.yml')],
        /SUCCESS: \d+ rules found/,
      ],
      [
        VMAGENT,
        ['-dryRun', `-promscrape.config=${join(g, 'vmagent/scrape.yml')}`],
        /all the configs are ok/,
      ],
      [VMALERT_BIN, ['-dryRun', `-rule=${join(g, 'rules/canopy.rules.yml')}`], /.*/],
      [AMTOOL_BIN, ['check-config', join(g, 'alertmanager/alertmanager.yml')], /SUCCESS/],
    ];
    for (const [bin, args, want] of checks) {
      const r = tool(bin, args);
      assert.equal(r.status, 0, `${bin} ${args.join(' ')}:\n${r.out}`);
      assert.match(r.out, want, bin);
    }
    // …and a broken one is refused (the check can fail).
    const dir = mkdtempSync(join(tmpdir(), 'canopy-gen-stack-bad-'));
    try {
      const bad = join(dir, 'scrape.yml');
      writeFileSync(
        bad,
        readFileSync(join(g, 'vmagent/scrape.yml'), 'utf8').replace(
          'sample_limit:',
          'sample_limt:',
        ),
      );
      assert.notEqual(tool(VMAGENT, ['-dryRun', `-promscrape.config=${bad}`]).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('golden Alloy configs pass the structural check; dashboards have Grafana’s required fields', () => {
  for (const f of ['stack-managed/alloy/config.alloy', 'stack-self-hosted/alloy/logs.alloy'])
    assert.deepEqual(
      checkAlloy(readFileSync(join(ROOT, 'packages/stack/generated', f), 'utf8')),
      [],
      f,
    );
  for (const stack of ['self-hosted', 'managed']) {
    const dir = join(GOLDEN(stack), 'grafana/dashboards');
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, [
      'actors.json',
      'host.json',
      'overview.json',
      'relay.json',
      'replay.json',
      'slos.json',
      'storage.json',
    ]);
    for (const n of names)
      assert.deepEqual(dashboardProblems(JSON.parse(readFileSync(join(dir, n), 'utf8'))), [], n);
  }
});

/** Target expressions of a golden folder's dashboards. */
function goldenExprs(stack: string): string[] {
  const dir = join(GOLDEN(stack), 'grafana/dashboards');
  return readdirSync(dir).flatMap((n) => {
    const d = JSON.parse(readFileSync(join(dir, n), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    return d.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr));
  });
}

test('Grafana draws every query of the web UI’s page set (one source for both)', () => {
  const model = dashboardsFor(defaultConfig(), 'examples/canopy.alerting.yaml');
  const grafana = new Set(goldenExprs('self-hosted'));
  const web = [
    ...model.dashboards.flatMap((d) =>
      d.sections.flatMap((s) => s.panels.flatMap((p) => p.queries.map((q) => q.expr))),
    ),
    ...model.cards.flatMap((c) => c.headlines.map((h) => h.expr)),
    ...model.slos.flatMap((s) => [s.indicator.expr, s.budget]),
  ];
  assert.ok(web.length > 50, `${web.length} queries`);
  for (const e of web) assert.ok(grafana.has(e), `missing in Grafana: ${e}`);
});

test('every dashboard link of the rule file (/d/<service>) opens a Grafana dashboard', () => {
  const rules = readFileSync(join(GOLDEN('self-hosted'), 'rules/canopy.rules.yml'), 'utf8');
  const links = new Set([...rules.matchAll(/\/d\/([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
  assert.ok(links.size >= 4, [...links].join(' '));
  const uids = new Set(
    readdirSync(join(GOLDEN('self-hosted'), 'grafana/dashboards')).map(
      (n) =>
        (
          JSON.parse(
            readFileSync(join(GOLDEN('self-hosted'), 'grafana/dashboards', n), 'utf8'),
          ) as { uid: string }
        ).uid,
    ),
  );
  for (const l of links) assert.ok(uids.has(l), `/d/${l} has no dashboard`);
});

test('the budget keep rule keeps every metric the dashboards and the rule file read', () => {
  const keep = new RegExp(`^(?:${catalogKeepRegex()})$`);
  const rules = readFileSync(join(GOLDEN('self-hosted'), 'rules/canopy.rules.yml'), 'utf8');
  const exprs = [
    ...goldenExprs('self-hosted'),
    ...(parse(rules) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups.flatMap((g) =>
      g.rules.map((r) => r.expr),
    ),
  ];
  const names = new Set<string>();
  // Selectors: a name followed by { or [ (every scraped metric the queries read is written so).
  for (const e of exprs)
    for (const m of e.matchAll(/(?<![\w:])([a-zA-Z_][a-zA-Z0-9_]*)(?=\{|\[)/g)) names.add(m[1]!);
  assert.ok(names.size > 20, [...names].join(' '));
  for (const n of names)
    assert.ok(keep.test(n), `${n} is read by a dashboard or rule but dropped by the keep rule`);
});

test('targets: the canopy up layout and node_exporter by default, else the config’s, each with its service’s limit', () => {
  const d = stackTargets(defaultConfig());
  assert.deepEqual(
    d.map((t) => [new URL(t.url).host, t.service]),
    [
      ['127.0.0.1:7100', 'relay'],
      ['127.0.0.1:7101', 'relay'],
      ['127.0.0.1:7102', 'replay'],
      ['127.0.0.1:7103', 'storage'],
      ['127.0.0.1:9100', 'host'],
    ],
  );
  for (const t of d)
    assert.ok(t.sampleLimit > 10 && t.sampleLimit < 1000, `${t.service}: ${t.sampleLimit}`);
  const c = defaultConfig();
  const custom = stackTargets({
    ...c,
    scrape: {
      ...c.scrape,
      targets: [
        {
          ...c.scrape,
          url: 'http://10.0.0.1:9000/metrics',
          service: 'relay',
          instance: 'eu-1',
          interval: 15_000,
          timeout: 10_000,
          sample_limit: 5,
        },
        {
          ...c.scrape,
          url: 'http://10.0.0.2:9000/metrics',
          service: 'gateway',
          instance: '10.0.0.2:9000',
          interval: 15_000,
          timeout: 10_000,
          sample_limit: 777,
        },
      ],
    },
  });
  assert.deepEqual(
    custom.map((t) => [
      t.service,
      t.instance ?? '',
      t.sampleLimit === d[0]!.sampleLimit || t.sampleLimit,
    ]),
    [
      ['relay', 'eu-1', true],
      ['gateway', '', 777],
    ],
  );
});

test('bad command lines and configs: a clear message, exit 2, nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-gen-stack-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const noAlerting = join(dir, 'plain.yaml');
  writeFileSync(noAlerting, 'deployment:\n  relay: 2\n');
  const badYaml = join(dir, 'bad.yaml');
  writeFileSync(badYaml, 'alerting:\n  receivers: 3\n');
  const out = join(dir, 'out');
  const cases: [string[], RegExp][] = [
    [
      ['gen', '--stack'],
      /--stack.*argument missing|expected --stack self-hosted or --stack managed/,
    ],
    [
      ['gen', '--stack', 'cloud', '--out', out],
      /expected --stack self-hosted or --stack managed, got "cloud"/,
    ],
    [['gen', '--stack=b', '--out', out], /got "b"/],
    [
      ['gen', '--stack', 'managed'],
      /--out DIR is required \(e\.g\. --out packages\/stack\/generated\/stack-managed\)/,
    ],
    [['gen', '--stack', 'managed', '--out', out, '--colour'], /Unknown option '--colour'/],
    [
      ['gen', '--stack', 'managed', '--out', out, '--secrets-dir', 'rel'],
      /--secrets-dir: expected an absolute path/,
    ],
    [
      ['gen', '--stack', 'managed', '--out', out, '--config', noAlerting],
      /plain\.yaml: alerting: missing; add an alerting: section/,
    ],
    [['gen', '--stack', 'managed', '--out', out, '--config', join(dir, 'none.yaml')], /none\.yaml/],
    [
      ['gen', '--stack', 'self-hosted', '--out', out, '--config', badYaml],
      /bad alerting config\n.*bad\.yaml/,
    ],
  ];
  for (const [argv, want] of cases) {
    const r = await canopy(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: exit ${r.code}\n${r.out}${r.err}`);
    assert.match(r.err, want, argv.join(' '));
  }
  assert.throws(() => statSync(out), 'nothing written');
  const help = await canopy('gen', '--stack', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /canopy gen --stack self-hosted\|managed --out DIR/);
  assert.match((await canopy('--help')).out, /gen --stack self-hosted\|managed --out DIR/);
});
