import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloatF, formatValue } from './format.js';

describe('formatValue (Prometheus API values)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-1.5, '-1.5'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [123456789012, '123456789012'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [0.000001, '0.000001'],
    [2e-7, '2e-07'],
    [-1.25e-10, '-1.25e-10'],
    [5e-324, '5e-324'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(formatValue(v), want));
});

describe("formatFloatF (Go FormatFloat 'f', -1)", () => {
  const cases: [number, string][] = [
    [0, '0'],
    [10, '10'],
    [0.5, '0.5'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-8, '-0.0000000125'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(formatFloatF(v), want));
});
