import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogStore } from './log-store.js';
import { parseLogJson, parseCapturedLine, levelName } from './log-line.js';
import { BadData } from '../api/params.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function seeded(): LogStore {
  const store = new LogStore(':memory:');
  const lines = [
    { time: T0, level: 'info', service: 'relay', msg: 'peer connected', peers: 12 },
    { time: T0 + 1, level: 'warn', service: 'relay', msg: 'dial timeout', reason: 'timeout' },
    {
      time: new Date(T0 + 2).toISOString(),
      level: 50,
      service: 'storage',
      msg: 'write failed',
      trace_id: TRACE.toUpperCase(),
      span_id: '00f067aa0ba902b7',
      err: { type: 'SqliteError', message: 'disk I/O error' },
    },
    { time: T0 + 3, level: 'debug', service: 'replay', msg: 'applied batch', trace_id: TRACE },
    { time: T0 + 4, level: 'fatal', service: 'storage', msg: 'giving up' },
  ];
  store.append(lines.map((l) => parseLogJson(JSON.stringify(l), 0)));
  return store;
}

test('pino lines: levels as labels or numbers, ISO or epoch times, the rest in fields', () => {
  const store = seeded();
  const [newest, , failed] = store.search({});
  assert.equal(newest?.msg, 'giving up');
  assert.deepEqual(failed, {
    timeMs: T0 + 2,
    service: 'storage',
    level: 'error',
    msg: 'write failed',
    traceId: TRACE,
    spanId: '00f067aa0ba902b7',
    fields: { err: { type: 'SqliteError', message: 'disk I/O error' } },
  });
  assert.equal(levelName(35), 'info');
  store.close();
});

test('search: full text over message and fields, service, level, trace, time; newest first', () => {
  const store = seeded();
  const msgs = (q: Parameters<LogStore['search']>[0]): string[] =>
    store.search(q).map((l) => l.msg);
  const cases: Array<[string, Parameters<LogStore['search']>[0], string[]]> = [
    ['a word of the message', { query: 'timeout' }, ['dial timeout']],
    ['a word only in a field', { query: 'SqliteError' }, ['write failed']],
    ['a phrase', { query: '"disk I/O"' }, ['write failed']],
    ['prefix', { query: 'appl*' }, ['applied batch']],
    ['boolean', { query: 'peer OR giving' }, ['giving up', 'peer connected']],
    ['service', { service: 'storage' }, ['giving up', 'write failed']],
    ['min level warn', { minLevel: 40 }, ['giving up', 'write failed', 'dial timeout']],
    ['trace id, any case', { traceId: TRACE.toUpperCase() }, ['applied batch', 'write failed']],
    ['time window', { startMs: T0 + 1, endMs: T0 + 2 }, ['write failed', 'dial timeout']],
    ['limit', { limit: 2 }, ['giving up', 'applied batch']],
    ['text and service', { query: 'failed', service: 'relay' }, []],
  ];
  for (const [name, q, want] of cases) assert.deepEqual(msgs(q), want, name);
  store.close();
});

test('FTS syntax errors are BadData with the reason', () => {
  const store = seeded();
  for (const [query, re] of [
    ['"unterminated', /invalid parameter "query": .*unterminated string/],
    ['AND', /invalid parameter "query": .*syntax error near "AND"/],
    ['nosuchcol: x', /invalid parameter "query": no such column: nosuchcol/],
  ] as const) {
    assert.throws(
      () => store.search({ query }),
      (e: unknown) => e instanceof BadData && re.test(e.message),
      query,
    );
  }
  store.close();
});

test('bounded by rows and bytes: the oldest lines go, the index follows', () => {
  const rows = new LogStore(':memory:', { maxRows: 1000 });
  for (let i = 0; i < 30; i++)
    rows.append(
      Array.from({ length: 100 }, (_, k) =>
        parseCapturedLine(`line ${i * 100 + k} marker${i * 100 + k}`, 'relay', T0 + i * 100 + k),
      ),
    );
  assert.ok(rows.stats.rows <= 1000 && rows.stats.rows >= 900, `${rows.stats.rows} rows`);
  assert.equal(rows.search({ limit: 10_000 }).length, rows.stats.rows);
  assert.deepEqual(rows.search({ query: 'marker5' }), [], 'deleted lines leave the index too');
  assert.equal(rows.search({ query: 'marker2999' }).length, 1);
  rows.close();

  const bytes = new LogStore(':memory:', { maxBytes: 50_000 });
  const pad = 'y'.repeat(400);
  for (let i = 0; i < 500; i++) bytes.append([parseCapturedLine(`${i} ${pad}`, 'relay', T0 + i)]);
  assert.ok(bytes.stats.bytes <= 50_000, `${bytes.stats.bytes} bytes`);
  const kept = bytes.search({ limit: 10_000 });
  assert.equal(kept[0]?.msg.split(' ')[0], '499', 'the newest is kept');
  assert.ok(kept.length > 80 && kept.length <= 120, `${kept.length} lines kept`);
  bytes.close();
});

test('lines that are not pino: kept as info text of the child; bad pino fields say why', () => {
  assert.deepEqual(parseCapturedLine('Error: boom', 'relay-a', T0), {
    timeMs: T0,
    service: 'relay-a',
    level: 30,
    msg: 'Error: boom',
    fields: {},
  });
  assert.equal(parseCapturedLine('{"msg":"x"}', 'replay', T0).service, 'replay');
  assert.equal(parseCapturedLine('{"msg":"x","service":"relay"}', 'relay-b', T0).service, 'relay');
  for (const [line, re] of [
    ['[1]', /expected a JSON object/],
    ['{"service":"a","level":"loud"}', /level "loud" is not one of trace, debug/],
    ['{"service":"a","time":"soon"}', /time "soon" is neither an ISO 8601 string nor epoch/],
    ['{"msg":"no service"}', /no "service" field/],
    ['{"msg":', /not JSON/],
  ] as const)
    assert.throws(() => parseLogJson(line, T0), re, line);
});
