/**
 * The scrub rule pack as the engines get it (`@canopy/stack` renderers over telemetry's
 * SCRUB_RULES): golden copies in packages/stack/generated/pii (rewrite with
 * `CANOPY_UPDATE_GOLDEN=1 node --test packages/cli/dist/privacy-engines.test.js`), Go RE2
 * acceptance by promtool and vmagent, and the emitted patterns — compiled as JS with the
 * engines' semantics (Loki replace: every capture group; relabel: anchored, one target) —
 * redacting every canary. The engine versions have no keep-checks, so their false-positive
 * count on ordinary log text is printed too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SCRUB_RULES } from '@canopy/telemetry';
import { createLeakScanner, generateCanaries } from '@canopy/telemetry/testing/canaries';
import { ordinaryLogLines } from '@canopy/telemetry/testing/log-corpus';
import { piiRelabelConfigs, renderAlloyScrubStages, renderPiiRelabelConfigs } from '@canopy/stack';

const run = promisify(execFile);
const GOLDEN = new URL('../../stack/generated/pii/', import.meta.url).pathname;
const alloy = renderAlloyScrubStages(SCRUB_RULES);
const relabelYaml = renderPiiRelabelConfigs(SCRUB_RULES);

test('golden copies of the Alloy stages and relabel rules are current', () => {
  const files: Array<[string, string]> = [
    ['scrub-stages.alloy', alloy],
    ['metric-relabel-pii.yml', relabelYaml],
  ];
  if (process.env['CANOPY_UPDATE_GOLDEN'] === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(GOLDEN, name), text);
  }
  for (const [name, text] of files)
    assert.equal(
      readFileSync(join(GOLDEN, name), 'utf8'),
      text,
      `${name} is stale: rerun with CANOPY_UPDATE_GOLDEN=1`,
    );
});

test('promtool and vmagent compile every emitted pattern (Go RE2)', async () => {
  // The Alloy expressions go in as extra relabel regexes: Loki and Prometheus share Go's
  // regexp package, so promtool accepting them is the RE2 check for Alloy too.
  const alloyExprs = SCRUB_RULES.map((r) => ({
    source_labels: ['msg'],
    regex: `.*${r.prefix ?? ''}(${r.source}).*`,
    target_label: 'msg',
    replacement: '<x>',
    action: 'replace',
  }));
  const body = [
    relabelYaml.trimEnd(),
    ...alloyExprs.map(
      (e) =>
        `- source_labels: [msg]\n  regex: ${JSON.stringify(e.regex)}\n  target_label: msg\n  replacement: "<x>"\n  action: replace`,
    ),
  ]
    .join('\n')
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  const config = `global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: pii\n    static_configs:\n      - targets: ['127.0.0.1:9']\n    metric_relabel_configs:\n${body}\n`;
  const dir = mkdtempSync(join(tmpdir(), 'canopy-pii-engines-'));
  try {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, config);
    const p = await run('promtool', ['check', 'config', file], { timeout: 30_000 });
    assert.match(p.stdout, /SUCCESS/);
    const v = await run('vmagent', ['-dryRun', `-promscrape.config=${file}`], {
      timeout: 30_000,
    });
    assert.match(v.stdout + v.stderr, /all the configs are ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Loki's replace stage in JS: every capture group of every match becomes `replace`. */
function lokiReplace(stages: ReadonlyArray<{ re: RegExp; replace: string }>, line: string): string {
  let s = line;
  for (const { re, replace } of stages)
    s = s.replace(re, (...m: unknown[]) => {
      // m: whole, group 1, offset, input — a single group; keep the text around it.
      const whole = m[0] as string;
      const group = m[1] as string;
      const at = whole.indexOf(group);
      return whole.slice(0, at) + replace + whole.slice(at + group.length);
    });
  return s;
}

/** The Alloy file parsed back: expression and replace of each stage, compiled as JS. */
function parseAlloy(text: string): Array<{ re: RegExp; replace: string }> {
  const out: Array<{ re: RegExp; replace: string }> = [];
  const block = /stage\.replace \{\n\texpression = (".*")\n\treplace {4}= (".*")\n\}/g;
  for (const m of text.matchAll(block))
    out.push({
      re: new RegExp(JSON.parse(m[1]!) as string, 'g'),
      replace: JSON.parse(m[2]!) as string,
    });
  return out;
}

const contexts: Array<(x: string) => string> = [
  (x) => `{"level":"warn","msg":"dial ${x} failed","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`,
  (x) => `peer=${x} reason=timeout`,
  (x) => `conn_${x}_closed`,
];

test('Alloy stages (as Loki runs them) redact every canary in log lines', () => {
  const stages = parseAlloy(alloy);
  assert.equal(stages.length, SCRUB_RULES.length);
  const canaries = generateCanaries(30_000, 77);
  const out = canaries.map((c, i) => lokiReplace(stages, contexts[i % contexts.length]!(c.text)));
  const leaked = createLeakScanner(canaries).scan(out.join('\n'));
  assert.deepEqual(
    leaked.slice(0, 5).map((c) => c.text),
    [],
    `${leaked.length} leaked`,
  );
  // trace_id is left alone.
  assert.ok(out[0]!.endsWith('"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}'), out[0]);
});

test('relabel rules (as Prometheus runs them) redact every canary in free-text labels', () => {
  const cfg = piiRelabelConfigs(SCRUB_RULES);
  const compiled = cfg
    .filter((c) => c.action === 'replace')
    .map((c) => ({ ...c, re: new RegExp(`^(?:${c.regex ?? '(.*)'})$`, 's') }));
  const canaries = generateCanaries(5_000, 78);
  const values = canaries.map((c, i) =>
    i % 2 === 0 ? `dial ${c.text} failed` : `handshake with ${c.text}: reset`,
  );
  const out = values.map((v) => {
    const labels: Record<string, string> = { error: v };
    for (const c of compiled) {
      const src = labels[c.source_labels![0]!] ?? '';
      const m = c.re.exec(src);
      if (m === null) continue;
      labels[c.target_label!] = c.replacement!.replace(
        /\$\{(\d+)\}/g,
        (_, i: string) => m[Number(i)] ?? '',
      );
    }
    return labels['error']!;
  });
  const leaked = createLeakScanner(canaries).scan(out.join('\n'));
  assert.deepEqual(
    leaked.slice(0, 5).map((c) => c.text),
    [],
    `${leaked.length} leaked`,
  );
  assert.ok(
    out.some((v) => v.startsWith('dial <')),
    out[0],
  );
  // The label-name rule drops identifier-carrying labels outright.
  const drop = new RegExp(`^(?:${cfg[0]!.regex})$`);
  for (const name of ['peer_id', 'remote_addr', 'multiaddr', 'ip']) assert.ok(drop.test(name));
  assert.ok(!drop.test('reason') && !drop.test('service') && !drop.test('instance'));
});

test('false positives of the engine versions on ordinary log text are counted', () => {
  const stages = parseAlloy(alloy);
  const lines = ordinaryLogLines(20_000, 79);
  let changed = 0;
  for (const l of lines) if (lokiReplace(stages, l) !== l) changed++;
  console.log(`# Alloy stage false positives: ${changed} of ${lines.length} ordinary log lines`);
  // No keep-checks in RE2: loopback addresses and long paths are redacted there.
  assert.ok(changed < lines.length / 4, `${changed}`);
});
