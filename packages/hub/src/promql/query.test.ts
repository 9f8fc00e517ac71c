import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels, Matcher, Querier, SeriesData } from '../model.js';
import { STALE_NAN } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { load } from '../testing/series-notation.js';
import { instantQuery, PromQLError, rangeQuery, type QueryData } from './index.js';
import { parseExpr } from './parse.js';
import { Evaluator } from './eval/evaluator.js';
import { makeSteps } from './eval/types.js';

function querier(text: string, intervalMs = 60_000): MemQuerier {
  const q = new MemQuerier();
  load(q, text, intervalMs);
  return q;
}

function throwsPromQL(f: () => unknown, type: PromQLError['type'], message: string | RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PromQLError, String(e));
    assert.equal(e.type, type);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('instantQuery result shapes', () => {
  const q = querier(`
    up{job="a", instance="1"} 1 0 1
    up{job="b", instance="2"} 1 1 1
  `);

  it('returns a vector with the evaluation time and formatted values', () => {
    const r = instantQuery(q, 'up', 120_500);
    assert.deepEqual(r, {
      resultType: 'vector',
      result: [
        { metric: { __name__: 'up', job: 'a', instance: '1' }, value: [120.5, '1'] },
        { metric: { __name__: 'up', job: 'b', instance: '2' }, value: [120.5, '1'] },
      ],
    });
  });

  it('returns scalars and strings with the evaluation time', () => {
    assert.deepEqual(instantQuery(q, '1 / 3', 60_000), {
      resultType: 'scalar',
      result: [60, '0.3333333333333333'],
    });
    assert.deepEqual(instantQuery(q, '"hello"', 60_000), {
      resultType: 'string',
      result: [60, 'hello'],
    });
    assert.deepEqual(instantQuery(q, '-1/0', 0), { resultType: 'scalar', result: [0, '-Inf'] });
  });

  it('returns a range vector as a matrix of raw samples, sorted by labels', () => {
    const r = instantQuery(q, 'up[1m]', 120_000);
    assert.deepEqual(r, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'up', job: 'a', instance: '1' },
          values: [
            [60, '0'],
            [120, '1'],
          ],
        },
        {
          metric: { __name__: 'up', job: 'b', instance: '2' },
          values: [
            [60, '1'],
            [120, '1'],
          ],
        },
      ],
    });
  });

  it('returns a subquery as a matrix of its steps', () => {
    const r = instantQuery(q, 'sum(up)[2m:1m]', 120_000);
    assert.deepEqual(r, {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [0, '2'],
            [60, '1'],
            [120, '2'],
          ],
        },
      ],
    });
  });

  it('drops the metric name where Prometheus does', () => {
    const names = (r: QueryData): (string | undefined)[] =>
      r.resultType === 'vector' ? r.result.map((s) => s.metric['__name__']) : [];
    assert.deepEqual(names(instantQuery(q, 'up * 1', 0)), [undefined, undefined]);
    assert.deepEqual(names(instantQuery(q, 'up > 0', 0)), ['up', 'up']);
    assert.deepEqual(names(instantQuery(q, 'abs(up)', 0)), [undefined, undefined]);
    assert.deepEqual(names(instantQuery(q, 'last_over_time(up[1m])', 0)), ['up', 'up']);
    assert.deepEqual(names(instantQuery(q, 'max_over_time(up[1m])', 0)), [undefined, undefined]);
  });

  it('orders sort and sort_desc results', () => {
    const q2 = querier('v{k="a"} 3\nv{k="b"} NaN\nv{k="c"} 1\nv{k="d"} 2');
    const order = (r: QueryData): string[] =>
      r.resultType === 'vector' ? r.result.map((s) => s.metric['k'] ?? '') : [];
    assert.deepEqual(order(instantQuery(q2, 'sort(v)', 0)), ['c', 'd', 'a', 'b']);
    assert.deepEqual(order(instantQuery(q2, 'sort_desc(v)', 0)), ['a', 'd', 'c', 'b']);
    assert.deepEqual(order(instantQuery(q2, 'sort_desc(v) * 2', 0)), ['a', 'd', 'c', 'b']);
  });
});

