import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemQuerier } from '../testing/mem-querier.js';
import { load } from '../testing/series-notation.js';
import { rangeQuery, rangeQueryJson } from './index.js';

describe('rangeQueryJson', () => {
  const q = new MemQuerier();
  load(
    q,
    `
    x_total{job="a", instance="1"} 0+1.5x20 0+7x20
    x_total{job="b", instance="2"} 0.000000001+0.0000003x40
    g{job="a", path="/\\"q\\"\\u00e9"} 1 NaN Inf -Inf -0 0 _ 2000000000000000000000 -0.0000001 _ _ 5
    `,
    15_000,
  );
  const queries = [
    'x_total',
    'rate(x_total[1m])',
    'sum by (job) (increase(x_total[2m]))',
    'g',
    'g * 1e-30',
    'scalar(sum(g))',
    '1 / 3',
    'absent(nothing)',
    'nothing',
  ];
  for (const expr of queries) {
    it(`is JSON.stringify(rangeQuery(…)) for ${expr}`, () => {
      for (const [start, end, step] of [
        [0, 600_000, 15_000],
        [1500, 601_500, 7_333],
        [300_000, 300_000, 1000],
      ] as const) {
        const want = JSON.stringify(rangeQuery(q, expr, start, end, step));
        assert.equal(rangeQueryJson(q, expr, start, end, step), want);
      }
    });
  }
});
