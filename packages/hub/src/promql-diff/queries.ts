/**
 * The query cases of the differential test: every PromQL feature the hub implements,
 * each expression evaluated as instant queries at two of several interesting times and as a
 * range query over one of several windows and steps, plus error cases (parse errors →
 * `bad_data`, evaluation errors → `execution`).
 *
 * Times are chosen against the generated data (see generate.ts): relay/b is down in
 * [62 m, 71 m), relay/c lives in [40 m, 100 m) and ends with staleness markers, replay/d
 * starts at 90 m, storage/e stops silently at 150 m, every non-aligned series has a ~8 min
 * gap starting near 118 m (a Prometheus outage), and the aligned series sit exactly on the
 * 15 s grid so that range boundaries coincide with samples.
 */

const MIN = 60_000;

export type Eval =
  | { readonly kind: 'instant'; readonly timeMs: number; readonly label: string }
  | {
      readonly kind: 'range';
      readonly startMs: number;
      readonly endMs: number;
      readonly stepMs: number;
      readonly label: string;
    };

export interface QueryCase {
  /** Unique, stable id: `feature | expr | eval` (used by EXPECTED_FAILURES). */
  readonly id: string;
  readonly feature: string;
  readonly expr: string;
  readonly eval: Eval;
  /** The result's order matters (sort, sort_desc, topk/bottomk without grouping). */
  readonly ordered: boolean;
  /** For error cases: the error type Prometheus is expected to report. */
  readonly expectError?: 'bad_data' | 'execution';
  /** Data or error, whichever Prometheus gives (the harness does not check the case). */
  readonly anyOutcome?: boolean;
}

/** Which evaluations an expression gets. */
type Mode = 'both' | 'instant' | 'range';

interface Spec {
  feature: string;
  exprs: readonly string[];
  mode?: Mode;
  ordered?: boolean;
  expectError?: 'bad_data' | 'execution';
  /** Explicit evaluations instead of the rotation over the standard times and windows. */
  evals?: readonly Eval[];
  /** Prometheus may answer with data or with an error: whatever it says is expected. */
  anyOutcome?: boolean;
}

function rel(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  const m = Math.floor(a / MIN);
  const s = (a % MIN) / 1000;
  return `${sign}${m}m${s > 0 ? `${s}s` : ''}`;
}

/**
 * Builds all cases for data starting at `startMs` and ending at `endMs`.
 */
