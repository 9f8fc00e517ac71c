/**
 * `remote_write:` in canopy.yaml as a person meets it: a bad entry names the file, the path
 * and the fix (exit 2); a secret file that can't be read stops `canopy hub` before it starts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './cli.js';
import { hubSettings } from './hub-command.js';
import { parseConfig } from './config.js';

const BIN = fileURLToPath(new URL('../bin/canopy.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'canopy-rw-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function config(name: string, yaml: string): string {
  const p = join(root, name);
  writeFileSync(p, yaml);
  return p;
}

test('a bad remote_write entry names the file, the path and what was expected', async () => {
  const f = config(
    'bad.yaml',
    'remote_write:\n  - url: vm:8428\n    write_relabel_configs:\n      - action: keep\n',
  );
  const r = await cli(['check', 'budget', '--config', f]);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.yaml: remote_write\.0\.url: expected an http:\/\/ or https:\/\/ URL/);
  assert.match(
    r.err,
    /bad\.yaml: remote_write\.0\.write_relabel_configs\.0\.source_labels: required for action keep/,
  );
});

test('the series limit defaults to budget.series; hub settings carry the endpoints', () => {
  const c = parseConfig(
    {
      budget: { series: 1234 },
      remote_write: [{ url: 'http://127.0.0.1:8428/api/v1/write', name: 'vm' }],
    },
    'canopy.yaml',
  );
  const s = hubSettings(c, '127.0.0.1:0', join(root, 'data'));
  assert.equal(s.remoteWrite?.[0]?.name, 'vm');
  assert.equal(s.remoteWrite?.[0]?.series_limit, 1234);
  assert.equal(hubSettings(parseConfig({}, 'x'), '127.0.0.1:0').remoteWrite, undefined);
});

test('canopy hub refuses to start when a secret file is missing', async () => {
  const missing = join(root, 'no-such-token');
  const f = config(
    'secret.yaml',
    `remote_write:\n  - url: http://127.0.0.1:9/api/v1/write\n    name: cloud\n    bearer_token_file: ${missing}\n`,
  );
  const r = await cli(['hub', '--config', f, '--listen', '127.0.0.1:0', '--data', join(root, 'd')]);
  assert.equal(r.code, 2, r.err);
  assert.match(
    r.err,
    /bad config\nremote_write "cloud" \(http:\/\/127\.0\.0\.1:9\/api\/v1\/write\): bearer_token_file: cannot read .*no-such-token \(ENOENT\): create it or fix the path/,
  );
});

test('canopy hub prints each remote write endpoint and creates its queue', async () => {
  const data = join(root, 'banner-data');
  const f = config(
    'banner.yaml',
    `remote_write:\n  - url: http://127.0.0.1:9/api/v1/write\n    name: vm\n`,
  );
  const child = spawn(
    process.execPath,
    [BIN, 'hub', '--config', f, '--listen', '127.0.0.1:0', '--data', data],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('remote write →')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`canopy hub exited:\n${out}`)));
    });
    assert.match(
      out,
      /remote write → vm http:\/\/127\.0\.0\.1:9\/api\/v1\/write \(queue in .*banner-data\/remote-write\/vm\)/,
    );
    assert.ok(existsSync(join(data, 'remote-write', 'vm', 'queue.sqlite')));
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
});
