import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, parseScrapeConfig } from '@canopy/hub';
import { buildDashboards, startUiServer } from '@canopy/web';
import { freePort } from '@canopy/stack';
import { run } from './cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (s: string) => out.push(s),
    err: (s: string) => err.push(s),
    text: () => out.join(''),
    errors: () => err.join(''),
  };
}

test('canopy --help lists ui, and ui --help its flags', async () => {
  const c = io();
  assert.equal(await run(['--help'], c), 0);
  assert.match(c.text(), /ui --prometheus URL \[--listen HOST:PORT\] \[--config FILE\]/);
  const u = io();
  assert.equal(await run(['ui', '--help'], u), 0);
  assert.match(u.text(), /default 127\.0\.0\.1:9401/);
});

test('canopy ui: a bad command line says what is expected (exit 2)', async () => {
  for (const [args, want] of [
    [['ui'], /--prometheus URL is required/],
    [['ui', '--prometheus', 'ftp://x'], /expected an http:\/\/ or https:\/\/ URL/],
    [['ui', '--prometheus', 'http://127.0.0.1:8428', '--listen', 'nope'], /--listen/],
    [['ui', '--bogus'], /ui: Unknown option '--bogus'/],
  ] as const) {
    const c = io();
    assert.equal(await run([...args], c), 2, args.join(' '));
    assert.match(c.errors(), want);
  }
});

test('canopy ui passes the Prometheus API through to the backend, GET and POST', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-ui-cmd-'));
  const hub = await startHub({
    dataDir: dir,
    port: 0,
    scrape: parseScrapeConfig({ targets: [] }),
    host_collector: false,
    selfScrape: false,
  });
  const app = hub.tsdb.appender();
  const t = Date.now();
  app.append({ __name__: 'up', service: 'relay', instance: 'a:1' }, t - 1000, 1);
  app.commit();
  const ui = await startUiServer({
    prometheus: new URL(hub.url),
    model: buildDashboards(),
    port: 0,
  });
  try {
    const q = `query=up&time=${t / 1000}`;
    const direct = await (await fetch(`${hub.url}/api/v1/query?${q}`)).json();
    const viaGet = await fetch(`${ui.url}/api/v1/query?${q}`);
    assert.equal(viaGet.status, 200);
    assert.deepEqual(await viaGet.json(), direct);
    const viaPost = await fetch(`${ui.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: q,
    });
    assert.deepEqual(await viaPost.json(), direct);
    // The backend's own errors come through as they are.
    const bad = await fetch(`${ui.url}/api/v1/query?query=sum(`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errorType: string }).errorType, 'bad_data');
    assert.match(await (await fetch(`${ui.url}/d/relay`)).text(), /canopy-config/);
  } finally {
    await ui.stop();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('canopy ui: a backend that is down (502) or does not answer (504) is named', async () => {
  const closed = await freePort();
  const down = await startUiServer({
    prometheus: new URL(`http://127.0.0.1:${closed}`),
    model: buildDashboards(),
    port: 0,
  });
  const sockets: Socket[] = [];
  const silent = createTcpServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const slow = await startUiServer({
    prometheus: new URL(`http://127.0.0.1:${port}/prefix/`),
    model: buildDashboards(),
    port: 0,
    timeoutMs: 300,
  });
  try {
    const r = await fetch(`${down.url}/api/v1/query?query=up`);
    assert.equal(r.status, 502);
    assert.deepEqual(await r.json(), {
      status: 'error',
      errorType: 'unavailable',
      error: `cannot reach the Prometheus backend at http://127.0.0.1:${closed} (ECONNREFUSED)`,
    });
    const s = await fetch(`${slow.url}/api/v1/query?query=up`);
    assert.equal(s.status, 504);
    assert.equal(
      ((await s.json()) as { error: string }).error,
      `the Prometheus backend at http://127.0.0.1:${port}/prefix did not answer within 0.3 s`,
    );
    // The pages themselves still load.
    assert.equal((await fetch(`${down.url}/`)).status, 200);
  } finally {
    await down.stop();
    await slow.stop();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});
