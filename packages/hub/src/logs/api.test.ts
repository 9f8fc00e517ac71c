import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { LogStore } from './log-store.js';
import { logApi } from './api.js';
import type { LogView } from './log-store.js';

const store = new LogStore(':memory:');
const stats = { pushRejected: 0 };
let server: Server;
let base = '';
before(async () => {
  const h = logApi(store, { maxPushBytes: 4096, stats });
  server = createServer((req, res) => {
    if (!h(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  store.close();
});

interface Answer<T> {
  status: number;
  body: { status: string; data: T; error?: string; errorType?: string };
}

async function push(
  body: string,
  type = 'application/x-ndjson',
  q = '',
): Promise<
  Answer<{
    accepted: number;
    rejected: number;
    errors: Array<{ line: number; error: string }>;
  }>
> {
  const res = await fetch(`${base}/api/v1/logs/push${q}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });
  return { status: res.status, body: (await res.json()) as never };
}

async function get(q: string): Promise<Answer<LogView[]>> {
  const res = await fetch(`${base}/api/v1/logs${q}`);
  return { status: res.status, body: (await res.json()) as never };
}

test('push: good lines stored, bad lines counted and reported by line number', async () => {
  const lines = [
    JSON.stringify({ time: 1_700_000_000_000, level: 'info', service: 'relay', msg: 'up' }),
    '{"level":"info","msg":"no service here"}',
    'not json',
    '',
    JSON.stringify({
      level: 'error',
      service: 'storage',
      msg: 'disk slow',
      trace_id: 'ab'.repeat(16),
    }),
  ];
  const r = await push(lines.join('\n'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, {
    accepted: 2,
    rejected: 2,
    errors: [
      { line: 2, error: 'no "service" field' },
      { line: 3, error: 'not JSON' },
    ],
  });
  assert.equal(stats.pushRejected, 2);
  const found = await get(`?trace_id=${'AB'.repeat(16)}`);
  assert.deepEqual(
    found.body.data.map((l) => [l.service, l.level, l.msg, l.traceId]),
    [['storage', 'error', 'disk slow', 'ab'.repeat(16)]],
  );
  // ?service= names the service of lines without one
  const d = await push('{"msg":"from a script"}', 'text/plain', '?service=cron');
  assert.equal(d.body.data.accepted, 1);
  assert.equal((await get('?service=cron')).body.data[0]?.msg, 'from a script');
});

test('push refusals: every line bad (400), too large (413), wrong type (415), GET (405)', async () => {
  const before = (await get('?limit=10000')).body.data.length;
  const cases: Array<[string, () => Promise<Answer<unknown>>, number, RegExp]> = [
    [
      'all bad',
      () => push('nope\n[1]\n'),
      400,
      /no line accepted; line 1: not JSON; line 2: expected a JSON object/,
    ],
    ['too large', () => push('x'.repeat(5000)), 413, /over the limit of 4096 bytes/],
    [
      'wrong type',
      () => push('{}', 'application/x-protobuf'),
      415,
      /unsupported Content-Type "application\/x-protobuf": send NDJSON/,
    ],
    [
      'GET on push',
      async () => {
        const res = await fetch(`${base}/api/v1/logs/push`);
        return { status: res.status, body: (await res.json()) as never };
      },
      405,
      /method GET not allowed \(use POST\)/,
    ],
  ];
  for (const [name, run, status, re] of cases) {
    const r = await run();
    assert.equal(r.status, status, name);
    assert.match(r.body.error ?? '', re, name);
  }
  assert.equal((await get('?limit=10000')).body.data.length, before, 'nothing stored');
});

test('search parameters: bad values are 400 with the reason', async () => {
  const cases: Array<[string, RegExp]> = [
    ['?query=%22open', /invalid parameter "query": .*unterminated string.*FTS5 syntax/],
    ['?query=a%20AND', /invalid parameter "query": .*syntax error/],
    [
      '?level=loud',
      /invalid parameter "level": expected one of trace, debug, info, warn, error, fatal, got "loud"/,
    ],
    ['?trace_id=123', /invalid parameter "trace_id": expected 32 hex digits, got "123"/],
    ['?limit=-3', /invalid parameter "limit": expected an integer from 1 to 10000/],
    ['?start=tomorrow', /invalid parameter "start": cannot parse "tomorrow"/],
  ];
  for (const [q, re] of cases) {
    const r = await get(q);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.errorType, 'bad_data', q);
    assert.match(r.body.error ?? '', re, q);
  }
  const ok = await get('?query=disk&level=warn');
  assert.deepEqual(
    ok.body.data.map((l) => l.msg),
    ['disk slow'],
  );
});
