import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goG, humanize, humanizeDuration, humanizePercentage, stableFormat } from './go-format.js';

test("goG is Go's %.4g", () => {
  // Expected strings are what fmt.Sprintf("%.4g", x) prints.
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [100, '100'],
    [99.99999999999991, '100'],
    [39.99999999999999, '40'],
    [36.8421052631579, '36.84'],
    [-233.33333333, '-233.3'],
    [1234.4, '1234'],
    [12346, '1.235e+04'],
    [1e6, '1e+06'],
    [0.0001234, '0.0001234'],
    [0.00001234, '1.234e-05'],
    [15.000000000000002, '15'],
    [87.5, '87.5'],
    [0.1, '0.1'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ];
  for (const [x, s] of cases) assert.equal(goG(x), s, String(x));
});

test('humanize, humanizePercentage and humanizeDuration follow Prometheus', () => {
  assert.equal(humanize(5000), '5k');
  assert.equal(humanize(1234567), '1.235M');
  assert.equal(humanize(0.5), '500m');
  assert.equal(humanize(2), '2');
  assert.equal(humanizePercentage(0.0625), '6.25%');
  assert.equal(humanizePercentage(-2.5), '-250%');
  assert.equal(humanizeDuration(30), '30s');
  assert.equal(humanizeDuration(90), '1m 30s');
  assert.equal(humanizeDuration(3725), '1h 2m 5s');
  assert.equal(humanizeDuration(90061), '1d 1h 1m 1s');
  assert.equal(humanizeDuration(0.25), '250ms');
  assert.equal(humanizeDuration(0), '0s');
});

test('stableFormat refuses values on a rounding boundary', () => {
  assert.equal(stableFormat(goG, 40.000000001, 'x'), '40');
  assert.throws(() => stableFormat(goG, 12.345, 'x'), /too close to a rounding boundary/);
});
