import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScript } from '../testing/promql-script.js';
import { scriptQuery } from './script-engine.js';

/**
 * Table-driven engine tests in Prometheus's test-script notation (load / eval instant at /
 * eval_fail / eval_ordered / clear). Expected values are computed by hand in the comments;
 * those marked "(Prometheus)" are the values of promql/testdata/*.test in Prometheus 2.42.
 */
const SCRIPTS: Record<string, string> = {
  'selectors, lookback and staleness': `
load 1m
  x{a="1"} 1 2 stale _ _ 4
  x{a="2"} 10 _x4 20
  y{a="1"} 100+100x10
  z{env="Prod"} 7x10

eval instant at 0m x
  x{a="1"} 1
  x{a="2"} 10

# The latest sample at or before the evaluation time.
eval instant at 90s x
  x{a="1"} 2
  x{a="2"} 10

# A staleness marker ends x{a="1"} until its next sample.
eval instant at 2m x
  x{a="2"} 10

eval instant at 299s x
  x{a="2"} 10

eval instant at 5m x
  x{a="1"} 4
  x{a="2"} 20

# The lookback window is 5 minutes, both ends included.
eval instant at 10m x
  x{a="1"} 4
  x{a="2"} 20

eval instant at 601s x

eval instant at 5m x{a!="1"}
  x{a="2"} 20

eval instant at 5m x{a=~"1|2"}
  x{a="1"} 4
  x{a="2"} 20

eval instant at 5m x{a!~"1"}
  x{a="2"} 20

eval instant at 5m {__name__=~"x|y", a="1"}
  x{a="1"} 4
  y{a="1"} 600

eval instant at 5m z{env=~"(?i)prod"}
  z{env="Prod"} 7

eval instant at 5m z{env=~"prod"}

eval instant at 10m x offset 5m
  x{a="1"} 4
  x{a="2"} 20

eval instant at 5m y offset 2m
  y{a="1"} 400

eval instant at 5m y offset -2m
  y{a="1"} 800

eval instant at 10m y @ 120
  y{a="1"} 300

eval instant at 10m y @ 120 offset 1m
  y{a="1"} 200

eval instant at 0m y @ 600 offset -1m
  y{a="1"} 1100

clear

# (Prometheus) staleness.test
load 10s
  metric 0 1 stale 2

eval instant at 20s metric

eval instant at 330s metric
  metric 2

eval instant at 331s metric

# Range vectors skip staleness markers.
eval instant at 30s count_over_time(metric[1m])
  {} 3

eval instant at 20s count_over_time(metric[1s])
`,

  'rate, increase, delta and friends': `
load 15s
  c 0+15x20

# Window [60s, 120s] holds 5 samples 60 apart in value and time: exactly 1/s, no extrapolation.
eval instant at 120s rate(c[1m])
  {} 1

eval instant at 120s increase(c[1m])
  {} 60

clear

load 10s
  c 0+10x20

# [5s, 65s] holds 10..60: 50 over 50 s, extrapolated by 5 s on each side (< 1.1 × 10 s).
eval instant at 65s increase(c[1m])
  {} 60

eval instant at 65s rate(c[1m])
  {} 1

clear

load 10s
  late _ _ _ 5 6 7 8
  small _ _ _ 1 4 7 10

# [0s, 60s] holds 30..60; the gap of 30 s to the start is more than 1.1 × 10 s, so only
# half an interval is added: 3 × (30 + 5) / 30.
eval instant at 60s increase(late[1m])
  {} 3.5

# Zero-point clamp: 1 → 10 over 30 s reaches 0 at 26.67 s, 3.33 s before the first
# sample: 9 × 33.33 / 30 = 10.
eval instant at 60s increase(small[1m])
  {} 10

clear

load 10s
  r 10 20 5 15

# A reset (20 → 5) adds the value before it: 15 - 10 + 20.
eval instant at 30s increase(r[30s])
  {} 25

eval instant at 30s resets(r[30s])
  {} 1

# delta() treats the series as a gauge: no reset handling, no clamp.
eval instant at 30s delta(r[30s])
  {} 5

eval instant at 30s irate(r[30s])
  {} 1

eval instant at 20s irate(r[30s])
  {} 0.5

eval instant at 30s idelta(r[30s])
  {} 10

eval instant at 20s idelta(r[30s])
  {} -15

# One sample is not enough.
eval instant at 0s rate(r[30s])

clear

# (Prometheus) functions.test
load 5m
  http_requests{path="/foo"} 0+10x10
  http_requests{path="/bar"} 0+10x5 0+10x5
  testcounter_reset_middle 0+10x4 0+10x5
  calculate_rate_window 0+80x10

eval instant at 50m increase(http_requests[50m])
  {path="/foo"} 100
  {path="/bar"} 90

eval instant at 50m rate(testcounter_reset_middle[50m])
  {} 0.03

eval instant at 50m rate(calculate_rate_window[50m])
  {} 0.26666666666666666

eval instant at 30m irate(http_requests[50m])
  {path="/foo"} .03333333333333333333
  {path="/bar"} 0

clear

load 4m
  testcounter_zero_cutoff{start="0m"} 0+240x10
  testcounter_zero_cutoff{start="5m"} 300+240x10

eval instant at 10m rate(testcounter_zero_cutoff[20m])
  {start="0m"} 0.5
  {start="5m"} 0.6
`,

  'deriv, predict_linear, changes': `
load 10s
  lin 0+20x10
  g 1 3 2 2 NaN NaN 5

# v = 2 t: slope 2 per second.
eval instant at 60s deriv(lin[1m])
  {} 2

# Predicted 60 s after the evaluation time: 2 × (60 + 60).
eval instant at 60s predict_linear(lin[1m], 60)
  {} 240

# 1→3→2→2→NaN→NaN→5: 3 changes, NaN→NaN is no change.
eval instant at 60s changes(g[1m])
  {} 4

eval instant at 60s resets(g[1m])
  {} 1
`,

  '*_over_time': `
load 1m
  v 2 4 4 4 5 5 7 9
  n 1 NaN 3
  i 1 Inf 3

eval instant at 7m avg_over_time(v[7m])
  {} 5

eval instant at 7m sum_over_time(v[7m])
  {} 40

eval instant at 7m min_over_time(v[7m])
  {} 2

eval instant at 7m max_over_time(v[7m])
  {} 9

eval instant at 7m count_over_time(v[7m])
  {} 8

eval instant at 7m last_over_time(v[7m])
  v 9

eval instant at 7m present_over_time(v[7m])
  {} 1

# Population standard deviation of 2 4 4 4 5 5 7 9.
eval instant at 7m stddev_over_time(v[7m])
  {} 2

eval instant at 7m stdvar_over_time(v[7m])
  {} 4

# Rank 0.5 × 7 = 3.5 between 4 and 5.
eval instant at 7m quantile_over_time(0.5, v[7m])
  {} 4.5

eval instant at 7m quantile_over_time(0.9, v[7m])
  {} 7.6

eval instant at 7m quantile_over_time(-1, v[7m])
  {} -Inf

eval instant at 7m quantile_over_time(2, v[7m])
  {} +Inf

# NaN sorts first: 0.5 falls on the lower of NaN 1 3.
eval instant at 2m quantile_over_time(0.5, n[2m])
  {} 1

eval instant at 2m max_over_time(n[2m])
  {} 3

eval instant at 2m min_over_time(n[2m])
  {} 1

eval instant at 2m avg_over_time(i[2m])
  {} +Inf

eval instant at 2m sum_over_time(i[2m])
  {} +Inf

eval instant at 3m absent_over_time(v[1m])

eval instant at 3m absent_over_time(nope{job="x"}[1m])
  {job="x"} 1
`,

  aggregations: `
load 1m
  req{job="api", inst="0", code="200"} 10
  req{job="api", inst="1", code="200"} 20
  req{job="api", inst="1", code="500"} 5
  req{job="web", inst="0", code="200"} 40
  req{job="web", inst="1", code="200"} NaN

eval instant at 0m sum by (job) (req{code="200"})
  {job="api"} 30
  {job="web"} NaN

eval instant at 0m sum without (inst, code) (req)
  {job="api"} 35
  {job="web"} NaN

eval instant at 0m sum(req{job="api"})
  {} 35

eval instant at 0m avg by (job) (req{job="api"})
  {job="api"} 11.666666666666666

eval instant at 0m count by (code) (req)
  {code="200"} 4
  {code="500"} 1

eval instant at 0m group by (job) (req)
  {job="api"} 1
  {job="web"} 1

# NaN loses against any number in max and min.
eval instant at 0m max by (job) (req)
  {job="api"} 20
  {job="web"} 40

eval instant at 0m min by (job) (req)
  {job="api"} 5
  {job="web"} 40

eval instant at 0m stddev(req{job="api"})
  {} 6.236095644623236

eval instant at 0m stdvar(req{job="api"})
  {} 38.888888888888886

eval_ordered instant at 0m topk(2, req{job="api"})
  req{job="api", inst="1", code="200"} 20
  req{job="api", inst="0", code="200"} 10

eval_ordered instant at 0m bottomk(1, req) by (job)
  req{job="api", inst="1", code="500"} 5
  req{job="web", inst="0", code="200"} 40

eval instant at 0m topk(0, req)

eval instant at 0m quantile(0.5, req{job="api"})
  {} 10

# NaN sorts first, so it takes part in the interpolation for job="web".
eval instant at 0m quantile by (job) (0.75, req)
  {job="api"} 15
  {job="web"} NaN

eval instant at 0m count_values("value", req{job="api"})
  {value="10"} 1
  {value="20"} 1
  {value="5"} 1

eval instant at 0m count_values without (inst) ("code", req{job="api"})
  {job="api", code="10"} 1
  {job="api", code="20"} 1
  {job="api", code="5"} 1

eval_fail instant at 0m topk(NaN, req)

eval_fail instant at 0m count_values("not a label", req)
`,

  'binary operators': `
load 1m
  a{job="x", i="1"} 10
  a{job="x", i="2"} 20
  a{job="y", i="1"} 30
  b{job="x"} 2
  b{job="y"} 3
  info{job="x", version="v1"} 1

eval instant at 0m 1 + 2 * 3 - 4 / 2
  5

# ^ is right-associative and binds tighter than unary minus.
eval instant at 0m 2 ^ 3 ^ 2
  512

eval instant at 0m -2 ^ 2
  -4

eval instant at 0m 7 % 3 + 1 > bool 1
  1

eval instant at 0m a * 2
  {job="x", i="1"} 20
  {job="x", i="2"} 40
  {job="y", i="1"} 60

eval instant at 0m 100 - a{i="1"}
  {job="x", i="1"} 90
  {job="y", i="1"} 70

# Comparisons filter and keep the name and the vector's value, whichever side it is on.
eval instant at 0m a > 15
  a{job="x", i="2"} 20
  a{job="y", i="1"} 30

eval instant at 0m 15 < a
  a{job="x", i="2"} 20
  a{job="y", i="1"} 30

eval instant at 0m a > bool 15
  {job="x", i="1"} 0
  {job="x", i="2"} 1
  {job="y", i="1"} 1

eval instant at 0m a / on(job) group_left b
  {job="x", i="1"} 5
  {job="x", i="2"} 10
  {job="y", i="1"} 10

eval instant at 0m b * on(job) group_right a
  {job="x", i="1"} 20
  {job="x", i="2"} 40
  {job="y", i="1"} 90

eval instant at 0m a * on(job) group_left(version) info
  {job="x", i="1", version="v1"} 10
  {job="x", i="2", version="v1"} 20

eval instant at 0m a{i="1"} + ignoring(i) b
  {job="x"} 12
  {job="y"} 33

eval instant at 0m a{i="1"} == on(job) b * 5
  {job="x"} 10

eval_fail instant at 0m a + on(job) b

eval_fail instant at 0m b + on(job) a

eval_fail instant at 0m a * on() group_left b

eval instant at 0m a and on(job) b{job="x"}
  a{job="x", i="1"} 10
  a{job="x", i="2"} 20

eval instant at 0m a unless on(job) b{job="x"}
  a{job="y", i="1"} 30

eval instant at 0m a{job="y"} or on(job) b
  a{job="y", i="1"} 30
  b{job="x"} 2

eval instant at 0m -a{i="2"}
  {job="x", i="2"} -20

eval instant at 0m a atan2 b
`,

  functions: `
load 1m
  v{k="a"} -1.5
  v{k="b"} 2.5
  v{k="c"} 16
  t{k="a"} 1709251200

eval instant at 0m abs(v)
  {k="a"} 1.5
  {k="b"} 2.5
  {k="c"} 16

eval instant at 0m ceil(v)
  {k="a"} -1
  {k="b"} 3
  {k="c"} 16

eval instant at 0m floor(v)
  {k="a"} -2
  {k="b"} 2
  {k="c"} 16

# Ties round up.
eval instant at 0m round(v)
  {k="a"} -1
  {k="b"} 3
  {k="c"} 16

eval instant at 0m round(v, 5)
  {k="a"} 0
  {k="b"} 5
  {k="c"} 15

eval instant at 0m sqrt(v{k="c"})
  {k="c"} 4

eval instant at 0m log2(v{k="c"})
  {k="c"} 4

eval instant at 0m ln(v{k="c"} / v{k="c"})
  {k="c"} 0

eval instant at 0m exp(v{k="c"} * 0)
  {k="c"} 1

eval instant at 0m sgn(v)
  {k="a"} -1
  {k="b"} 1
  {k="c"} 1

eval instant at 0m clamp(v, 0, 10)
  {k="a"} 0
  {k="b"} 2.5
  {k="c"} 10

eval instant at 0m clamp(v, 10, 0)

eval instant at 0m clamp_min(v, 2)
  {k="a"} 2
  {k="b"} 2.5
  {k="c"} 16

eval instant at 0m clamp_max(v, 2)
  {k="a"} -1.5
  {k="b"} 2
  {k="c"} 2

eval_ordered instant at 0m sort(v)
  v{k="a"} -1.5
  v{k="b"} 2.5
  v{k="c"} 16

eval_ordered instant at 0m sort_desc(v)
  v{k="c"} 16
  v{k="b"} 2.5
  v{k="a"} -1.5

eval instant at 90s time()
  90

eval instant at 90s vector(time())
  {} 90

eval instant at 0m scalar(v{k="c"})
  16

eval instant at 0m scalar(v)
  NaN

# The sample's own time (it was loaded at 0 s), not the evaluation time.
eval instant at 90s timestamp(v{k="a"})
  {k="a"} 0

eval instant at 90s timestamp(abs(v{k="a"}))
  {k="a"} 90

# 2024-03-01T00:00:00Z, a Friday in a leap year.
eval instant at 0m day_of_month(t)
  {k="a"} 1

eval instant at 0m day_of_week(t)
  {k="a"} 5

eval instant at 0m days_in_month(t - 86400)
  {k="a"} 29

eval instant at 0m month(t)
  {k="a"} 3

eval instant at 0m year(t)
  {k="a"} 2024

eval instant at 0m hour(t + 3600 * 5 + 60 * 7)
  {k="a"} 5

eval instant at 0m minute(t + 3600 * 5 + 60 * 7)
  {k="a"} 7

eval instant at 0m label_replace(v{k="a"}, "dst", "x-$1", "k", "(.*)")
  v{k="a", dst="x-a"} -1.5

eval instant at 0m label_replace(v{k="a"}, "dst", "x-$1", "k", "nomatch")
  v{k="a"} -1.5

eval instant at 0m label_join(v{k="a"}, "j", "/", "__name__", "k")
  v{k="a", j="v/a"} -1.5

eval instant at 0m absent(nope{job="x", a=~"y"})
  {job="x"} 1

eval instant at 0m absent(v)
`,

  histogram_quantile: `
load 5m
  h_bucket{le="0.1"} 0+1x10
  h_bucket{le="0.5"} 0+5x10
  h_bucket{le="1"} 0+8x10
  h_bucket{le="+Inf"} 0+10x10
  bad_bucket{le="1"} 0+1x10
  bad_bucket{le="2"} 0+2x10

# 50 observations at 5m: rank 25 falls in (0.1, 0.5] holding 5..25: 0.1 + 0.4 × 20/20.
eval instant at 25m histogram_quantile(0.5, h_bucket)
  {} 0.5

# Rank 10 in (0, 0.1] with 5: 0.1 at its top... rank 0.2 × 50 = 10 in (0.1, 0.5]: 0.1 + 0.4 × 5/20.
eval instant at 25m histogram_quantile(0.2, h_bucket)
  {} 0.2

# Past the highest finite bucket: its upper bound.
eval instant at 25m histogram_quantile(0.99, h_bucket)
  {} 1

eval instant at 25m histogram_quantile(0.99, rate(h_bucket[10m]))
  {} 1

eval instant at 25m histogram_quantile(2, h_bucket)
  {} +Inf

# No +Inf bucket.
eval instant at 25m histogram_quantile(0.5, bad_bucket)
  {} NaN

# No observations yet.
eval instant at 0m histogram_quantile(0.5, h_bucket)
  {} NaN

clear

# (Prometheus) histograms.test
load 5m
  testhistogram_bucket{le="0.1", start="positive"} 0+5x10
  testhistogram_bucket{le=".2", start="positive"} 0+7x10
  testhistogram_bucket{le="1e0", start="positive"} 0+11x10
  testhistogram_bucket{le="+Inf", start="positive"} 0+12x10
  testhistogram_bucket{le="-.2", start="negative"} 0+1x10
  testhistogram_bucket{le="-0.1", start="negative"} 0+2x10
  testhistogram_bucket{le="0.3", start="negative"} 0+2x10
  testhistogram_bucket{le="+Inf", start="negative"} 0+3x10

eval instant at 50m histogram_quantile(0, testhistogram_bucket)
  {start="positive"} 0
  {start="negative"} -0.2

eval instant at 50m histogram_quantile(1, testhistogram_bucket)
  {start="positive"} 1
  {start="negative"} 0.3

eval instant at 50m histogram_quantile(0.2, rate(testhistogram_bucket[5m]))
  {start="positive"} 0.048
  {start="negative"} -0.2

clear

# Non-monotonic counts are made monotonic (5 10 10 10 20): rank 9.5 lands in (0.5, 1],
# where a binary search over the raw counts 5 10 8 9 20 would have run past it to 4.
load 1m
  nm_bucket{le="0.5"} 5
  nm_bucket{le="1"} 10
  nm_bucket{le="2"} 8
  nm_bucket{le="4"} 9
  nm_bucket{le="+Inf"} 20

eval instant at 0m histogram_quantile(0.475, nm_bucket)
  {} 0.95
`,

  subqueries: `
# (Prometheus) subquery.test
load 10s
  metric 1 2

eval instant at 10s sum_over_time(metric[50s:10s])
  {} 3

eval instant at 10s sum_over_time(metric[50s:5s])
  {} 4

eval instant at 5m sum_over_time(metric[50s:10s])
  {} 12

eval instant at 6m sum_over_time(metric[50s:10s])
  {} 2

clear

load 10s
  metric1 0+1x1000

eval instant at 1000s sum_over_time(metric1[30s:10s])
  {} 394

eval instant at 1010s sum_over_time(metric1[30s:10s] offset 10s)
  {} 394

# Subquery steps are aligned to absolute multiples of the step.
eval instant at 1010s sum_over_time(metric1[30s:10s] offset 3s)
  {} 297

eval instant at 1000s rate(sum_over_time(metric1[30s:10s])[50s:10s])
  {} 0.4

# The default step is 1 m: points at 900 s and 960 s.
eval instant at 1000s sum_over_time(metric1[2m:])
  {} 186

eval instant at 1000s count_over_time(metric1[60s:10s] @ 100)
  {} 7
`,
};

describe('engine scripts', () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(name, () => {
      const { failures, evals } = runScript(script, scriptQuery);
      assert.ok(evals > 0);
      assert.deepEqual(
        failures.map((f) => `line ${f.line}: ${f.command}\n  ${f.message}`),
        [],
      );
    });
  }
});
