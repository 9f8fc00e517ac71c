import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UP_LAYOUT } from '../scrape/targets.js';
import { checkAlloy } from './check.js';
import { renderManagedAlloy, renderSelfHostedLogsAlloy } from './config.js';
import { attr, block, expr, raw, renderAlloy } from './river.js';

const scrape = {
  targets: UP_LAYOUT.map((t) => ({ ...t, sampleLimit: 250 })),
  intervalSeconds: 15,
  piiRelabel: [{ regex: 'peer_id', action: 'labeldrop' as const }],
};
const SCRUB =
  'stage.replace {\n\texpression = "(12D3KooW[1-9A-HJ-NP-Za-km-z]{44})"\n\treplace    = "<peer>"\n}';

test('writer: tabs, aligned attributes, nested blocks, objects, raw text', () => {
  const text = renderAlloy(
    [
      block('loki.process', 'x', [
        attr('forward_to', [expr('loki.write.y.receiver')]),
        block('stage.labels', undefined, [attr('values', { level: '', 'a-b': 'c' })]),
        raw('stage.replace {\n\texpression = "a"\n\treplace = "b"\n}'),
      ]),
      block('loki.write', 'y', [block('endpoint', undefined, [attr('url', 'http://h/"q"')])]),
    ],
    ['head'],
  );
  assert.equal(
    text,
    [
      '// head',
      '',
      'loki.process "x" {',
      '\tforward_to = [loki.write.y.receiver]',
      '',
      '\tstage.labels {',
      '\t\tvalues = {',
      '\t\t\tlevel = "",',
      '\t\t\t"a-b" = "c",',
      '\t\t}',
      '\t}',
      '',
      '\tstage.replace {',
      '\t\texpression = "a"',
      '\t\treplace = "b"',
      '\t}',
      '}',
      '',
      'loki.write "y" {',
      '\tendpoint {',
      '\t\turl = "http://h/\\"q\\""',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(checkAlloy(text), []);
});

test('managed config: scrape → PII + catalog keep → remote_write; journald → scrub → Loki; OTLP → Tempo; secrets from a file', () => {
  const text = renderManagedAlloy({ scrape, scrubStages: SCRUB, secretsDir: '/run/secrets' });
  assert.deepEqual(checkAlloy(text), []);
  for (const s of [
    'prometheus.scrape "relay"',
    'prometheus.relabel "canopy"',
    'prometheus.remote_write "grafana_cloud"',
    'loki.source.journal "canopy"',
    'loki.process "canopy"',
    'stage.json',
    'loki.write "grafana_cloud"',
    'otelcol.receiver.otlp "canopy"',
    'otelcol.processor.batch "canopy"',
    'otelcol.exporter.otlp "tempo"',
    'filename  = "/run/secrets/grafana-cloud-token"',
    'sys.env("CANOPY_PROM_REMOTE_WRITE_URL")',
    '12D3KooW',
  ])
    assert.ok(text.includes(s), `has ${s}`);
  // The PII rule comes before the keep rule; the host scrape has no sample_limit (Alloy
  // counts before relabelling, and node_exporter exposes far more than the catalog keeps).
  const relabel = text.slice(text.indexOf('prometheus.relabel "canopy"'));
  assert.ok(relabel.indexOf('labeldrop') < relabel.indexOf('"keep"'));
  const hostBlock = text.slice(
    text.indexOf('prometheus.scrape "host"'),
    text.indexOf('prometheus.relabel'),
  );
  assert.ok(!hostBlock.includes('sample_limit'));
  const relayBlock = text.slice(
    text.indexOf('prometheus.scrape "relay"'),
    text.indexOf('prometheus.scrape "replay"'),
  );
  assert.match(relayBlock, /\tsample_limit\s+= 250\n/);
  assert.ok(!/password\s*=\s*"/.test(text), 'no password literal');
});

test('self-hosted logs config: journald → scrub → local Loki, and nothing else', () => {
  const text = renderSelfHostedLogsAlloy({ scrape, scrubStages: SCRUB });
  assert.deepEqual(checkAlloy(text), []);
  assert.ok(text.includes('url = "http://127.0.0.1:3100/loki/api/v1/push"'));
  assert.ok(!text.includes('prometheus.') && !text.includes('otelcol.'));
});

test('checker: each broken config is reported with its line', () => {
  const ok = 'loki.write "a" {\n\tendpoint {\n\t\turl = "x"\n\t}\n}\n';
  const cases: [string, string, number][] = [
    ['unclosed block', 'loki.write "a" {\n\tendpoint {\n', 3],
    ['stray brace', ok + '}\n', 6],
    ['attribute without value', 'loki.write "a" {\n\turl =\n}\n', 3],
    ['unclosed string', 'loki.write "a" {\n\turl = "x\n}\n', 2],
    [
      'unknown reference',
      ok + 'loki.process "p" {\n\tforward_to = [loki.write.b.receiver]\n}\n',
      7,
    ],
    ['defined twice', ok + ok, 6],
    ['missing comma in a list', 'x.y "a" {\n\tv = [1 2]\n}\n', 2],
    ['dotted attribute', 'x.y "a" {\n\ta.b = 1\n}\n', 2],
    ['bad label', 'x.y "a-b" {\n}\n', 1],
    ['bad escape', 'x.y "a" {\n\tv = "\\q"\n}\n', 2],
  ];
  for (const [what, src, line] of cases) {
    const p = checkAlloy(src);
    assert.ok(p.length > 0, `${what}: no problem found`);
    assert.equal(p[0]!.line, line, `${what}: ${JSON.stringify(p)}`);
    assert.ok(p[0]!.message.length > 10, `${what}: says what is wrong`);
  }
  assert.deepEqual(checkAlloy(ok), []);
});
