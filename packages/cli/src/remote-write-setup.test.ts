/**
 * `hub.remote_write_receiver` from canopy.yaml through `hubSettings` and `runHub` (what
 * `canopy hub` and `canopy up` start): the receiver is on with the file's token, off without
 * the section.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import { encodeWriteRequest, parseScrapeConfig } from '@canopy/hub';
import { parseConfig } from './config.js';
import { hubSettings, runHub } from './hub-command.js';

const dir = mkdtempSync(join(tmpdir(), 'canopy-rw-setup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const body = snappy.compress(
  encodeWriteRequest({
    timeseries: [
      {
        labels: { __name__: 'pushed', job: 'x' },
        t: Float64Array.of(Date.now()),
        v: Float64Array.of(1),
      },
    ],
    metadata: [],
  }),
);

async function push(url: string, token?: string): Promise<number> {
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  await r.body?.cancel();
  return r.status;
}

test('canopy hub accepts pushes with the token of bearer_token_file, and only then', async () => {
  writeFileSync(join(dir, 'token'), 'from-the-file\n');
  const config = parseConfig(
    {
      hub: {
        data: join(dir, 'on'),
        remote_write_receiver: { enabled: true, bearer_token_file: join(dir, 'token') },
      },
    },
    'canopy.yaml',
  );
  const s = hubSettings(config, '127.0.0.1:0');
  assert.deepEqual(s.remoteWriteReceiver, {
    enabled: true,
    bearerToken: 'from-the-file',
    maxBodyBytes: 32 * 1024 * 1024,
    maxSamplesPerRequest: 1_000_000,
  });
  const hub = await runHub(s, parseScrapeConfig({ targets: [] }));
  try {
    assert.equal(await push(hub.url), 401);
    assert.equal(await push(hub.url, 'from-the-file'), 204);
    assert.equal(hub.tsdb.samplesOf({ __name__: 'pushed', job: 'x' }, 0, Infinity)?.t.length, 1);
  } finally {
    await hub.stop();
  }
});

test('without the section the receiver is off', async () => {
  const s = hubSettings(
    parseConfig({ hub: { data: join(dir, 'off') } }, 'canopy.yaml'),
    '127.0.0.1:0',
  );
  assert.equal(s.remoteWriteReceiver, undefined);
  const hub = await runHub(s, parseScrapeConfig({ targets: [] }));
  try {
    assert.equal(await push(hub.url), 404);
  } finally {
    await hub.stop();
  }
});
