import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

test('a valid traceparent gives its ids and flags, and formats back to itself', () => {
  for (const flags of ['00', '01', '03']) {
    const tp = `00-${TRACE}-${SPAN}-${flags}`;
    const p = parseTraceparent(tp);
    assert.deepEqual(p, { traceId: TRACE, spanId: SPAN, flags: parseInt(flags, 16) });
    assert.equal(formatTraceparent(p!), tp);
  }
});

test('a later version may append fields; they are ignored', () => {
  assert.equal(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId, TRACE);
});

const MALFORMED: ReadonlyArray<[string, unknown]> = [
  ['nothing', undefined],
  ['a number', 42],
  ['an object', { traceparent: `00-${TRACE}-${SPAN}-01` }],
  ['empty', ''],
  ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
  ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
  ['long span id', `00-${TRACE}-${SPAN}0-01`],
  ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
  ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
  ['version ff', `ff-${TRACE}-${SPAN}-01`],
  ['version 00 with more fields', `00-${TRACE}-${SPAN}-01-x`],
  ['not hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ['missing flags', `00-${TRACE}-${SPAN}`],
  ['very long', `01-${TRACE}-${SPAN}-01-${'x'.repeat(1000)}`],
];

for (const [what, value] of MALFORMED) {
  test(`a malformed traceparent (${what}) parses to undefined, without throwing`, () => {
    assert.equal(parseTraceparent(value), undefined);
  });
}
