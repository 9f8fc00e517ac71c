import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bounds, expand, rangeOf, rateInterval, refreshOf, stepFor } from './state.js';

test('the range comes from the URL: a preset, a fixed from/to, else the default', () => {
  assert.deepEqual(rangeOf(new URLSearchParams('range=6h')), {
    kind: 'preset',
    name: '6h',
    seconds: 21600,
  });
  assert.deepEqual(rangeOf(new URLSearchParams('range=bogus')), {
    kind: 'preset',
    name: '1h',
    seconds: 3600,
  });
  assert.deepEqual(rangeOf(new URLSearchParams('from=2025-03-01T00:00:00Z&to=1740790800')), {
    kind: 'fixed',
    from: Date.parse('2025-03-01T00:00:00Z'),
    to: 1740790800_000,
  });
  // An inverted custom range is not a range: the preset (or default) applies.
  assert.equal(rangeOf(new URLSearchParams('from=200&to=100&range=15m')).kind, 'preset');
  assert.deepEqual(bounds({ kind: 'preset', name: '1h', seconds: 3600 }, 10_000_500), {
    start: 6400,
    end: 10000,
  });
});

test('refresh: named periods, default 30 s, off is 0', () => {
  assert.equal(refreshOf(new URLSearchParams('')), 30);
  assert.equal(refreshOf(new URLSearchParams('refresh=off')), 0);
  assert.equal(refreshOf(new URLSearchParams('refresh=1m')), 60);
});

test('steps are nice, never below the scrape interval; rate windows cover two samples', () => {
  assert.equal(stepFor(900, 240, 15), 15);
  assert.equal(stepFor(86400, 240, 15), 600);
  assert.equal(stepFor(7 * 86400, 240, 15), 3600);
  assert.equal(rateInterval(15, 15), '60s');
  assert.equal(rateInterval(600, 15), '615s');
  assert.equal(
    expand('increase(a[$__range]) + rate(b[$__rate_interval])', 60, 3600, 15),
    'increase(a[3600s]) + rate(b[75s])',
  );
});
