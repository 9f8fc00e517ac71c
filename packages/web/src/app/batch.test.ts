import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineQueries, splitByQuery } from './batch.js';

test('queries share one request and are split back by their index label', () => {
  assert.equal(
    combineQueries(['up', 'a / b']),
    'label_replace((up), "canopy_q", "0", "", "") or label_replace((a / b), "canopy_q", "1", "", "")',
  );
  const parts = splitByQuery(
    [
      { metric: { __name__: 'up', canopy_q: '0', instance: 'x' }, value: [1, '1'] as const },
      { metric: { canopy_q: '1' }, value: [1, '0.5'] as const },
      { metric: { canopy_q: '7' }, value: [1, '9'] as const },
    ],
    3,
  );
  assert.deepEqual(
    parts.map((p) => p.map((s) => s.metric)),
    [[{ __name__: 'up', instance: 'x' }], [{}], []],
  );
});
