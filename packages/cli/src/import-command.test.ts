/**
 * `canopy import`: into a data folder and through a running hub, format detection, the
 * progress bar on a terminal only, the summary, and bad command lines, files and configs
 * with their messages.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScrapeConfig, startHub, TSDB } from '@canopy/hub';
import { run } from './cli.js';
import { detectFormat, importCommand } from './import-command.js';
import { loadConfig } from './config.js';
import { remoteWriteSettings } from './remote-write-setup.js';

const dir = mkdtempSync(join(tmpdir(), 'canopy-import-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const T = Date.now() - 2 * 3_600_000;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

function stored(data: string, labels: Record<string, string>): number[] {
  const db = TSDB.open({ dir: join(data, 'tsdb'), retentionMs: 0 });
  try {
    return [...(db.samplesOf(labels, -Infinity, Infinity)?.t ?? [])];
  } finally {
    db.close();
  }
}

test('detects the format from the head and the tail of the file', () => {
  assert.equal(detectFormat('  {"metric":{}}', ''), 'vm-jsonl');
  assert.equal(detectFormat('up 1 1000\n', 'up 1 1000\n# EOF\n'), 'openmetrics');
  assert.equal(detectFormat('up 1 1000\n', 'up 1 1000\n'), 'text');
});

test('imports each format into a data folder and prints the summary', async () => {
  const data = join(dir, 'data1');
  const lines = Array.from(
    { length: 3000 },
    (_, i) => `relay_bytes_total{direction="in"} ${i} ${T + i * 1000}`,
  );
  const text = file('a.prom', lines.join('\n') + '\n');
  const r = await canopy('import', text, '--hub-data', data);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /imported .*a\.prom \(text, 0\.\d MB\) into .*data1 in [\d.]+ s/);
  assert.match(r.out, /series {4}1\n {2}samples {3}3000\n/);
  assert.match(
    r.out,
    new RegExp(`range {5}${new Date(T).toISOString()} → ${new Date(T + 2_999_000).toISOString()}`),
  );
  const om = file('b.om', `# TYPE up gauge\nup{job="x"} 1 ${T / 1000}\n# EOF\n`);
  assert.match((await canopy('import', om, '--hub-data', data)).out, /\(openmetrics,/);
  const js = file(
    'c.jsonl',
    JSON.stringify({ metric: { __name__: 'up', job: 'y' }, values: [1], timestamps: [T] }) + '\n',
  );
  assert.match((await canopy('import', js, '--hub-data', data)).out, /\(vm-jsonl,/);
  assert.equal(stored(data, { __name__: 'relay_bytes_total', direction: 'in' }).length, 3000);
  assert.deepEqual(stored(data, { __name__: 'up', job: 'x' }), [T]);
  assert.deepEqual(stored(data, { __name__: 'up', job: 'y' }), [T]);
});

test('refused lines: listed with numbers and reasons, exit 1', async () => {
  const f = file('bad.prom', `ok 1 ${T}\nno_ts 1\nok 2 ${T}\n`);
  const r = await canopy('import', f, '--hub-data', join(dir, 'data2'));
  assert.equal(r.code, 1);
  assert.match(
    r.out,
    /rejected {2}2 lines\n {4}line 2: no timestamp: an import needs a timestamp on every sample\n {4}line 3: duplicate sample for timestamp .*: 2, but line 1 has 1\n/,
  );
});

test('a progress bar on a terminal only', async () => {
  const f = file('p.prom', `a 1 ${T}\n`);
  let err = '';
  const io = { out: () => {}, err: (s: string) => void (err += s) };
  await importCommand([f, '--hub-data', join(dir, 'data3')], io, { tty: true });
  assert.match(err, /\r\[#{30}\] 100% {2}0\.0 MB\/0\.0 MB {2}1 samples\n$/);
  err = '';
  await importCommand([f, '--hub-data', join(dir, 'data3')], io, { tty: false });
  assert.equal(err, '');
});

test('through a running hub (--url, token from the config), and the lock message without it', async () => {
  const data = join(dir, 'data4');
  const tokenFile = file('token', 'secret-token\n');
  const cfg = file(
    'rw.yaml',
    `hub:\n  remote_write_receiver:\n    enabled: true\n    bearer_token_file: ${tokenFile}\n`,
  );
  const rw = remoteWriteSettings(loadConfig(cfg).config)!;
  assert.equal(rw.bearerToken, 'secret-token');
  const hub = await startHub({
    port: 0,
    dataDir: data,
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
    remoteWriteReceiver: rw,
  });
  try {
    const lines = Array.from({ length: 50 }, (_, i) => `pushed_total ${i} ${T + i * 1000}`);
    const f = file('u.prom', lines.join('\n') + `\nbroken\n`);
    const r = await canopy('import', f, '--url', hub.url, '--config', cfg);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, new RegExp(`into ${hub.url.replace(/[.]/g, '\\.')} in`));
    assert.match(r.out, /series {4}1\n {2}samples {3}50\n/);
    assert.match(r.out, /line 51: /);
    assert.equal(hub.tsdb.samplesOf({ __name__: 'pushed_total' }, 0, Infinity)?.t.length, 50);
    const noToken = await canopy('import', f, '--url', hub.url);
    assert.equal(noToken.code, 2);
    assert.match(noToken.err, /answered 401: missing or wrong bearer token/);
    const locked = await canopy('import', f, '--hub-data', data);
    assert.equal(locked.code, 2);
    assert.match(locked.err, /in use by another process .* import through it with --url/);
  } finally {
    await hub.stop();
  }
});

const usage: Array<[string, string[], RegExp]> = [
  ['no file', ['import'], /import: which file\? \(canopy import FILE/],
  ['two files', ['import', 'a', 'b'], /one file at a time, got 2: a b/],
  [
    'a missing file',
    ['import', '/nonexistent/x.prom'],
    /cannot read \/nonexistent\/x\.prom \(ENOENT\)/,
  ],
  ['a folder', ['import', '/tmp'], /cannot read \/tmp \(not a regular file\)/],
  [
    'an unknown format',
    ['import', '@FILE', '--format', 'csv'],
    /--format must be one of text, openmetrics, vm-jsonl, got "csv"/,
  ],
  [
    'both targets',
    ['import', '@FILE', '--hub-data', 'x', '--url', 'http://a'],
    /--hub-data and --url exclude each other/,
  ],
  [
    'a bad URL',
    ['import', '@FILE', '--url', 'nope'],
    /--url must be a URL such as http:\/\/127\.0\.0\.1:9400, got "nope"/,
  ],
  ['an unknown flag', ['import', '@FILE', '--speed', '3'], /import: Unknown option '--speed'/],
  [
    'a hub that is not there',
    ['import', '@FILE', '--url', 'http://127.0.0.1:1'],
    /cannot reach http:\/\/127\.0\.0\.1:1 .*is the hub running\?/,
  ],
  [
    'a missing token file',
    ['import', '@FILE', '--url', 'http://127.0.0.1:1', '--token-file', '/nonexistent/t'],
    /cannot read the token file \/nonexistent\/t \(ENOENT\)/,
  ],
];
for (const [name, argv, message] of usage) {
  test(`import refuses ${name} with a message and exit 2`, async () => {
    const f = file('usage.prom', `a 1 ${T}\n`);
    const r = await canopy(...argv.map((a) => (a === '@FILE' ? f : a)));
    assert.equal(r.code, 2);
    assert.match(r.err, message);
  });
}

const configs: Array<[string, string, RegExp]> = [
  [
    'enabled not a boolean',
    'enabled: "yes"',
    /hub\.remote_write_receiver\.enabled: expected true or false, got "yes"/,
  ],
  [
    'a bad size',
    'max_body_bytes: lots',
    /hub\.remote_write_receiver\.max_body_bytes: expected a size above 0 such as "32MiB", got "lots"/,
  ],
  [
    'zero samples',
    'max_samples_per_request: 0',
    /hub\.remote_write_receiver\.max_samples_per_request: expected a whole number of samples \(1 or more\), got 0/,
  ],
  ['an unknown key', 'bearer_token: abc', /hub\.remote_write_receiver: unknown key "bearer_token"/],
];
for (const [name, yaml, message] of configs) {
  test(`hub.remote_write_receiver refuses ${name} with the path and the fix`, async () => {
    const cfg = file('bad-rw.yaml', `hub:\n  remote_write_receiver:\n    ${yaml}\n`);
    const r = await canopy('import', file('x.prom', ''), '--config', cfg);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
  });
}

test('an unreadable or empty token file names the key and the fix', () => {
  const missing = file(
    'm.yaml',
    'hub:\n  remote_write_receiver:\n    enabled: true\n    bearer_token_file: /nonexistent/token\n',
  );
  assert.throws(
    () => remoteWriteSettings(loadConfig(missing).config),
    /hub\.remote_write_receiver\.bearer_token_file: cannot read "\/nonexistent\/token" \(ENOENT\); create it/,
  );
  const emptyFile = file('empty-token', '\n');
  const empty = file(
    'e.yaml',
    `hub:\n  remote_write_receiver:\n    enabled: true\n    bearer_token_file: ${emptyFile}\n`,
  );
  assert.throws(
    () => remoteWriteSettings(loadConfig(empty).config),
    /is empty; put the token in it/,
  );
});
