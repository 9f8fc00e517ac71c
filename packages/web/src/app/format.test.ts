import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatSeconds, formatValue } from './format.js';

test('values read in their unit', () => {
  const cases: [number | null, Parameters<typeof formatValue>[1], string][] = [
    [0.012, 'seconds', '12 ms'],
    [0.00042, 'seconds', '420 µs'],
    [3.5, 'seconds', '3.5 s'],
    [1536, 'bytes', '1.5 KiB'],
    [13.3 * 1024 * 1024, 'bytes', '13.3 MiB'],
    [2048, 'bytes_per_second', '2 KiB/s'],
    [0.0042, 'ratio', '0.42%'],
    [0.995, 'ratio', '99.5%'],
    [3500, 'per_second', '3.5 k/s'],
    [0.7, 'cores', '0.7 cores'],
    [104, 'number', '104'],
    [null, 'number', '—'],
    [Infinity, 'number', '+Inf'],
    [NaN, 'ratio', 'NaN'],
  ];
  for (const [v, unit, want] of cases) assert.equal(formatValue(v, unit), want, `${v} ${unit}`);
});

test('durations and ages', () => {
  assert.equal(formatSeconds(90 * 60), '90 min');
  assert.equal(formatSeconds(3 * 86400), '3 d');
  assert.equal(formatAgo(1000, 91_000), '90 s ago');
  assert.equal(formatAgo(1000, 181_000), '3 min ago');
  assert.equal(formatAgo(10_000, 10_200), 'just now');
});
