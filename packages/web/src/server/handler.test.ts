import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildDashboards } from '../model/index.js';
import { uiHandler } from './handler.js';
import { loadAssets } from './assets.js';

async function serve(
  handler: ReturnType<typeof uiHandler>,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(418).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  return { url: `http://127.0.0.1:${a.port}`, server };
}

function fakeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-ui-assets-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ js: 'main-A.js', css: 'main-B.css' }));
  writeFileSync(join(dir, 'assets', 'main-A.js'), 'console.log("canopy");\n'.repeat(200));
  writeFileSync(join(dir, 'assets', 'main-B.css'), 'body{}');
  return dir;
}

test('page routes answer with the app and the page set inlined; other paths pass', async () => {
  const dir = fakeBundle();
  const model = buildDashboards();
  const { url, server } = await serve(
    uiHandler({
      model,
      backend: 'hub </script><script>alert(1)</script>',
      assets: loadAssets(dir)!,
    }),
  );
  try {
    for (const path of [
      '/',
      '/d/relay',
      '/alerts',
      '/targets',
      '/budget',
      '/explore?q=up',
      '/traces?service=relay',
      '/traces/4bf92f3577b34da6a3ce929d0e0e4736?span=00f067aa0ba902b7',
      '/logs?q=timeout&level=warn',
    ]) {
      const r = await fetch(url + path);
      assert.equal(r.status, 200, path);
      const html = await r.text();
      assert.match(html, /<script type="module" src="\/ui\/assets\/main-A\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="\/ui\/assets\/main-B\.css">/);
      // The config can't close its <script> element early.
      assert.equal(html.match(/<\/script>/g)?.length, 2, path);
      const json = /<script id="canopy-config" type="application\/json">(.*?)<\/script>/s.exec(
        html,
      )![1]!;
      assert.deepEqual(JSON.parse(json).model, JSON.parse(JSON.stringify(model)));
    }
    assert.deepEqual(
      await (await fetch(`${url}/ui/dashboards.json`)).json(),
      JSON.parse(JSON.stringify(model)),
    );
    for (const path of [
      '/metrics',
      '/api/v1/query',
      '/api/v1/traces',
      '/v1/traces',
      '/d/relay/x',
      '/traces/a/b',
      '/nope',
    ])
      assert.equal((await fetch(url + path)).status, 418, path);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundle files: cached for good, gzip when asked, 404 for unknown names', async () => {
  const dir = fakeBundle();
  const { url, server } = await serve(
    uiHandler({ model: buildDashboards(), backend: 'hub', assets: loadAssets(dir)! }),
  );
  try {
    const r = await fetch(`${url}/ui/assets/main-A.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.match(await r.text(), /console\.log/); // fetch decodes it
    const raw = await new Promise<Buffer>((resolve) => {
      import('node:http').then(({ get }) =>
        get(`${url}/ui/assets/main-A.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
        }),
      );
    });
    assert.ok(raw.length < 200 * 23, 'smaller than the file');
    assert.match(gunzipSync(raw).toString(), /canopy/);
    assert.equal((await fetch(`${url}/ui/assets/main-Z.js`)).status, 404);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a built bundle the page says how to build it (503); the API paths still pass', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'canopy-ui-none-'));
  assert.equal(loadAssets(empty), undefined);
  const { url, server } = await serve(
    uiHandler({ model: buildDashboards(), backend: 'hub', assets: null }),
  );
  try {
    const r = await fetch(`${url}/d/relay`);
    assert.equal(r.status, 503);
    assert.match(await r.text(), /not built.*npm run build/s);
    assert.equal((await fetch(`${url}/ui/dashboards.json`)).status, 200);
    assert.equal((await fetch(`${url}/api/v1/query`)).status, 418);
  } finally {
    server.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
