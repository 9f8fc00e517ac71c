/**
 * Shared fixtures of the exposition conformance tests: a registry that exercises every
 * label kind, unit, exemplar and awkward value, and helpers to find the Prometheus tools.
 * Test helper only; not exported by the package.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Registry } from '../registry.js';
import { collectRuntimeMetrics } from '../runtime.js';

/** Label values that need escaping or are otherwise awkward in both formats. */
export const TRICKY_VALUES: readonly string[] = [
  'plain',
  'back\\slash',
  'quo"te',
  'new\nline',
  'all three \\ " \n at once',
  '\\n is not a newline',
  'trailing backslash \\',
  '"',
  '\\',
  'ünïcødé ✓ 日本語 😀',
  'tab\tand {braces}, commas = signs # hash',
];

/** Gauge values by case name: the floats a parser is most likely to get wrong. */
export const GAUGE_VALUES: ReadonlyArray<readonly [string, number]> = [
  ['nan', NaN],
  ['pos_inf', Infinity],
  ['neg_inf', -Infinity],
  ['huge', 1e300],
  ['max', Number.MAX_VALUE],
  ['tiny', 5e-324],
  ['neg_tiny', -5e-324],
  ['min_normal', 2.2250738585072014e-308],
  ['negative', -42.5],
  ['neg_huge', -1e300],
  ['zero', 0],
  ['neg_zero', -0],
  ['pow53', 2 ** 53],
  ['tenth_sum', 0.1 + 0.2],
  ['e21', 1e21],
  ['thirds', 1 / 3],
];

/** Exemplar labels used by the fixture, for checking them after a round trip. */
export const EXEMPLAR_TRACE = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' } as const;
export const EXEMPLAR_TRICKY = { span_id: '00f067aa0ba902b7', note: 'q"\\\nü' } as const;

/** Families whose values change on every render (runtime and self-metrics). */
export function isVolatileFamily(name: string): boolean {
  return /^(process_|nodejs_|canopy_telemetry_)/.test(name);
}

export interface FixtureOptions {
  /** Register the runtime metrics too. Default true. */
  readonly runtime?: boolean;
  /** Emit the self-metrics. Default true. */
  readonly selfMetrics?: boolean;
}

/**
 * Builds a registry with counters, gauges and histograms over enum, bucket and top-K
 * labels, units, exemplars, awkward label values and awkward sample values.
 */
export function buildConformanceRegistry(options: FixtureOptions = {}): Registry {
  const r = new Registry({ selfMetrics: options.selfMetrics ?? true });

  const bytes = r.counter({
    type: 'counter',
    name: 'conf_transfer_bytes_total',
    help: 'Bytes moved, with "quotes", a back\\slash and a\nnewline in the help.',
    unit: 'bytes',
    exemplars: true,
    labels: {
      direction: { kind: 'enum', values: ['in', 'out'] },
      weird: { kind: 'enum', values: TRICKY_VALUES },
    },
  });
  TRICKY_VALUES.forEach((w, i) => {
    bytes.labels({ direction: 'in', weird: w }).inc(i + 1, EXEMPLAR_TRACE);
  });
  bytes.labels({ direction: 'out', weird: 'plain' }).inc(1e300);
  bytes.labels({ direction: 'out', weird: '\\' }).inc(5e-324, EXEMPLAR_TRICKY);
  // Unknown values fold into `other` (and count as overflow).
  bytes.labels({ direction: 'sideways', weird: 'not declared' }).inc(7);

  const events = r.counter({
    type: 'counter',
    name: 'conf_peer_events_total',
    help: 'Peer events by namespace (top-K) and payload size (buckets).',
    labels: {
      namespace: { kind: 'topk', k: 2 },
      size: { kind: 'buckets', bounds: [1, 10, 100] },
    },
  });
  events.labels({ namespace: 'alpha', size: 0.5 }).inc();
  events.labels({ namespace: 'alpha', size: 10 }).inc(2);
  events.labels({ namespace: 'beta', size: 1000 }).inc(3);
  events.labels({ namespace: 'gamma', size: 50 }).inc(4); // third name: folds into other
  events.labels({ namespace: 'Qm-peer-id', size: NaN }).inc(5); // pattern miss and NaN size
  events.labels({ namespace: 'alpha', size: -Infinity }).inc(0);

  const values = r.gauge({
    type: 'gauge',
    name: 'conf_values',
    help: 'Awkward float values.',
    labels: { case: { kind: 'enum', values: GAUGE_VALUES.map(([k]) => k) } },
  });
  for (const [k, v] of GAUGE_VALUES) values.labels({ case: k }).set(v);

  r.gauge({
    type: 'gauge',
    name: 'conf_fill_ratio',
    help: 'A negative unlabelled gauge with a unit.',
    unit: 'ratio',
  })
    .labels()
    .set(-0.25);

  const temp = r.gauge({
    type: 'gauge',
    name: 'conf_temperature_celsius',
    help: 'Negative gauges with awkward label values.',
    unit: 'celsius',
    labels: { weird: { kind: 'enum', values: TRICKY_VALUES } },
  });
  TRICKY_VALUES.forEach((w, i) => temp.labels({ weird: w }).set(-i - 0.5));

  // Declared but never used: the family is not rendered at all.
  r.gauge({
    type: 'gauge',
    name: 'conf_unused',
    help: 'Never set.',
    labels: { kind: { kind: 'enum', values: ['a'] } },
  });

  const writes = r.histogram({
    type: 'histogram',
    name: 'conf_write_duration_seconds',
    help: 'Write latency.',
    unit: 'seconds',
    buckets: [0.001, 0.01, 0.1, 1, 10],
    exemplars: true,
    labels: { op: { kind: 'enum', values: ['put', 'get'] } },
  });
  const put = writes.labels({ op: 'put' });
  for (const v of [0, 0.001, 0.0010000000000000002, 0.05, 0.1, 2, 10, 11, -1])
    put.observe(v, EXEMPLAR_TRACE);
  put.observe(1e300, EXEMPLAR_TRICKY);
  writes.labels({ op: 'get' }).observe(0.5);

  const payload = r.histogram({
    type: 'histogram',
    name: 'conf_payload_bytes',
    help: 'Payload sizes over a wide range of bounds.',
    unit: 'bytes',
    buckets: [1e-9, 1, 1e12],
  });
  for (const v of [5e-324, 1e-9, 0.5, 1e12, 1e13]) payload.labels().observe(v);

  r.histogram({
    type: 'histogram',
    name: 'conf_idle_seconds',
    help: 'An unlabelled histogram without observations.',
    unit: 'seconds',
    buckets: [1],
  });
  r.counter({ type: 'counter', name: 'conf_nothing_total', help: 'Never incremented.' });

  if (options.runtime ?? true) collectRuntimeMetrics(r, { idleMs: 2000 });
  return r;
}

/**
 * Whether a Prometheus tool binary is usable, or why the test must be skipped. Missing
 * tools skip the test only outside CI; in CI (`CI` set) the test runs and fails.
 */
export function toolSkipReason(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '') return undefined;
  return `${path} is not installed (install the Debian prometheus package; in CI this fails)`;
}

/** Runs `promtool check metrics` on a text exposition. */
export function promtoolCheckMetrics(
  text: string,
  promtool = '/usr/bin/promtool',
): { status: number | null; stdout: string; stderr: string; error: Error | undefined } {
  const r = spawnSync(promtool, ['check', 'metrics'], {
    input: text,
    encoding: 'utf8',
    timeout: 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}