export function buildCases(startMs: number, endMs: number): QueryCase[] {
  const S = startMs;
  const sec = (ms: number): string => (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
  const instants: Eval[] = [
    47 * MIN + 13_500,
    65 * MIN,
    101 * MIN + 30_000,
    122 * MIN,
    140 * MIN + 7_500,
    endMs - S + 3 * MIN,
    45_000,
    30 * MIN,
    90 * MIN + 1_000,
    152 * MIN + 20_000,
  ].map((d) => ({ kind: 'instant', timeMs: S + d, label: `instant t0${rel(d)}` }));
  const ranges: Eval[] = (
    [
      [20 * MIN, 80 * MIN, MIN],
      [95 * MIN, 110 * MIN, 15_000],
      [-10 * MIN, endMs - S + 10 * MIN, 5 * MIN],
      [37 * MIN, 97 * MIN, 37_000],
      [110 * MIN, 140 * MIN, 30_000],
      [0, 30 * MIN, 15_000],
    ] as const
  ).map(([a, b, step]) => ({
    kind: 'range',
    startMs: S + a,
    endMs: S + b,
    stepMs: step,
    label: `range t0${rel(a)}..t0${rel(b)} step ${step / 1000}s`,
  }));

  const at1 = sec(S + 60 * MIN);
  const at2 = sec(S + 99 * MIN + 30_000);

  const specs: Spec[] = [
    // ---------------------------------------------------------------- selectors
    {
      feature: 'selector',
      exprs: [
        'http_requests_total',
        'http_requests_total{service="relay"}',
        'http_requests_total{service!="relay"}',
        'http_requests_total{service=~"re.*"}',
        'http_requests_total{service!~"re.*", code="500"}',
        'http_requests_total{method=~"get|POST", code!~"2.."}',
        '{__name__="queue_depth"}',
        '{__name__=~"queue_depth|temperature_celsius", instance="a:9100"}',
        '{__name__=~"request_duration_seconds_(sum|count)", service="storage"}',
        'http_requests_total{nonexistent=""}',
        'http_requests_total{nonexistent!=""}',
        'http_requests_total{nonexistent=~""}',
        'http_requests_total{instance=~".*:9100", instance!~"a.*"}',
        'queue_depth{service=~"relay|storage"}',
        'queue_depth{service=~"RELAY"}',
        'queue_depth{instance=~"c:.*"}',
        'up',
        'up == 0',
        'flappy_gauge',
        'sensor_value',
        'aligned_gauge',
        'aligned_counter_total',
        'nonexistent_metric',
        'temperature_celsius{service="storage"}',
        'request_duration_seconds_bucket{le="+Inf", service="relay"}',
        'request_duration_seconds_bucket{le=~"0.0.*", instance="a:9100", service="relay"}',
        'queue_depth{service="relay", service=~"r.*"}',
        'broken_seconds_bucket',
        'queue_depth{service=~"(?i)RELAY"}',
        'queue_depth{instance=~`[a-c]:\\d+`}',
        "queue_depth{service='storage'}",
        'queue_depth{service=~"rel.y|"}',
        'sum(queue_depth) # a comment',
      ],
    },
    {
      // RE2 syntax that JavaScript's RegExp reads differently or rejects.
      feature: 're2',
      exprs: [
        'queue_depth{service=~"[[:alpha:]]+"}',
        'queue_depth{service=~`\\pL+`}',
        'queue_depth{service=~`rel.*\\z`}',
        'queue_depth{service=~`\\x{72}elay`}',
        'queue_depth{service=~"(?i:RE)play"}',
        'queue_depth{service!~"(?i)storage|RELAY"}',
        'queue_depth{service=~"re(?:l|pl)ay", instance=~"[^b]:.+"}',
        'label_replace(up, "foo", "$1x", "service", "(.*)")',
        'label_replace(up, "foo", "$$-${1}x", "service", "(.*)")',
        'label_replace(up, "foo", "$2", "service", "(.*)")',
        'label_replace(up, "foo", "$1", "instance", "(?i)([[:upper:]]):9100")',
      ],
    },
    {
      // String literals: escapes, quotes, raw strings.
      feature: 'strings',
      exprs: [
        'label_replace(vector(1), "x", "a\\"b\\\\n\\u00fc\\x41\\t", "", "")',
        "label_replace(vector(1), 'x', 'single \\'quoted\\'', '', '')",
        'label_replace(vector(1), "x", `raw \\n string`, "", "")',
        'label_replace(vector(1), "x", "ünï©ødé ✓", "", "")',
        'queue_depth{service="re\\x6c\\u0061y"}',
      ],
    },
    // ---------------------------------------------------------------- offset and @
    {
      feature: 'offset',
      exprs: [
        'queue_depth offset 5m',
        'http_requests_total{service="relay"} offset 1h',
        'queue_depth offset -10m',
        'queue_depth offset 1h30m',
        'sum(rate(http_requests_total[5m])) / sum(rate(http_requests_total[5m] offset 1h))',
        'rate(http_requests_total[5m] offset 10m)',
        'sum(aligned_gauge offset 30s)',
        'queue_depth - queue_depth offset 15m',
        'max_over_time(temperature_celsius[10m] offset 3m)',
      ],
    },
    {
      feature: '@',
      exprs: [
        `queue_depth @ ${at1}`,
        `queue_depth @ ${at2}`,
        'queue_depth @ start()',
        'queue_depth @ end()',
        'sum(rate(http_requests_total[5m] @ end()))',
        `queue_depth @ ${at1} offset 5m`,
        `max_over_time(queue_depth[10m] @ ${at2})`,
        `rate(http_requests_total{service="relay"}[5m] @ ${at1})`,
        `queue_depth / queue_depth @ ${at1}`,
        `sum_over_time(sum(queue_depth)[20m:5m] @ ${at1})`,
        'aligned_gauge @ start() offset -1m',
        `rate(aligned_counter_total[5m:30s] @ ${at1})`,
        `queue_depth offset 1m @ ${at2}`,
        `max_over_time(queue_depth[10m:1m] @ ${at1} offset 2m)`,
        'rate(http_requests_total[5m] @ start())',
        'sum(queue_depth @ start())',
      ],
    },
    // ---------------------------------------------------------------- range vectors
    {
      feature: 'range-vector',
      mode: 'instant',
      exprs: [
        'queue_depth[2m]',
        'http_requests_total{service="relay", method="GET"}[1m]',
        'queue_depth{instance="c:9100"}[5m] offset 2m',
        'aligned_gauge[1m]',
        'sensor_value[1m]',
        'flappy_gauge{service="relay"}[3m]',
        'up[30s]',
        `aligned_counter_total[45s] @ ${at1}`,
      ],
    },
    // ---------------------------------------------------------------- lookback boundaries
    {
      // The aligned series' last sample is at exactly endMs: 5 m later it is still
      // selected (Prometheus 2.x: [t - 5m, t]), 1 ms later it is not.
      feature: 'lookback',
      exprs: [
        'aligned_gauge',
        'timestamp(aligned_counter_total)',
        'count_over_time(aligned_gauge[5m])',
        'last_over_time(aligned_gauge[5m])',
        'rate(aligned_counter_total[5m])',
        'count_over_time(aligned_gauge[1m] offset 1m)',
      ],
      evals: [
        ...[5 * MIN - 1, 5 * MIN, 5 * MIN + 1].map((d): Eval => ({
          kind: 'instant',
          timeMs: endMs + d,
          label: `instant end${rel(d)}`,
        })),
        {
          kind: 'instant',
          timeMs: S + 30 * MIN,
          label: 'instant t0+30m',
        },
        {
          kind: 'range',
          startMs: endMs - MIN,
          endMs: endMs + 6 * MIN,
          stepMs: 15_000,
          label: 'range end-1m..end+6m step 15s',
        },
      ],
    },
    {
      // Values whose text form differs between Go's strconv 'f' and JavaScript's String().
      feature: 'value-format',
      exprs: [
        'sensor_value * 1e20',
        'sensor_value / 1e9',
        'vector(1e21)',
        'vector(123456789012345678)',
        'vector(1e-7)',
        'vector(0) * -1',
        '0.1 + 0.2',
        'scalar(vector(1e300)) * 10',
        'count_values("v", sensor_value * 1e20)',
        'count_values("v", sensor_value / 1e9)',
        'count_values("v", vector(0) * -1)',
        'label_replace(vector(1e21), "x", "$1", "", "(.*)")',
      ],
    },
    // ---------------------------------------------------------------- subqueries
    {
      feature: 'subquery',
      exprs: [
        'max_over_time(rate(http_requests_total[5m])[30m:1m])',
        'avg_over_time(queue_depth[10m:])',
        'rate(aligned_counter_total[5m:30s])',
        'min_over_time(deriv(queue_depth[5m])[15m:2m] offset 5m)',
        'max_over_time(avg_over_time(queue_depth[5m:1m])[15m:5m])',
        'sum_over_time(sum by (service) (queue_depth)[10m:1m])',
        'count_over_time(up[20m:45s])',
        'last_over_time(aligned_gauge[3m:7s])',
        'quantile_over_time(0.9, irate(http_requests_total{code="200"}[1m])[20m:1m])',
        'max_over_time(queue_depth[1m30s])',
        'count_over_time(flappy_gauge[20m])',
        'last_over_time(flappy_gauge[20m])',
        'changes(flappy_gauge[20m])',
        'irate(http_requests_total{instance="c:9100"}[5m])',
        'last_over_time(queue_depth{instance="c:9100"}[10m])',
        'changes(up[10m])',
        'resets(up[10m])',
        'count_over_time(queue_depth{instance="c:9100"}[10m:15s])',
        'max_over_time(queue_depth[1m:5m])',
        'rate(http_requests_total[1d])',
      ],
    },
    {
      feature: 'subquery',
      mode: 'instant',
      exprs: ['queue_depth{service="relay"}[10m:1m]', 'rate(aligned_counter_total[1m])[5m:2m]'],
    },
    // ---------------------------------------------------------------- counters and gauges
    {
      feature: 'rate',
      exprs: [
        'rate(http_requests_total[5m])',
        'rate(http_requests_total[1m])',
        'rate(http_requests_total{service="relay"}[10m])',
        'rate(http_requests_total[15s])',
        'rate(process_cpu_seconds_total[2m])',
        'rate(aligned_counter_total[1m])',
        'rate(aligned_counter_total[5m])',
        'rate(request_duration_seconds_count[5m])',
        'rate(sensor_value[5m])',
        'rate(flappy_gauge[10m])',
      ],
    },
    {
      feature: 'irate',
      exprs: [
        'irate(http_requests_total[5m])',
        'irate(process_cpu_seconds_total[1m])',
        'irate(aligned_counter_total[30s])',
        'irate(sensor_value[2m])',
      ],
    },
    {
      feature: 'increase',
      exprs: [
        'increase(http_requests_total[5m])',
        'increase(process_cpu_seconds_total[1h])',
        'increase(aligned_counter_total[2m])',
        'increase(request_duration_seconds_bucket{service="replay"}[10m])',
      ],
    },
    {
      feature: 'delta',
      exprs: [
        'delta(queue_depth[10m])',
        'delta(temperature_celsius[2m])',
        'delta(aligned_gauge[5m])',
        'delta(sensor_value[3m])',
      ],
    },
    {
      feature: 'idelta',
      exprs: ['idelta(queue_depth[5m])', 'idelta(aligned_gauge[1m])', 'idelta(sensor_value[2m])'],
    },
    {
      feature: 'deriv',
      exprs: [
        'deriv(queue_depth[10m])',
        'deriv(temperature_celsius[3m])',
        'deriv(aligned_gauge[2m])',
      ],
    },
    {
      feature: 'predict_linear',
      exprs: [
        'predict_linear(queue_depth[10m], 600)',
        'predict_linear(temperature_celsius[15m], -300)',
        'predict_linear(aligned_gauge[1m], 3600)',
      ],
    },
    {
      feature: 'resets',
      exprs: [
        'resets(http_requests_total[30m])',
        'resets(process_cpu_seconds_total[1h])',
        'resets(aligned_gauge[5m])',
      ],
    },
    {
      feature: 'changes',
      exprs: ['changes(queue_depth[10m])', 'changes(replicas[30m])', 'changes(sensor_value[2m])'],
    },
    {
      // Extrapolation where series start late (replay/d at 90 m), end with staleness markers
      // (relay/c at 100 m) or stop silently (storage/e at 150 m).
      feature: 'extrapolation',
      exprs: [
        'rate(http_requests_total{instance=~"[cde]:9100", method="GET", code="200"}[5m])',
        'increase(http_requests_total{instance=~"[cde]:9100", method="GET", code="200"}[10m])',
        'increase(process_cpu_seconds_total{instance=~"[cde]:9100"}[3m])',
        'delta(queue_depth{instance=~"[cde]:9100"}[10m])',
        'irate(process_cpu_seconds_total{instance=~"[cde]:9100"}[2m])',
        'deriv(queue_depth{instance=~"[cde]:9100"}[5m])',
      ],
      evals: [
        ...[91 * MIN, 93 * MIN + 30_000, 100 * MIN + 30_000, 150 * MIN + 30_000].map((d): Eval => ({
          kind: 'instant',
          timeMs: S + d,
          label: `instant t0${rel(d)}`,
        })),
        {
          kind: 'range',
          startMs: S + 88 * MIN,
          endMs: S + 102 * MIN,
          stepMs: 30_000,
          label: 'range t0+88m..t0+102m step 30s',
        },
        {
          kind: 'range',
          startMs: S + 148 * MIN,
          endMs: S + 157 * MIN,
          stepMs: 20_000,
          label: 'range t0+148m..t0+157m step 20s',
        },
      ],
    },
    {
      // Large magnitudes (timestamps): naive sum-of-squares loses every digit here. Only
      // functions over time: across series, Prometheus's own summation order varies from
      // run to run (stddev(timestamp(up)) differs between two runs at 1e-8).
      feature: 'numerics',
      exprs: [
        'stdvar_over_time(timestamp(aligned_gauge)[10m:15s])',
        'stddev_over_time(timestamp(sensor_value)[10m:30s])',
        'avg_over_time(timestamp(aligned_gauge)[10m:15s])',
        'avg(timestamp(queue_depth))',
        'quantile(0.3, timestamp(queue_depth))',
        'deriv(timestamp(aligned_gauge)[5m:15s])',
        'predict_linear(process_cpu_seconds_total[10m], 3600)',
        'avg(process_cpu_seconds_total * 1e12)',
      ],
    },
    // ---------------------------------------------------------------- *_over_time
    {
      feature: 'over_time',
      exprs: [
        'avg_over_time(queue_depth[5m])',
        'min_over_time(temperature_celsius[10m])',
        'max_over_time(temperature_celsius[10m])',
        'sum_over_time(queue_depth[2m])',
        'count_over_time(http_requests_total[5m])',
        'stddev_over_time(temperature_celsius[10m])',
        'stdvar_over_time(queue_depth[10m])',
        'last_over_time(queue_depth[10m])',
        'last_over_time(up[20m])',
        'present_over_time(flappy_gauge[5m])',
        'avg_over_time(sensor_value[5m])',
        'min_over_time(sensor_value[3m])',
        'max_over_time(sensor_value[3m])',
        'sum_over_time(sensor_value[2m])',
        'stddev_over_time(sensor_value[5m])',
        'avg_over_time(aligned_gauge[1m])',
        'count_over_time(aligned_gauge[1m])',
      ],
    },
    {
      feature: 'quantile_over_time',
      exprs: [
        'quantile_over_time(0.5, queue_depth[10m])',
        'quantile_over_time(0.9, temperature_celsius[5m])',
        'quantile_over_time(0, queue_depth[5m])',
        'quantile_over_time(1, queue_depth[5m])',
        'quantile_over_time(-1, queue_depth[5m])',
        'quantile_over_time(2, queue_depth[5m])',
        'quantile_over_time(0.75, sensor_value[5m])',
        'quantile_over_time(NaN, queue_depth[5m])',
      ],
    },
    // ---------------------------------------------------------------- absent
    {
      feature: 'absent',
      exprs: [
        'absent(nonexistent_metric)',
        'absent(nonexistent_metric{job="x", instance=~"y.*", env="prod"})',
        'absent(queue_depth)',
        'absent(queue_depth{instance="c:9100"})',
        'absent(sum(nonexistent_metric))',
        'absent(nonexistent_metric{a="b", a="c"})',
        'absent(rate(nonexistent_metric{job="x"}[5m]))',
        'absent(up{service="relay"} offset 1h)',
        'absent_over_time(nonexistent_metric{job="x"}[5m])',
        'absent_over_time(queue_depth{instance="c:9100"}[5m])',
        'absent_over_time(queue_depth[1m])',
        'absent_over_time(flappy_gauge{instance="a:9100", service="relay"}[2m])',
      ],
    },
    // ---------------------------------------------------------------- histogram_quantile
    {
      feature: 'histogram_quantile',
      exprs: [
        'histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))',
        'histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
        'histogram_quantile(0.99, sum by (service, le) (increase(request_duration_seconds_bucket[10m])))',
        'histogram_quantile(0, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
        'histogram_quantile(1, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
        'histogram_quantile(-0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
        'histogram_quantile(1.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))',
        'histogram_quantile(0.5, request_duration_seconds_bucket)',
        'histogram_quantile(0.9, rate(request_duration_seconds_bucket[1m]))',
        'histogram_quantile(0.9, broken_seconds_bucket)',
        'histogram_quantile(0.3, rate(broken_seconds_bucket[5m]))',
        'histogram_quantile(0.75, sum without (instance) (rate(request_duration_seconds_bucket[10m])))',
        'histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket{instance="c:9100"}[5m])))',
        'sum without (le) (rate(request_duration_seconds_bucket[5m]))',
      ],
    },
    // ---------------------------------------------------------------- label functions
    {
      feature: 'label_replace',
      exprs: [
        'label_replace(up, "host", "$1", "instance", "(.*):.*")',
        'label_replace(queue_depth, "foo", "bar-$1-$2", "service", "(re)(.*)")',
        'label_replace(up, "x", "$1", "service", "nomatch")',
        'label_replace(up, "service", "", "service", "relay")',
        'label_replace(rate(http_requests_total[5m]), "code", "${1}xx", "code", "(.).*")',
        'label_replace(queue_depth, "__name__", "renamed", "", "")',
        'label_replace(up, "instance", "$0/$2", "instance", "(.*):(.*)")',
        'label_replace(up, "host", "$host", "instance", "(?P<host>[a-z]+):.*")',
        'label_replace(up, "host", "$1", "instance", "(?i)(A):.*")',
        'label_replace(up, "service", "$1", "service", "(.*)lay")',
      ],
    },
    {
      feature: 'label_join',
      exprs: [
        'label_join(up, "combo", "-", "service", "instance")',
        'label_join(up, "instance", ",", "service", "instance")',
        'label_join(up, "x", "")',
        'label_join(queue_depth, "new", "/", "service", "nonexistent", "instance")',
        'label_join(up, "__name__", "_", "service")',
      ],
    },
    // ---------------------------------------------------------------- math
    {
      feature: 'math',
      exprs: [
        'abs(temperature_celsius)',
        'ceil(temperature_celsius)',
        'floor(temperature_celsius)',
        'round(temperature_celsius)',
        'round(temperature_celsius, 0.5)',
        'round(temperature_celsius, 5)',
        'sqrt(queue_depth)',
        'sqrt(temperature_celsius)',
        'exp(temperature_celsius)',
        'ln(queue_depth)',
        'log2(queue_depth)',
        'log10(temperature_celsius)',
        'sgn(temperature_celsius)',
        'sin(temperature_celsius)',
        'atan(queue_depth)',
        'deg(vector(pi())) + rad(vector(180))',
        'exp(sensor_value)',
        'abs(sensor_value)',
        'vector(NaN)',
        'abs(-sum(rate(http_requests_total[5m])))',
        'month(timestamp(aligned_gauge))',
        'day_of_month() + days_in_month() + year()',
      ],
    },
    {
      feature: 'clamp',
      exprs: [
        'clamp(temperature_celsius, -1, 5)',
        'clamp(temperature_celsius, 5, 1)',
        'clamp_min(queue_depth, 20)',
        'clamp_max(queue_depth, 20)',
        'clamp(sensor_value, -10, 10)',
        'clamp(queue_depth, NaN, 10)',
        'round(temperature_celsius, 0)',
        'sgn(sensor_value)',
      ],
    },
    // ---------------------------------------------------------------- time & friends
    {
      feature: 'time',
      exprs: [
        'time()',
        'vector(time())',
        'vector(1)',
        'scalar(up{service="relay", instance="a:9100"})',
        'scalar(up)',
        'scalar(nonexistent_metric)',
        'timestamp(queue_depth)',
        'timestamp(queue_depth offset 1m)',
        'time() - timestamp(up)',
        'timestamp(rate(http_requests_total[5m]))',
        'timestamp(aligned_gauge @ start())',
        'minute(timestamp(aligned_gauge))',
        'hour()',
        'day_of_week(vector(time()))',
        '42',
        '-0.5e-3',
      ],
    },
    {
      feature: 'time',
      mode: 'instant',
      exprs: ['"a string"', "'single'"],
    },
    {
      feature: 'sort',
      ordered: true,
      exprs: [
        'sort(queue_depth)',
        'sort_desc(temperature_celsius)',
        'sort(sensor_value)',
        'sort_desc(sensor_value)',
        'sort_desc(sum by (service) (rate(http_requests_total[5m])))',
      ],
    },
    // ---------------------------------------------------------------- aggregations
    {
      feature: 'aggregation',
      exprs: [
        'sum(http_requests_total)',
        'sum by (service) (rate(http_requests_total[5m]))',
        'sum without (instance, method) (rate(http_requests_total[5m]))',
        'sum(rate(http_requests_total[5m])) by (code)',
        'avg by (service) (queue_depth)',
        'min by (instance) (temperature_celsius)',
        'max without (service) (queue_depth)',
        'count(up)',
        'count by (service) (up == 1)',
        'group by (service) (up)',
        'group(http_requests_total)',
        'stddev by (service) (temperature_celsius)',
        'stdvar(queue_depth)',
        'stddev(aligned_gauge)',
        'sum by () (queue_depth)',
        'count without () (queue_depth)',
        'sum by (__name__) ({__name__=~"queue_depth|temperature_celsius"})',
        'avg without (instance) (rate(process_cpu_seconds_total[5m]))',
        'sum(nonexistent_metric)',
        'count(nonexistent_metric)',
        'sum(sensor_value)',
        'max(sensor_value)',
        'min(sensor_value)',
        'avg(sensor_value)',
        'stddev(sensor_value)',
        'sum by (nonexistent) (queue_depth)',
        'avg(temperature_celsius) by (service, instance)',
        'stdvar by (service) (rate(http_requests_total[5m]))',
        'max by (service) (sensor_value)',
        'count by (le) (request_duration_seconds_bucket)',
        'sum({__name__=~".+_total", service="relay"})',
        'count({__name__="queue_depth", __name__="up"})',
        'sum without (__name__) ({__name__=~"queue_depth|temperature_celsius"})',
        'sum_over_time(up[5m]) / count_over_time(up[5m])',
      ],
    },
    {
      feature: 'topk',
      ordered: true,
      exprs: [
        'topk(3, queue_depth)',
        'bottomk(2, temperature_celsius)',
        'topk(0, queue_depth)',
        'topk(100, replicas)',
        'topk(2, sensor_value)',
        'bottomk(2, sensor_value)',
        'topk(2.7, queue_depth)',
        'topk(3, replicas)',
        'bottomk(3, up)',
      ],
    },
    {
      feature: 'topk',
      exprs: [
        'topk by (service) (1, queue_depth)',
        'bottomk without (instance) (1, rate(http_requests_total[5m]))',
        'sum(topk(2, queue_depth))',
      ],
    },
    {
      feature: 'quantile',
      exprs: [
        'quantile(0.5, queue_depth)',
        'quantile by (service) (0.9, temperature_celsius)',
        'quantile(0, queue_depth)',
        'quantile(1.5, queue_depth)',
        'quantile(-1, queue_depth)',
        'quantile(0.25, sensor_value)',
        'quantile(scalar(vector(0.5)), queue_depth)',
        'quantile(NaN, queue_depth)',
      ],
    },
    {
      feature: 'count_values',
      exprs: [
        'count_values("value", replicas)',
        'count_values by (service) ("v", replicas)',
        'count_values("service", replicas)',
        'count_values("x", temperature_celsius > 20)',
        'count_values("v", sensor_value)',
      ],
    },
    // ---------------------------------------------------------------- binary operators
    {
      feature: 'arith-scalar',
      exprs: [
        '1 + 2 * 3',
        '2 ^ 3 ^ 2',
        '-2 ^ 2',
        '(1 + 2) * 3',
        '10 % 3',
        '-7 % 3',
        '5.5 % -2',
        '1 / 0',
        '-1 / 0',
        '0 / 0',
        '5 - 3 - 1',
        '2 * 3 % 4',
        '1 == bool 1',
        '1 > bool 2',
        '1 - -1',
        '+5',
        '0x1F + 1e3 - .5',
        'Inf - Inf',
        'time() > bool 1.5e9',
        '1 atan2 2',
        '-1 ^ 2',
        '(-1) ^ 2',
        '2 ^ -1',
        '2 >= bool 2',
        'vector(1) > bool 0',
      ],
    },
    {
      feature: 'arith-vector',
      exprs: [
        'queue_depth * 2',
        '2 - queue_depth',
        'queue_depth / 0',
        'temperature_celsius % 7',
        'temperature_celsius ^ 2',
        '-queue_depth',
        'queue_depth - temperature_celsius',
        'rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])',
        'sum by (service, instance) (rate(http_requests_total[5m])) / on(service, instance) up',
        'up * on(service, instance) group_left(version) build_info',
        'build_info * on(service, instance) group_right(version) queue_depth',
        'http_requests_total + on(service, instance) group_left queue_depth',
        'sum by (service) (queue_depth) / on(service) group_right sum by (service, instance) (queue_depth)',
        'http_requests_total / ignoring(method, code) group_left process_cpu_seconds_total',
        'temperature_celsius atan2 queue_depth',
        'sensor_value * 0',
        'sensor_value - sensor_value',
        'request_duration_seconds_sum / request_duration_seconds_count',
        'queue_depth + on(nonexistent) group_left vector(1)',
        'rate(http_requests_total[5m]) * on() group_left vector(2)',
        'up{service="relay"} + ignoring(service) up{service="replay"}',
        'up * ignoring(version) group_left(version) build_info',
        'build_info * on(service) group_left sum by (service) (up)',
        '-1 * queue_depth',
        'up and on(__name__) up',
      ],
    },
    {
      feature: 'comparison',
      exprs: [
        'queue_depth > 10',
        'queue_depth > bool 10',
        '10 < queue_depth',
        'queue_depth >= bool 5',
        'queue_depth == bool queue_depth',
        'queue_depth > temperature_celsius',
        'queue_depth > bool temperature_celsius',
        'queue_depth != temperature_celsius',
        'sensor_value > 0',
        'sensor_value == bool sensor_value',
        'temperature_celsius <= on(service, instance) group_left queue_depth',
        'up == bool on(service) group_left sum by (service) (up)',
        'aligned_gauge < 0',
      ],
    },
    {
      feature: 'set',
      exprs: [
        'up and queue_depth > 5',
        'queue_depth and on(service) (temperature_celsius > 10)',
        'queue_depth or temperature_celsius',
        'queue_depth or on(service) vector(1)',
        'queue_depth unless temperature_celsius < 0',
        'queue_depth unless on(instance) up == 0',
        'http_requests_total and ignoring(method, code) up == 1',
        'up or ignoring(instance) flappy_gauge',
        'sensor_value and sensor_value > 0',
        'nonexistent_metric or up',
        'up unless nonexistent_metric',
        'queue_depth unless on() up == 0',
        'queue_depth or temperature_celsius or up',
      ],
    },
    {
      feature: 'precedence',
      exprs: [
        'queue_depth + 2 * 3',
        'queue_depth * 2 + 1 > 50',
        'sum(queue_depth) by (service) * 2',
        '- queue_depth ^ 2',
        'queue_depth > 5 and temperature_celsius < 20',
        'up == 0 or queue_depth > 30 and temperature_celsius > 0',
        'queue_depth unless temperature_celsius < 0 or up',
        '2 * 3 ^ 2 % 5',
        'vector(1) + 2 ^ 2 ^ 0.5',
        '(queue_depth + 1) / (temperature_celsius - 1)',
        'queue_depth > bool 5 * 2',
        '1 + 2 > bool 2 + 0.5',
        'queue_depth and up or temperature_celsius',
      ],
    },
    {
      // Prometheus answers these with data at some times and an error at others.
      feature: 'arith-vector',
      anyOutcome: true,
      exprs: [
        'count_values by (service) ("service", replicas)',
        '{__name__=~"queue_depth|temperature_celsius"} / on(__name__, service, instance) {__name__=~"queue_depth|temperature_celsius"}',
        'up + on(service) group_left queue_depth{instance=~"[bcd]:9100"}',
      ],
    },
    // ---------------------------------------------------------------- errors
    {
      feature: 'error-parse',
      expectError: 'bad_data',
      exprs: [
        'rate(queue_depth)',
        'sum(queue_depth) by',
        'queue_depth[5m] + 1',
        'foo{',
        '1 +',
        'queue_depth{service=~"("}',
        '{}',
        '{service=~".*"}',
        'topk("a", queue_depth)',
        'label_replace(up, "x")',
        'unknown_func(up)',
        'queue_depth offset',
        '"str" + 1',
        'up[5m:1m:1m]',
        'up and 1',
        '1 or 2',
        'queue_depth and bool up',
        'queue_depth + bool 1',
        '1 > 2',
        'histogram_quantile(0.5)',
        'sum(queue_depth) by (service) by (instance)',
        'queue_depth @ foo',
        'rate(queue_depth[5m] offset)',
        'queue_depth{service="a"',
        'sum without (service) (queue_depth) / on(instance) bool 1',
        'abs(queue_depth, 1)',
        'max_over_time(queue_depth)',
        'count_values(1, up)',
        'quantile("x", up)',
        'time(1)',
        'queue_depth[5x]',
        'queue_depth[0s]',
        'sum by (service) (queue_depth) and on(service) group_left queue_depth',
        'up * on(service, instance) group_left(service) build_info',
        '1 + on(foo) 2',
        'queue_depth{__name__="up"} offset 1m offset 2m',
        'sum(queue_depth) without (a) by (b)',
        'label_replace(vector(1), "x", "bad \\q escape", "", "")',
      ],
    },
    {
      feature: 'error-parse',
      mode: 'range',
      expectError: 'bad_data',
      exprs: ['"a string"', 'queue_depth[5m]', 'queue_depth[10m:1m]'],
    },
    {
      feature: 'error-exec',
      expectError: 'execution',
      exprs: [
        'http_requests_total + on(service) queue_depth',
        'queue_depth + on(service) group_left http_requests_total',
        'http_requests_total * on(service, instance) group_right queue_depth',
        'abs({__name__=~"conflict_.*"})',
        'rate({__name__=~"conflict_.*"}[5m])',
        'label_replace(up, "instance", "", "instance", ".*")',
        'label_replace(up, "a-b", "x", "service", ".*")',
        'label_replace(up, "x", "y", "service", "(")',
        'count_values("a-b", up)',
        'label_join(up, "service", ",", "instance")',
        'queue_depth * on() temperature_celsius',
      ],
    },
    {
      // Range parameters Prometheus refuses (its API checks them; so does rangeQuery).
      feature: 'error-range-params',
      expectError: 'bad_data',
      exprs: ['vector(1)', 'queue_depth'],
      evals: (
        [
          [-60 * MIN, 3 * 60 * MIN, 1_000, '> 11,000 points'],
          [MIN, 0, 15_000, 'end before start'],
          [0, MIN, 0, 'step 0'],
          [0, MIN, -15_000, 'negative step'],
        ] as const
      ).map(([a, b, step, what]): Eval => ({
        kind: 'range',
        startMs: S + a,
        endMs: S + b,
        stepMs: step,
        label: `range ${what}`,
      })),
    },
    {
      // k is NaN where there is no `up` (before the data starts): "NaN overflows int64".
      feature: 'error-exec',
      expectError: 'execution',
      exprs: ['topk(scalar(count(up)) - 6, queue_depth)'],
      evals: [ranges[2]!],
    },
    {
      feature: 'topk',
      ordered: true,
      exprs: ['topk(scalar(count(up)) - 6, queue_depth)'],
      evals: [instants[1]!, instants[4]!, ranges[0]!],
    },
  ];

  const cases: QueryCase[] = [];
  const ids = new Set<string>();
  let n = 0;
  for (const spec of specs) {
    for (const expr of spec.exprs) {
      const mode = spec.mode ?? 'both';
      const evals: Eval[] = [];
      if (spec.evals !== undefined) {
        evals.push(...spec.evals);
      } else if (spec.expectError === 'execution') {
        // Evaluation errors need data: a time and a window outside the outage.
        evals.push(instants[0]!, ranges[0]!);
      } else {
        if (mode !== 'range') {
          evals.push(instants[n % instants.length]!);
          if (spec.expectError === undefined) evals.push(instants[(n + 3) % instants.length]!);
        }
        if (mode !== 'instant') evals.push(ranges[n % ranges.length]!);
      }
      n++;
      for (const ev of evals) {
        const id = `${spec.feature} | ${expr} | ${ev.label}`;
        if (ids.has(id)) continue;
        ids.add(id);
        const c: QueryCase = {
          id,
          feature: spec.feature,
          expr,
          eval: ev,
          ordered: spec.ordered === true && ev.kind === 'instant',
          ...(spec.expectError !== undefined ? { expectError: spec.expectError } : {}),
          ...(spec.anyOutcome === true ? { anyOutcome: true } : {}),
        };
        cases.push(c);
      }
    }
  }
  return cases;
}
