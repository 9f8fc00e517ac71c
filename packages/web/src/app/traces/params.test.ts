import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTraceId, shortId, traceIdProblem, traceListRequest, traceWindow } from './params.js';

const req = (q: string) => traceListRequest(new URLSearchParams(q), 1000.4, 4600.2);

test('the trace list asks for the URL filters over the page range', () => {
  assert.deepEqual(req(''), { ok: true, params: { start: '1000', end: '4601', limit: '100' } });
  assert.deepEqual(req('service=relay&operation=dial%20peer&min_duration=250.5'), {
    ok: true,
    params: {
      service: 'relay',
      operation: 'dial peer',
      min_duration: '250.5',
      start: '1000',
      end: '4601',
      limit: '100',
    },
  });
  // Empty filters are no filters.
  assert.deepEqual(req('service=&operation=%20&min_duration='), req(''));
});

test('a minimum duration that is not milliseconds is said, not sent', () => {
  for (const bad of ['fast', '-5', '1e3', '250ms'])
    assert.deepEqual(req(`min_duration=${encodeURIComponent(bad)}`), {
      ok: false,
      error: `Minimum duration "${bad}" is not a number of milliseconds: enter e.g. 250, or leave it empty for any duration.`,
    });
});

test('trace IDs: 32 hex digits, not all zero', () => {
  assert.ok(isTraceId('4bf92f3577b34da6a3ce929d0e0e4736'));
  assert.ok(isTraceId('4BF92F3577B34DA6A3CE929D0E0E4736'));
  for (const bad of [
    '',
    'xyz',
    '4bf92f3577b34da6',
    '4bf92f3577b34da6a3ce929d0e0e473',
    '0'.repeat(32),
    `${'a'.repeat(32)} `,
  ])
    assert.equal(isTraceId(bad), false, bad);
  assert.equal(traceIdProblem('4bf92f3577b34da6a3ce929d0e0e4736'), '');
  assert.equal(
    traceIdProblem('nope'),
    'Trace ID "nope" is not 32 hex digits (e.g. 4bf92f3577b34da6a3ce929d0e0e4736).',
  );
  assert.equal(shortId('4bf92f3577b34da6a3ce929d0e0e4736'), '4bf92f35');
});

test("a trace's links carry its own time with a minute either side", () => {
  assert.deepEqual(traceWindow(1_700_000_000_000, 1500), {
    from: 1_699_999_940,
    to: 1_700_000_062,
  });
  assert.deepEqual(traceWindow(1_700_000_000_500, -1), { from: 1_699_999_940, to: 1_700_000_061 });
});
