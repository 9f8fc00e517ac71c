import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTicks, layoutWaterfall } from './waterfall.js';
import type { Span } from './types.js';

/** A span with the fields the layout reads; the rest are fixed. */
const span = (
  spanId: string,
  parentSpanId: string | null,
  startMs: number,
  durationMs: number,
  name = spanId,
): Span => ({
  spanId,
  parentSpanId,
  service: spanId.startsWith('s') ? 'storage' : 'relay',
  name,
  kind: 2,
  startMs,
  durationMs,
  status: { code: 0 },
  attributes: {},
  events: [],
});

const shape = (spans: Span[]) =>
  layoutWaterfall(spans).rows.map((r) => [r.span.spanId, r.depth, r.offsetMs, r.orphan, r.skewMs]);

test('tree order: parents before children, siblings by start, depth by nesting', () => {
  // Given out of order, as a backend may.
  const l = layoutWaterfall([
    span('c2', 'b', 1060, 20),
    span('b', 'a', 1010, 80),
    span('s1', 'a', 1095, 5),
    span('a', null, 1000, 100),
    span('c1', 'b', 1020, 30),
  ]);
  assert.deepEqual(
    l.rows.map((r) => [r.span.spanId, r.depth, r.childCount]),
    [
      ['a', 0, 2],
      ['b', 1, 2],
      ['c1', 2, 0],
      ['c2', 2, 0],
      ['s1', 1, 0],
    ],
  );
  assert.equal(l.startMs, 1000);
  assert.equal(l.durationMs, 100);
  assert.deepEqual(l.services, ['relay', 'storage']);
});

test('bars: offset and width are shares of the whole trace', () => {
  const l = layoutWaterfall([span('a', null, 1000, 200), span('b', 'a', 1050, 100)]);
  const b = l.rows[1]!;
  assert.equal(b.offsetMs, 50);
  assert.equal(b.leftPct, 25);
  assert.equal(b.widthPct, 50);
  assert.equal(l.rows[0]!.widthPct, 100);
});

test('a child that outlasts its root stretches the trace, not the root', () => {
  const l = layoutWaterfall([span('a', null, 0, 10), span('b', 'a', 5, 45)]);
  assert.equal(l.durationMs, 50);
  assert.equal(l.rows[0]!.widthPct, 20);
  assert.equal(l.rows[1]!.leftPct, 10);
  assert.equal(l.rows[1]!.widthPct, 90);
});

test('orphans: a span whose parent is missing is a root of its own, marked', () => {
  assert.deepEqual(
    shape([span('a', null, 0, 100), span('x', 'gone', 40, 10), span('y', 'x', 45, 2)]),
    [
      ['a', 0, 0, false, 0],
      ['x', 0, 40, true, 0],
      ['y', 1, 45, false, 0],
    ],
  );
  // A trace of orphans only (its root never arrived) still lays out, earliest first.
  assert.deepEqual(
    shape([span('q', 'root', 20, 5), span('p', 'root', 10, 5)]).map((r) => [r[0], r[1], r[3]]),
    [
      ['p', 0, true],
      ['q', 0, true],
    ],
  );
});

test('clock skew: a child starting before its parent keeps its own time and says by how much', () => {
  const l = layoutWaterfall([span('a', null, 1000, 100), span('b', 'a', 970, 50)]);
  assert.equal(l.startMs, 970, 'the trace starts at the earliest span');
  const [a, b] = l.rows;
  assert.equal(a!.span.spanId, 'a');
  assert.equal(a!.offsetMs, 30);
  assert.equal(b!.depth, 1);
  assert.equal(b!.offsetMs, 0);
  assert.equal(b!.skewMs, 30);
  assert.equal(a!.skewMs, 0);
  assert.ok(Math.abs(b!.leftPct) < 1e-9 && Math.abs(a!.leftPct - (30 / 130) * 100) < 1e-9);
});

test('odd input: duplicates, self-parents, parent loops, zero length, negative durations', () => {
  assert.deepEqual(layoutWaterfall([]), { startMs: 0, durationMs: 0, rows: [], services: [] });
  // The first span with an ID wins.
  const dup = layoutWaterfall([span('a', null, 0, 10), span('a', null, 5, 99)]);
  assert.equal(dup.rows.length, 1);
  assert.equal(dup.durationMs, 10);
  // A span that names itself as parent is a root.
  assert.deepEqual(shape([span('a', 'a', 0, 10)]), [['a', 0, 0, false, 0]]);
  // a → b → a: neither has a root above it; both are shown, not lost.
  const loop = layoutWaterfall([
    span('a', 'b', 0, 10),
    span('b', 'a', 2, 4),
    span('r', null, 1, 1),
  ]);
  assert.deepEqual(
    loop.rows.map((r) => [r.span.spanId, r.depth]),
    [
      ['r', 0],
      ['a', 0],
      ['b', 1],
    ],
  );
  // A trace of one instant span: full width rather than a division by zero.
  assert.equal(layoutWaterfall([span('a', null, 5, 0)]).rows[0]!.widthPct, 100);
  assert.equal(
    layoutWaterfall([span('a', null, 0, 10), span('b', 'a', 2, -3)]).rows[1]!.widthPct,
    0,
  );
});

test('a deep chain lays out without recursion limits', () => {
  const spans = Array.from({ length: 5_000 }, (_, i) =>
    span(`n${i}`, i === 0 ? null : `n${i - 1}`, i, 1),
  );
  const l = layoutWaterfall(spans);
  assert.equal(l.rows.length, 5_000);
  assert.equal(l.rows.at(-1)!.depth, 4_999);
});

test('axis ticks are round offsets over the trace', () => {
  assert.deepEqual(axisTicks(1000), [0, 250, 500, 750, 1000]);
  assert.deepEqual(axisTicks(130), [0, 50, 100]);
  assert.deepEqual(axisTicks(0), [0]);
  assert.deepEqual(axisTicks(3.2), [0, 1, 2, 3]);
});