describe('rangeQuery', () => {
  const q = querier(`
    c{job="b"} 0+10x10
    c{job="a"} 0+20x4 _x3 100+20x3
    g 5 _x8 6
  `);

  it('evaluates every step and sorts series by labels', () => {
    const r = rangeQuery(q, 'c', 0, 600_000, 120_000);
    assert.deepEqual(r, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'c', job: 'a' },
          values: [
            [0, '0'],
            [120, '40'],
            [240, '80'],
            [360, '80'],
            [480, '100'],
            [600, '140'],
          ],
        },
        {
          metric: { __name__: 'c', job: 'b' },
          values: [
            [0, '0'],
            [120, '20'],
            [240, '40'],
            [360, '60'],
            [480, '80'],
            [600, '100'],
          ],
        },
      ],
    });
  });

  it('leaves out steps without a sample in the lookback window', () => {
    const r = rangeQuery(q, 'g', 0, 540_000, 60_000);
    assert.equal(r.resultType, 'matrix');
    const values = r.resultType === 'matrix' ? r.result[0]!.values.map((v) => v[0]) : [];
    // 5 at 0 s lasts until 300 s; 6 arrives at 540 s.
    assert.deepEqual(values, [0, 60, 120, 180, 240, 300, 540]);
  });

  it('returns a scalar expression as one series without labels', () => {
    const r = rangeQuery(q, 'time() * 2', 0, 120_000, 60_000);
    assert.deepEqual(r, {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [0, '0'],
            [60, '120'],
            [120, '240'],
          ],
        },
      ],
    });
  });

  it('matches instant queries at every step', () => {
    const exprs = [
      'rate(c[3m])',
      'sum by (job) (increase(c[5m]))',
      'max_over_time(c[5m:2m])',
      'c / on(job) group_left sum by (job) (c)',
      'topk(1, c)',
      'c > bool 50',
      'absent(nope)',
      'g or c',
      'histogram_quantile(0.5, c)',
      'count_values("v", g)',
      'timestamp(c)',
      'avg_over_time(sum(c)[4m:90s] offset 1m)',
    ];
    for (const expr of exprs) {
      const r = rangeQuery(q, expr, 30_000, 600_000, 45_000);
      assert.equal(r.resultType, 'matrix');
      if (r.resultType !== 'matrix') continue;
      for (let t = 30_000; t <= 600_000; t += 45_000) {
        const inst = instantQuery(q, expr, t);
        assert.equal(inst.resultType, 'vector', expr);
        if (inst.resultType !== 'vector') continue;
        const want = inst.result.map((s) => `${JSON.stringify(s.metric)} ${s.value[1]}`).sort();
        const got = r.result
          .flatMap((s) =>
            s.values
              .filter((v) => v[0] === t / 1000)
              .map((v) => `${JSON.stringify(s.metric)} ${v[1]}`),
          )
          .sort();
        assert.deepEqual(got, want, `${expr} at ${t}`);
      }
    }
  });

  it('refuses more than maxPoints steps, bad steps and non-instant expressions', () => {
    throwsPromQL(
      () => rangeQuery(q, 'c', 0, 11_001_000, 1000),
      'bad_data',
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
    assert.doesNotThrow(() => rangeQuery(q, 'c', 0, 11_000_000, 1000));
    throwsPromQL(
      () => rangeQuery(q, 'c', 0, 100, 1, { maxPoints: 50 }),
      'bad_data',
      /maximum resolution of 50 points/,
    );
    throwsPromQL(
      () => rangeQuery(q, 'c', 0, 60_000, 0),
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
    throwsPromQL(
      () => rangeQuery(q, 'c', 60_000, 0, 1000),
      'bad_data',
      'end timestamp must not be before start time',
    );
    throwsPromQL(
      () => rangeQuery(q, 'c[5m]', 0, 60_000, 1000),
      'bad_data',
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
    throwsPromQL(
      () => rangeQuery(q, '"s"', 0, 60_000, 1000),
      'bad_data',
      'invalid expression type "string" for range query, must be Scalar or instant Vector',
    );
  });

  it('honours @ start() and @ end()', () => {
    const r = rangeQuery(q, 'c{job="b"} @ end() - c{job="b"} @ start()', 0, 300_000, 150_000);
    assert.deepEqual(r.resultType === 'matrix' ? r.result[0]!.values : [], [
      [0, '50'],
      [150, '50'],
      [300, '50'],
    ]);
  });
});

describe('errors', () => {
  const q = querier('a{x="1"} 1\na{x="2"} 2\nb{x="1"} 3\nb2{x="1"} 4');

  it('reports parse errors as bad_data', () => {
    throwsPromQL(
      () => instantQuery(q, 'sum(', 0),
      'bad_data',
      '1:5: parse error: unclosed left parenthesis',
    );
  });

  it('reports evaluation errors as execution with Prometheus messages', () => {
    throwsPromQL(
      () => instantQuery(q, 'b + on() a', 0),
      'execution',
      'found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="a", x="2"}, {__name__="a", x="1"}];many-to-many matching not allowed: matching labels must be unique on one side',
    );
    throwsPromQL(
      () => instantQuery(q, '{__name__=~"b|b2"} + on(x) group_left a', 0),
      'execution',
      'multiple matches for labels: grouping labels must ensure unique matches',
    );
    throwsPromQL(
      () => instantQuery(q, 'a + ignoring(x) b', 0),
      'execution',
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
    throwsPromQL(
      () => instantQuery(q, '{__name__=~"b|b2"} * 2', 0),
      'execution',
      'vector cannot contain metrics with the same labelset',
    );
  });

  it('refuses to hold more samples than the limit', () => {
    const ev = new Evaluator(q, {
      lookbackMs: 300_000,
      deadline: Infinity,
      subqueryStepMs: 60_000,
      queryStart: 0,
      queryEnd: 0,
      maxSamples: 5,
    });
    throwsPromQL(
      () => ev.eval(parseExpr('a'), makeSteps(0, 180_000, 60_000)),
      'execution',
      'query processing would load too many samples into memory in query execution',
    );
  });

  it('times out with type timeout', () => {
    throwsPromQL(
      () => instantQuery(q, 'a', 0, { timeoutMs: -1 }),
      'timeout',
      'query timed out in expression evaluation',
    );
  });
});

describe('evaluation cost', () => {
  /** Counts select() calls and returns synthetic series. */
  class CountingQuerier implements Querier {
    calls = 0;
    constructor(private readonly data: SeriesData[]) {}
    select(_m: readonly Matcher[]): SeriesData[] {
      this.calls++;
      return this.data;
    }
    labelNames(): string[] {
      return [];
    }
    labelValues(): string[] {
      return [];
    }
    series(): Labels[] {
      return [];
    }
  }

  it('selects each selector once for a whole range query and keeps staleness markers apart', () => {
    const t = Float64Array.from({ length: 100 }, (_, i) => i * 15_000);
    const v = Float64Array.from({ length: 100 }, (_, i) => i);
    v[50] = STALE_NAN;
    const cq = new CountingQuerier([{ labels: { __name__: 'x' }, t, v }]);
    const r = rangeQuery(cq, 'rate(x[1m]) + x', 0, 1_500_000, 15_000);
    assert.equal(cq.calls, 2);
    assert.equal(r.resultType, 'matrix');
    // The marker at 750 s hides x at that step only.
    const steps = r.resultType === 'matrix' ? r.result[0]!.values.map((p) => p[0]) : [];
    assert.ok(steps.includes(735) && !steps.includes(750) && steps.includes(765));
  });
});
