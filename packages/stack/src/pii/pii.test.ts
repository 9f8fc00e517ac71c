/**
 * The PII generators on a small fixture pack (stack may not import telemetry; the real pack
 * is rendered, checked by the engines and run against canaries in the CLI's
 * privacy-engines test): output shape, Go RE2 acceptance by promtool and vmagent, and the
 * errors for rules that cannot be emitted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  piiRelabelConfigs,
  renderAlloyScrubStages,
  renderPiiRelabelConfigs,
  type PiiRule,
} from './index.js';

const run = promisify(execFile);

const RULES: readonly PiiRule[] = [
  { name: 'peer', prefix: '/p2p/', source: '[1-9A-HJ-NP-Za-km-z]+', replacement: '<peer>' },
  { name: 'ipv4', source: '[0-9]{1,3}(?:\\.[0-9]{1,3}){3}', replacement: '<ip>' },
];

/** A Prometheus config with `relabel` as one job's metric_relabel_configs. */
function promConfig(relabel: string): string {
  const indented = relabel
    .trimEnd()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: pii\n    static_configs:\n      - targets: ['127.0.0.1:9']\n    metric_relabel_configs:\n${indented}\n`;
}

async function withConfig<T>(text: string, f: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-pii-'));
  try {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, text);
    return await f(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const promtool = (file: string) => run('promtool', ['check', 'config', file], { timeout: 30_000 });
const vmagent = (file: string) =>
  run('vmagent', ['-dryRun', `-promscrape.config=${file}`], { timeout: 30_000 });

test('Alloy stages: one commented stage.replace per rule, the identifier in the only group', () => {
  assert.equal(
    renderAlloyScrubStages(RULES),
    [
      '// peer',
      'stage.replace {',
      '\texpression = "/p2p/([1-9A-HJ-NP-Za-km-z]+)"',
      '\treplace    = "<peer>"',
      '}',
      '',
      '// ipv4',
      'stage.replace {',
      '\texpression = "([0-9]{1,3}(?:\\\\.[0-9]{1,3}){3})"',
      '\treplace    = "<ip>"',
      '}',
      '',
    ].join('\n'),
  );
});

test('relabel: labeldrop, one in-place rewrite per rule and label, then a catch-all', () => {
  const cfg = piiRelabelConfigs(RULES, { dropLabels: ['peer_id'], freeTextLabels: ['error'] });
  assert.deepEqual(cfg, [
    { action: 'labeldrop', regex: 'peer_id' },
    {
      source_labels: ['error'],
      regex: '(.*?)(/p2p/)(?:[1-9A-HJ-NP-Za-km-z]+)(.*)',
      target_label: 'error',
      replacement: '${1}${2}<peer>${3}',
      action: 'replace',
    },
    {
      source_labels: ['error'],
      regex: '(.*?)(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3})(.*)',
      target_label: 'error',
      replacement: '${1}<ip>${2}',
      action: 'replace',
    },
    {
      source_labels: ['error'],
      regex: '.*(?:/p2p/(?:[1-9A-HJ-NP-Za-km-z]+)|(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3})).*',
      target_label: 'error',
      replacement: '<redacted>',
      action: 'replace',
    },
  ]);
  assert.deepEqual(parse(renderPiiRelabelConfigs(RULES)), piiRelabelConfigs(RULES));
});

test('relabel semantics in JS: anchored regex, leftmost occurrence, catch-all for the rest', () => {
  const cfg = piiRelabelConfigs(RULES, { dropLabels: [], freeTextLabels: ['error'] });
  const apply = (value: string): string => {
    let v = value;
    for (const c of cfg) {
      const m = new RegExp(`^(?:${c.regex ?? ''})$`).exec(v);
      if (m === null) continue;
      v = (c.replacement ?? '').replace(/\$\{(\d+)\}/g, (_, i: string) => m[Number(i)] ?? '');
    }
    return v;
  };
  assert.equal(apply('dial /p2p/QmAbc via 10.0.0.1 failed'), 'dial /p2p/<peer> via <ip> failed');
  assert.equal(apply('10.0.0.1 and 10.0.0.2'), '<redacted>');
  assert.equal(apply('timeout'), 'timeout');
});

test('promtool and vmagent accept the emitted relabel rules (Go RE2)', async () => {
  const text = promConfig(renderPiiRelabelConfigs(RULES));
  await withConfig(text, async (file) => {
    const p = await promtool(file);
    assert.match(p.stdout, /SUCCESS/);
    const v = await vmagent(file);
    assert.match(v.stderr + v.stdout, /all the configs are ok/);
  });
});

test('promtool rejects what RE2 cannot compile (the check above is not vacuous)', async () => {
  const bad = promConfig(
    '- source_labels: [error]\n  regex: "(?<=x)y"\n  target_label: error\n  action: replace',
  );
  await withConfig(bad, async (file) => {
    await assert.rejects(promtool(file), (e: Error & { stderr?: string; stdout?: string }) => {
      assert.match(`${e.stderr ?? ''}${e.stdout ?? ''}`, /invalid or unsupported Perl syntax/);
      return true;
    });
  });
});

test('rules the engines cannot run are refused with the rule, the field and what to do', () => {
  const cases: Array<[PiiRule, RegExp]> = [
    [
      { name: 'lb', source: '(?<=peer=)\\w+', replacement: '<p>' },
      /PII rule 'lb': source uses lookaround .* RE2 has none/,
    ],
    [
      { name: 'br', source: '(?:a)\\1', replacement: '<p>' },
      /PII rule 'br': source uses a backreference/,
    ],
    [
      { name: 'cap', source: '(ab)+', replacement: '<p>' },
      /PII rule 'cap': source uses a capturing group — use \(\?: \)/,
    ],
    [
      { name: 'named', prefix: '(?<k>x)', source: 'y', replacement: '<p>' },
      /PII rule 'named': prefix uses a JS named group/,
    ],
    [
      { name: 'dollar', source: 'y', replacement: '$1' },
      /PII rule 'dollar': replacement "\$1" contains '\$'/,
    ],
  ];
  for (const [rule, msg] of cases) {
    assert.throws(() => renderAlloyScrubStages([rule]), msg);
    assert.throws(() => piiRelabelConfigs([rule]), msg);
  }
  assert.throws(
    () => piiRelabelConfigs(RULES, { freeTextLabels: ['bad-name'] }),
    /'bad-name' is not a Prometheus label name/,
  );
  assert.throws(() => piiRelabelConfigs(RULES, { passes: 99 }), /passes must be an integer 0..8/);
});
