import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPoints, legendOf, toColumns } from './series.js';

test('legends fill labels; an empty template names the series', () => {
  assert.equal(legendOf('p99 {{instance}}', { instance: 'a:1' }), 'p99 a:1');
  assert.equal(legendOf('{{instance}} {{missing}}', { instance: 'a:1' }), 'a:1');
  assert.equal(legendOf('', { __name__: 'up', job: 'x' }), 'up{job="x"}');
});

test('series of several queries share one x axis; gaps and NaN stay gaps', () => {
  const c = toColumns(
    [
      [
        {
          metric: { i: 'a' },
          values: [
            [60, '1'],
            [180, 'NaN'],
          ],
        },
      ],
      [{ metric: { i: 'b' }, values: [[120, '2']] }],
    ],
    ['{{i}}', 'q2 {{i}}'],
    60,
    180,
    60,
  );
  assert.deepEqual(c.x, [60, 120, 180]);
  assert.deepEqual(c.lines, [
    { label: 'a', values: [1, null, null] },
    { label: 'q2 b', values: [null, 2, null] },
  ]);
  assert.ok(hasPoints(c));
  assert.ok(!hasPoints(toColumns([[]], [''], 0, 60, 60)));
});
