import { Registry } from '@canopy/telemetry';
import * as prom from 'prom-client';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Case } from '../harness.js';
import { MASK, OBSERVATIONS } from '../inputs.js';
import { otelMeter } from '../otel.js';

// The registry: 10 counters × 500 label combinations (5,000 sample lines) and
// 5 histograms × 100 combinations × (7 buckets + +Inf + _sum + _count) (5,000 lines).
const COUNTERS = 10;
const COUNTER_GROUPS = 20;
const COUNTER_OPS = 25;
const HISTOGRAMS = 5;
const HISTOGRAM_GROUPS = 10;
const HISTOGRAM_OPS = 10;
const RENDER_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];
const OBSERVATIONS_PER_SERIES = 3;

/** Sample lines the registry renders to, in every library. */
export const RENDER_SERIES =
  COUNTERS * COUNTER_GROUPS * COUNTER_OPS +
  HISTOGRAMS * HISTOGRAM_GROUPS * HISTOGRAM_OPS * (RENDER_BUCKETS.length + 3);

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => prefix + String(i).padStart(2, '0'));

/** Visits every series once, with the value each library must record for it. */
function forEachSeries(
  counter: (m: number, group: string, op: string, v: number) => void,
  observe: (m: number, group: string, op: string, v: number) => void,
): void {
  for (let m = 0; m < COUNTERS; m++)
    for (const [g, group] of names('g', COUNTER_GROUPS).entries())
      for (const [o, op] of names('op', COUNTER_OPS).entries())
        counter(m, group, op, (m + 1) * 1_000_000 + g * 1_000 + o);
  let k = 0;
  for (let m = 0; m < HISTOGRAMS; m++)
    for (const group of names('g', HISTOGRAM_GROUPS))
      for (const op of names('op', HISTOGRAM_OPS))
        for (let j = 0; j < OBSERVATIONS_PER_SERIES; j++)
          observe(m, group, op, OBSERVATIONS[k++ & MASK]!);
}

const counterName = (m: number) => `bench_render_c${m}_bytes_total`;
const histogramName = (m: number) => `bench_render_h${m}_seconds`;

function buildCanopy(): Registry {
  // Self-metrics off: they would add lines the peers do not have.
  const r = new Registry({ selfMetrics: false });
  const labels = {
    peer_group: { kind: 'enum', values: names('g', COUNTER_GROUPS) },
    op: { kind: 'enum', values: names('op', COUNTER_OPS) },
  } as const;
  const cs = Array.from({ length: COUNTERS }, (_, m) =>
    r.counter({
      type: 'counter',
      name: counterName(m),
      help: 'Bytes.',
      unit: 'bytes',
      labels,
      maxSeries: 2_000,
    }),
  );
  const hs = Array.from({ length: HISTOGRAMS }, (_, m) =>
    r.histogram({
      type: 'histogram',
      name: histogramName(m),
      help: 'Duration.',
      unit: 'seconds',
      buckets: RENDER_BUCKETS,
      labels,
      maxSeries: 8_000,
    }),
  );
  forEachSeries(
    (m, peer_group, op, v) => cs[m]!.labels({ peer_group, op }).inc(v),
    (m, peer_group, op, v) => hs[m]!.labels({ peer_group, op }).observe(v),
  );
  return r;
}

function buildProm(): prom.Registry {
  const r = new prom.Registry();
  const labelNames = ['peer_group', 'op'] as const;
  const cs = Array.from(
    { length: COUNTERS },
    (_, m) =>
      new prom.Counter({ name: counterName(m), help: 'Bytes.', labelNames, registers: [r] }),
  );
  const hs = Array.from(
    { length: HISTOGRAMS },
    (_, m) =>
      new prom.Histogram({
        name: histogramName(m),
        help: 'Duration.',
        labelNames,
        buckets: [...RENDER_BUCKETS],
        registers: [r],
      }),
  );
  forEachSeries(
    (m, peer_group, op, v) => cs[m]!.inc({ peer_group, op }, v),
    (m, peer_group, op, v) => hs[m]!.observe({ peer_group, op }, v),
  );
  return r;
}

function buildOtel() {
  const { meter, reader } = otelMeter('bench');
  const cs = Array.from({ length: COUNTERS }, (_, m) =>
    meter.createCounter(counterName(m), { description: 'Bytes.' }),
  );
  const hs = Array.from({ length: HISTOGRAMS }, (_, m) =>
    meter.createHistogram(histogramName(m), {
      description: 'Duration.',
      advice: { explicitBucketBoundaries: [...RENDER_BUCKETS] },
    }),
  );
  forEachSeries(
    (m, peer_group, op, v) => cs[m]!.add(v, { peer_group, op }),
    (m, peer_group, op, v) => hs[m]!.record(v, { peer_group, op }),
  );
  // As the Prometheus exporter would, minus target_info and otel_scope_* labels, which
  // would give its output lines the others do not have.
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return async (): Promise<string> =>
    serializer.serialize((await reader.collect()).resourceMetrics);
}

/**
 * The sample lines of an exposition, sorted, with each line's labels sorted too
 * (prom-client puts `le` first), for comparing libraries. The bench's label values
 * hold no commas or quotes, so a plain split is enough.
 */
function sampleLines(text: string): string[] {
  const lines: string[] = [];
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const open = l.indexOf('{');
    const close = l.indexOf('}');
    if (open === -1) lines.push(l);
    else {
      const labels = l
        .slice(open + 1, close)
        .split(',')
        .sort()
        .join(',');
      lines.push(l.slice(0, open) + '{' + labels + l.slice(close));
    }
  }
  return lines.sort();
}

function sameSamples(what: string, a: readonly string[], b: readonly string[]): void {
  const i = a.findIndex((l, k) => l !== b[k]);
  if (a.length !== RENDER_SERIES || b.length !== RENDER_SERIES || i !== -1)
    throw new Error(
      `render case: canopy and ${what} expositions differ (${a.length} vs ${b.length} lines, ` +
        `expected ${RENDER_SERIES}; first difference: ${a[i] ?? '-'} | ${b[i] ?? '-'})`,
    );
}

/** Reads the last character, which makes V8 flatten a concatenated string, as a write would. */
function flat(s: string): number {
  return s.charCodeAt(s.length - 1) + s.length;
}

/** Rendering a registry of 10k series, mixed counters and histograms, as text 0.0.4. */
export const render10k: Case = {
  name: 'render 10k series (text)',
  about:
    `${RENDER_SERIES} sample lines, identical (sorted) in all three outputs; otel = ` +
    'reader.collect() + PrometheusSerializer, as its exporter does per scrape',
  async setup() {
    const cr = buildCanopy();
    const pr = buildProm();
    const otelRender = buildOtel();
    const canopyLines = sampleLines(cr.render('text'));
    sameSamples('prom-client', canopyLines, sampleLines(await pr.metrics()));
    sameSamples('opentelemetry', canopyLines, sampleLines(await otelRender()));
    return [
      {
        lib: 'canopy',
        call: "registry.render('text')",
        run(n) {
          let x = 0;
          for (let i = 0; i < n; i++) x += flat(cr.render('text'));
          return x;
        },
      },
      {
        lib: 'prom-client',
        call: 'await register.metrics()',
        async run(n) {
          let x = 0;
          for (let i = 0; i < n; i++) x += flat(await pr.metrics());
          return x;
        },
      },
      {
        lib: 'opentelemetry',
        call: 'serialize((await reader.collect()).resourceMetrics)',
        async run(n) {
          let x = 0;
          for (let i = 0; i < n; i++) x += flat(await otelRender());
          return x;
        },
      },
    ];
  },
};
