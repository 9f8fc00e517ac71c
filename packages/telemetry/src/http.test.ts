import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { Registry } from './registry.js';
import { metricsHandler, serveMetrics } from './http.js';
import { CONTENT_TYPE_OPENMETRICS, CONTENT_TYPE_TEXT } from './exposition.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on a fresh connection to 127.0.0.1, with the raw (not decompressed) body. */
function fetchRaw(
  server: Server,
  options: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/metrics',
        headers: options.headers ?? {},
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A registry whose render does not change between scrapes (no self-metrics). */
function stableRegistry(families = 3): Registry {
  const r = new Registry({ selfMetrics: false });
  for (let m = 0; m < families; m++) {
    const c = r.counter({
      type: 'counter',
      name: `relay_messages_${m}_total`,
      help: `Messages ${m}.`,
      labels: { direction: { kind: 'enum', values: ['in', 'out'] } },
    });
    c.labels({ direction: 'in' }).inc(m);
    c.labels({ direction: 'out' }).inc(2 * m);
  }
  return r;
}

/** Lines with their values blanked: the shape of a body. */
const shape = (body: string): string[] => body.split('\n').map((l) => l.replace(/ [^ ]+$/, ' _'));

describe('serveMetrics', () => {
  const registry = stableRegistry();
  let server: Server | undefined;
  const srv = (): Server => server!;

  before(async () => {
    server = await serveMetrics(registry, { port: 0 });
  });
  after(() => close(server));

  it('binds 127.0.0.1 by default', () => {
    const addr = srv().address() as AddressInfo;
    assert.equal(addr.address, '127.0.0.1');
    assert.ok(addr.port > 0);
  });

  it('serves GET in the text format', async () => {
    const res = await fetchRaw(srv());
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], CONTENT_TYPE_TEXT);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.body.toString(), registry.render('text'));
  });

  it('ignores the query string', async () => {
    const res = await fetchRaw(srv(), { path: '/metrics?name[]=up' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), registry.render('text'));
  });

  it('answers HEAD with headers only', async () => {
    const res = await fetchRaw(srv(), { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], CONTENT_TYPE_TEXT);
    assert.equal(res.body.length, 0);
  });

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    it(`refuses ${method} with 405 and Allow`, async () => {
      const res = await fetchRaw(srv(), { method });
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.equal(res.body.toString(), `method ${method} not allowed: use GET or HEAD\n`);
    });
  }

  for (const path of ['/', '/metric', '/metrics/', '/metrics/x', '/other?x=/metrics']) {
    it(`answers ${path} with 404`, async () => {
      const res = await fetchRaw(srv(), { path });
      assert.equal(res.status, 404);
      assert.equal(res.body.toString(), 'not found: metrics are served at /metrics\n');
    });
  }

  it('serves OpenMetrics when asked', async () => {
    const res = await fetchRaw(srv(), {
      headers: {
        accept:
          'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], CONTENT_TYPE_OPENMETRICS);
    assert.match(res.headers.vary ?? '', /Accept/);
    assert.equal(res.body.toString(), registry.render('openmetrics'));
    assert.ok(res.body.toString().endsWith('# EOF\n'));
  });

  it('gzips when the client accepts it', async () => {
    const res = await fetchRaw(srv(), { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.body[0], 0x1f, 'gzip magic');
    assert.equal(res.body[1], 0x8b, 'gzip magic');
    assert.equal(gunzipSync(res.body).toString(), registry.render('text'));
  });

  it('gzips OpenMetrics too', async () => {
    const res = await fetchRaw(srv(), {
      headers: { accept: 'application/openmetrics-text', 'accept-encoding': 'gzip' },
    });
    assert.equal(res.headers['content-type'], CONTENT_TYPE_OPENMETRICS);
    assert.equal(gunzipSync(res.body).toString(), registry.render('openmetrics'));
  });
});

describe('serveMetrics options', () => {
  let server: Server | undefined;
  after(() => close(server));

  it('serves a custom path', async () => {
    server = await serveMetrics(stableRegistry(), { port: 0, path: '/internal/metrics' });
    assert.equal((await fetchRaw(server, { path: '/internal/metrics' })).status, 200);
    const miss = await fetchRaw(server);
    assert.equal(miss.status, 404);
    assert.equal(miss.body.toString(), 'not found: metrics are served at /internal/metrics\n');
    await close(server);
    server = undefined;
  });
});

describe('serveMetrics with a bearer token', () => {
  const TOKEN = 's3cret-token';
  let server: Server | undefined;
  const srv = (): Server => server!;
  before(async () => {
    server = await serveMetrics(stableRegistry(), { port: 0, token: TOKEN });
  });
  after(() => close(server));

  const refused: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer nope' }],
    ['token with a suffix', { authorization: `Bearer ${TOKEN}x` }],
    ['token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['basic auth', { authorization: `Basic ${TOKEN}` }],
    ['bare token', { authorization: TOKEN }],
  ];
  for (const [name, headers] of refused) {
    it(`answers 401 for ${name}`, async () => {
      const res = await fetchRaw(srv(), { headers });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
      assert.equal(res.body.toString(), 'unauthorized: send Authorization: Bearer <token>\n');
      assert.ok(!res.body.toString().includes('relay_'));
    });
  }

  it('serves with the right token', async () => {
    const res = await fetchRaw(srv(), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /^relay_messages_0_total\{direction="in"\} 0$/m);
  });

  it('refuses HEAD without the token', async () => {
    assert.equal((await fetchRaw(srv(), { method: 'HEAD' })).status, 401);
  });
});

describe('concurrent scrapes', () => {
  // Enough families that a render spans several chunks and scrapes interleave.
  const registry = new Registry();
  for (let m = 0; m < 150; m++) {
    const g = registry.gauge({
      type: 'gauge',
      name: `relay_thing_${m}`,
      help: `Thing ${m}.`,
      labels: { kind: { kind: 'enum', values: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] } },
    });
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'zz'])
      g.labels({ kind: k } as never).set(m);
  }
  let server: Server | undefined;
  before(async () => {
    server = await serveMetrics(registry, { port: 0 });
  });
  after(() => close(server));

  it('gives 20 concurrent scrapes complete bodies of the same shape', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetchRaw(server!, {
          headers: {
            accept: i % 4 < 2 ? 'application/openmetrics-text' : '*/*',
            ...(i % 2 === 0 ? { 'accept-encoding': 'gzip' } : {}),
          },
        }),
      ),
    );
    const bodies = replies.map((r, i) => {
      assert.equal(r.status, 200);
      return i % 2 === 0 ? gunzipSync(r.body).toString() : r.body.toString();
    });
    const om = bodies.filter((_, i) => i % 4 < 2);
    const text = bodies.filter((_, i) => i % 4 >= 2);
    assert.equal(om.length, 10);
    for (const b of om) {
      assert.ok(b.endsWith('# EOF\n'));
      assert.deepEqual(shape(b), shape(om[0]!));
    }
    for (const b of text) {
      assert.ok(b.endsWith('\n'));
      assert.deepEqual(shape(b), shape(text[0]!));
    }
    assert.ok(text[0]!.includes('relay_thing_149{kind="other"} 149\n'));
    assert.ok(text[0]!.includes('canopy_telemetry_series{metric="relay_thing_149"} 8\n'));
    // Every scrape was counted exactly once.
    const scrapes = /^canopy_telemetry_scrapes_total (\d+)$/m;
    const counts = bodies.map((b) => Number(scrapes.exec(b)?.[1])).sort((a, b) => a - b);
    assert.deepEqual(
      counts,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});

describe('metricsHandler', () => {
  /** A response whose socket never drains: every write is left pending. */
  function stalledResponse(): ServerResponse {
    const res = new Writable({ highWaterMark: 1, write: () => undefined });
    return Object.assign(res, {
      writeHead: () => res,
    }) as unknown as ServerResponse;
  }

  it('stops rendering and lets go of a response closed while waiting for drain', async () => {
    const handler = metricsHandler(stableRegistry(50));
    const res = stalledResponse();
    handler({ url: '/metrics', method: 'GET', headers: {} } as never, res);
    for (let i = 0; i < 100 && res.listenerCount('drain') === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(res.listenerCount('drain'), 1, 'the handler waits for drain');
    res.destroy();
    for (let i = 0; i < 100 && res.listenerCount('drain') > 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(res.listenerCount('drain'), 0, 'the handler gave up on the closed response');
    assert.equal(res.listenerCount('close'), 0);
  });
});
