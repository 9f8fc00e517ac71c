import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldText, levelName, logRequest } from './query.js';

const req = (q: string) => logRequest(new URLSearchParams(q), 100.5, 200.5);

test('the log query carries search, service, lowest level and trace over the page range', () => {
  assert.deepEqual(req(''), { ok: true, params: { start: '100', end: '201', limit: '200' } });
  assert.deepEqual(
    req(
      `q=${encodeURIComponent('"dial failed" timeout')}&service=relay&level=WARN&trace=4BF92F3577B34DA6A3CE929D0E0E4736`,
    ),
    {
      ok: true,
      params: {
        query: '"dial failed" timeout',
        service: 'relay',
        level: 'warn',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        start: '100',
        end: '201',
        limit: '200',
      },
    },
  );
  assert.deepEqual(req('q=%20%20&service=&level=&trace='), req(''));
});

test('an unknown level or a malformed trace ID is said, not sent', () => {
  assert.deepEqual(req('level=loud'), {
    ok: false,
    error: 'Level "loud" is not a log level: choose one of trace, debug, info, warn, error, fatal.',
  });
  assert.deepEqual(req('trace=abc'), {
    ok: false,
    error: 'Trace ID "abc" is not 32 hex digits (e.g. 4bf92f3577b34da6a3ce929d0e0e4736).',
  });
});

test("levels by name or pino's number", () => {
  assert.equal(levelName(30), 'info');
  assert.equal(levelName(45), 'warn');
  assert.equal(levelName(60), 'fatal');
  assert.equal(levelName(5), 'trace');
  assert.equal(levelName('50'), 'error');
  assert.equal(levelName('WARNING'), 'warn');
  assert.equal(levelName('Debug'), 'debug');
});

test('fields as key=value', () => {
  assert.equal(
    fieldText({ attempt: 2, reason: 'timeout', ok: false, o: { a: 1 } }),
    'attempt=2 reason=timeout ok=false o={"a":1}',
  );
  assert.equal(fieldText(undefined), '');
});
