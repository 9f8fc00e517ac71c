/**
 * `canopy migrate` refusals: every bad flag or input gets a message that says what is wrong
 * and what to do, with exit code 2, before anything is sent.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from '@canopy/hub';
import { freePort } from '@canopy/stack';
import { run } from '../cli.js';
import { writeHistory } from '../testing/ui-history.js';
import { Progress } from './progress.js';

const root = mkdtempSync(join(tmpdir(), 'canopy-migrate-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['migrate', ...args], {
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  return { code, out, err };
}

const DATA = join(root, 'data');
writeHistory(DATA, { hours: 0.1, end: Date.now() - 600_000 });
const EMPTY = join(root, 'empty');
TSDB.open({ dir: join(EMPTY, 'tsdb') }).close();

const cases: { name: string; args: () => Promise<string[]> | string[]; message: RegExp }[] = [
  {
    name: 'no --from',
    args: () => ['--to', 'http://127.0.0.1:8428'],
    message: /--from is required/,
  },
  { name: 'no --to', args: () => ['--from', DATA], message: /--to URL is required/ },
  {
    name: '--to not a URL',
    args: () => ['--from', DATA, '--to', 'vm:8428:x'],
    message: /--to: .*expected|--to: "vm:8428:x" is not a URL/,
  },
  {
    name: '--to with another scheme',
    args: () => ['--from', DATA, '--to', 'ftp://127.0.0.1:8428'],
    message: /expected an http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'bad --batch-samples',
    args: () => ['--from', DATA, '--to', 'http://127.0.0.1:8428', '--batch-samples', '0'],
    message: /--batch-samples: expected a whole number ≥ 1, got "0"/,
  },
  {
    name: 'unknown flag',
    args: () => ['--from', DATA, '--to', 'http://127.0.0.1:8428', '--dry'],
    message: /Unknown option '--dry'/,
  },
  {
    name: 'missing data folder',
    args: () => ['--from', join(root, 'nowhere'), '--to', 'http://127.0.0.1:8428'],
    message: /--from: .*nowhere\/tsdb does not exist: no hub has stored data there/,
  },
  {
    name: 'empty hub',
    args: () => ['--from', EMPTY, '--to', 'http://127.0.0.1:8428'],
    message: /the hub store in .*empty is empty: nothing to migrate/,
  },
  {
    name: 'unreachable target',
    args: async () => ['--from', DATA, '--to', `http://127.0.0.1:${await freePort()}`],
    message:
      /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is VictoriaMetrics running there\?/,
  },
];

for (const c of cases)
  test(`migrate refuses: ${c.name}`, async () => {
    const r = await cli(await c.args());
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, c.message);
    assert.match(r.err, /Run "canopy --help" for usage/);
  });

test('migrate refuses a target that is not VictoriaMetrics, naming what it expected', async () => {
  // Something that answers HTTP but is not VictoriaMetrics (as a Prometheus or a web server would).
  const srv = createServer((_req, res) => res.end('# HELP up\nup 1\n'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as { port: number }).port;
    const r = await cli(['--from', DATA, '--to', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /is not a VictoriaMetrics single node \(its \/metrics has no vm_app_version\)/,
    );
  } finally {
    srv.close();
  }
});

test('migrate --help describes resuming and the exit codes', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--from hub\|DIR/);
  assert.match(r.out, /Interrupted runs resume/);
});

test('--from hub takes hub.data from the config file and says so', async () => {
  const config = join(root, 'canopy.yaml');
  writeFileSync(config, `hub:\n  data: ${DATA}\n`);
  const r = await cli([
    '--from',
    'hub',
    '--config',
    config,
    '--to',
    `http://127.0.0.1:${await freePort()}`,
  ]);
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`hub data folder ${DATA} \\(hub\\.data of .*canopy\\.yaml\\)`));
  // It got as far as the target: the data folder was found and read.
  assert.match(r.err, /cannot reach/);
});

test('progress: a bar redrawn in place on a terminal, plain lines by tenths otherwise', () => {
  let tty = '';
  const bar = new Progress({ write: (s) => (tty += s), isTTY: true }, 4);
  bar.update(1, 100);
  bar.update(4, 400);
  assert.match(tty, /^\r\[#{8}\.{22}\] {2}25% 1\/4 series, 100 samples sent/);
  assert.match(tty, /\r\[#{30}\] 100% 4\/4 series, 400 samples sent .*\n$/);
  let plain = '';
  const lines = new Progress({ write: (s) => (plain += s), isTTY: false }, 100);
  for (let i = 0; i <= 100; i++) lines.update(i, i * 10);
  const printed = plain.trim().split('\n');
  assert.equal(printed.length, 11, plain);
  assert.ok(printed.every((l) => /^migrate: +\d+% \d+\/100 series/.test(l)));
});
