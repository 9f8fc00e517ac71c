/**
 * Seeded generator of realistic scrape data for the PromQL differential test: a few hours
 * of samples at a 15 s interval with per-target phase and jitter, counters with resets,
 * gauges (negative values, NaN, ±Inf), classic histograms, missed scrapes, a Prometheus
 * outage (a gap longer than the lookback), targets that start late or disappear (with and
 * without staleness markers) and a flapping target.
 *
 * The same {@link Dataset} is written into Prometheus (remote write) and into a MemQuerier,
 * so every difference in query results is a difference of the engines.
 */
import type { Labels } from '../model.js';

/** One generated series: timestamps (ms, strictly increasing) and values (stale markers kept). */
export interface GenSeries {
  readonly labels: Labels;
  readonly t: number[];
  readonly v: Float64Array;
}

/** The generated data. */
export interface Dataset {
  readonly seed: number;
  /** First nominal scrape time (ms, aligned to the hour). */
  readonly startMs: number;
  /** Last nominal scrape time (ms). */
  readonly endMs: number;
  readonly intervalMs: number;
  readonly series: GenSeries[];
  /** Total sample count (stale markers included). */
  readonly samples: number;
  /** Number of stale markers written. */
  readonly staleMarkers: number;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
}

/** 2023-11-14T22:00:00Z: a fixed, hour-aligned epoch so results do not depend on the wall clock. */
export const BASE_MS = 1_699_999_200_000;
export const INTERVAL_MS = 15_000;
/**
 * 2 h 45 min of data: below the 3 h span at which Prometheus would compact its head into a
 * block while the test runs (harmless, but there is no need for it).
 */
export const SPAN_MS = 165 * 60_000;

const MIN = 60_000;

/** Number of nominal scrapes in the dataset. */
const STEPS = Math.floor(SPAN_MS / INTERVAL_MS) + 1;
/** Time of the first nominal scrape (ms). */
export const DATA_START_MS = BASE_MS;
/** Time of the last nominal scrape (ms). */
export const DATA_END_MS = BASE_MS + (STEPS - 1) * INTERVAL_MS;

/** How a target's series end. */
type EndKind = 'stale' | 'silent';

interface TargetSpec {
  service: string;
  instance: string;
  /** Offset of the first scrape from BASE_MS (ms). */
  from: number;
  /** Offset after which the target is gone, and how it goes. */
  until?: { at: number; how: EndKind };
  /** Scrape phase within the interval; `aligned` targets scrape exactly on the 15 s grid. */
  aligned?: boolean;
  /** The target is down in [from, to): up=0 and staleness markers for its series. */
  down?: { from: number; to: number };
}

const TARGETS: TargetSpec[] = [
  { service: 'relay', instance: 'a:9100', from: 0 },
  { service: 'relay', instance: 'b:9100', from: 0, down: { from: 62 * MIN, to: 71 * MIN } },
  {
    service: 'relay',
    instance: 'c:9100',
    from: 40 * MIN,
    until: { at: 100 * MIN, how: 'stale' },
  },
  { service: 'replay', instance: 'a:9100', from: 0, aligned: true },
  { service: 'replay', instance: 'b:9100', from: 0 },
  { service: 'replay', instance: 'd:9100', from: 90 * MIN },
  { service: 'storage', instance: 'a:9100', from: 0 },
  {
    service: 'storage',
    instance: 'e:9100',
    from: 0,
    until: { at: 150 * MIN, how: 'silent' },
  },
];

/** Bucket bounds of the classic histogram `request_duration_seconds`. */
export const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** Collects samples per series, in time order. */
class Builder {
  private readonly map = new Map<
    string,
    { labels: Labels; t: number[]; v: number[]; stale: number[] }
  >();
  staleMarkers = 0;

  add(labels: Labels, t: number, v: number, stale = false): void {
    const k = seriesKey(labels);
    let s = this.map.get(k);
    if (s === undefined) this.map.set(k, (s = { labels, t: [], v: [], stale: [] }));
    const last = s.t[s.t.length - 1];
    if (last !== undefined && t <= last) throw new Error(`generator bug: out of order ${k}`);
    if (stale) s.stale.push(s.t.length);
    s.t.push(t);
    s.v.push(v);
  }

  /** Writes a staleness marker into every given series. */
  stale(series: Iterable<Labels>, t: number): void {
    for (const l of series) {
      this.add(l, t, 0, true);
      this.staleMarkers++;
    }
  }

  build(): GenSeries[] {
    const out: GenSeries[] = [];
    for (const s of this.map.values()) {
      const v = new Float64Array(s.v);
      // The marker's bits are written directly: a NaN passing through plain JS values may
      // lose its payload.
      const u32 = new Uint32Array(v.buffer);
      for (const i of s.stale) {
        u32[2 * i] = 2;
        u32[2 * i + 1] = 0x7ff00000;
      }
      out.push({ labels: s.labels, t: s.t, v });
    }
    return out;
  }
}

/** Per-target generator state. */
interface TargetState {
  spec: TargetSpec;
  phase: number;
  /** Series exposed by the last successful scrape (for staleness markers). */
  exposed: Labels[];
  counters: Map<string, number>;
  queue: number;
  temp: number;
  buckets: number[];
  hsum: number;
  hcount: number;
  replicas: number;
  /** Scrape index of a forced counter reset. */
  resetAt: number;
}

const keys = new WeakMap<Labels, string>();
/** Identity of a series within the generator. */
function seriesKey(l: Labels): string {
  let s = keys.get(l);
  if (s === undefined) {
    s = JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
    keys.set(l, s);
  }
  return s;
}

const interned = new Map<string, Labels>();
/** The label set of `l` plus the target's labels; one shared object per series. */
function withTarget(spec: TargetSpec, l: Record<string, string>): Labels {
  let k = spec.service + '\u0001' + spec.instance;
  for (const n in l) k += '\u0001' + n + '\u0000' + l[n];
  let labels = interned.get(k);
  if (labels === undefined) {
    labels = { ...l, service: spec.service, instance: spec.instance };
    interned.set(k, labels);
  }
  return labels;
}

/**
 * Generates the dataset for `seed`. Deterministic: the same seed always gives the same
 * samples, bit for bit.
 */
export function generate(seed: number): Dataset {
  const rng = new Rng(seed);
  const b = new Builder();
  const steps = STEPS;
  // A Prometheus outage: no samples at all for any target, longer than the 5 m lookback.
  const outage = { from: 118 * MIN + rng.int(0, 60) * 1000, to: 126 * MIN + rng.int(0, 60) * 1000 };

  const states: TargetState[] = TARGETS.map((spec) => ({
    spec,
    phase: spec.aligned === true ? 0 : rng.int(0, INTERVAL_MS - 1),
    exposed: [],
    counters: new Map(),
    queue: rng.range(0, 50),
    temp: rng.range(-15, 30),
    buckets: BUCKETS.map(() => 0).concat([0]),
    hsum: 0,
    hcount: 0,
    replicas: rng.int(1, 4),
    resetAt: rng.int(Math.floor(steps * 0.15), Math.floor(steps * 0.85)),
  }));

  for (let i = 0; i < steps; i++) {
    const nominal = BASE_MS + i * INTERVAL_MS;
    const off = i * INTERVAL_MS;
    for (const st of states) {
      const spec = st.spec;
      const jitter = spec.aligned === true ? 0 : rng.int(-400, 400);
      const t = nominal + st.phase + jitter;
      if (off < spec.from) continue;
      if (spec.until !== undefined && off >= spec.until.at) {
        if (spec.until.how === 'stale' && st.exposed.length > 0) {
          b.stale(st.exposed, t);
          b.stale([withTarget(spec, { __name__: 'up' })], t);
          st.exposed = [];
        }
        continue;
      }
      if (off >= outage.from && off < outage.to) continue;
      // A missed scrape with nothing written (as after a Prometheus restart).
      if (spec.aligned !== true && rng.chance(0.02)) continue;

      const down = spec.down !== undefined && off >= spec.down.from && off < spec.down.to;
      if (down) {
        // A failed scrape: up=0 and staleness markers for everything the last scrape exposed.
        if (st.exposed.length > 0) b.stale(st.exposed, t);
        st.exposed = [];
        b.add(withTarget(spec, { __name__: 'up' }), t, 0);
        continue;
      }
      b.add(withTarget(spec, { __name__: 'up' }), t, 1);
      const exposed: Labels[] = [];
      const put = (l: Record<string, string>, v: number): void => {
        const labels = withTarget(spec, l);
        b.add(labels, t, v);
        exposed.push(labels);
      };

      const reset = i === st.resetAt || rng.chance(0.002);

      // Counters: requests (integer increments), CPU seconds (fractional).
      for (const method of ['GET', 'POST']) {
        for (const code of ['200', '500']) {
          const k = `${method}/${code}`;
          const base = (method === 'GET' ? 40 : 8) * (code === '200' ? 1 : 0.05);
          let c = reset ? 0 : (st.counters.get(k) ?? rng.int(0, 1000));
          c += Math.round(rng.range(0, 2) * base);
          st.counters.set(k, c);
          put({ __name__: 'http_requests_total', method, code }, c);
        }
      }
      let cpu = reset ? 0 : (st.counters.get('cpu') ?? rng.range(0, 100));
      cpu += rng.range(0.5, 4);
      st.counters.set('cpu', cpu);
      put({ __name__: 'process_cpu_seconds_total' }, cpu);

      // Gauges: a random walk ≥ 0, a temperature crossing zero, a small integer gauge.
      st.queue = Math.max(0, st.queue + rng.range(-6, 6.5));
      put({ __name__: 'queue_depth' }, Math.round(st.queue));
      st.temp += rng.range(-1, 1);
      put({ __name__: 'temperature_celsius' }, Math.round(st.temp * 100) / 100);
      if (rng.chance(0.02)) st.replicas = rng.int(1, 4);
      put({ __name__: 'replicas' }, st.replicas);

      // A classic histogram: cumulative buckets including +Inf, _sum and _count.
      if (reset) {
        st.buckets.fill(0);
        st.hsum = 0;
        st.hcount = 0;
      }
      const n = rng.int(0, 12);
      for (let j = 0; j < n; j++) {
        const d = Math.exp(rng.range(-4, 1.5));
        st.hsum += d;
        st.hcount++;
        let idx = BUCKETS.findIndex((le) => d <= le);
        if (idx < 0) idx = BUCKETS.length;
        for (let k = idx; k < st.buckets.length; k++) st.buckets[k]!++;
      }
      BUCKETS.forEach((le, k) =>
        put({ __name__: 'request_duration_seconds_bucket', le: String(le) }, st.buckets[k]!),
      );
      put({ __name__: 'request_duration_seconds_bucket', le: '+Inf' }, st.hcount);
      put({ __name__: 'request_duration_seconds_sum' }, st.hsum);
      put({ __name__: 'request_duration_seconds_count' }, st.hcount);

      put(
        { __name__: 'build_info', version: spec.service === 'relay' ? '1.4.2' : '2.0.0-rc.1' },
        1,
      );

      // A flapping series: disappears (stale marker) for a while, then comes back.
      const flapOff = spec.instance === 'a:9100' && off >= 30 * MIN && off < 45 * MIN;
      if (!flapOff) put({ __name__: 'flappy_gauge' }, Math.round(rng.range(0, 100)));

      // Series exposed by the previous scrape but not by this one go stale now.
      const now = new Set(exposed.map(seriesKey));
      b.stale(
        st.exposed.filter((l) => !now.has(seriesKey(l))),
        t,
      );
      st.exposed = exposed;
    }

    // Target-independent series (one "job" of its own).
    const t = nominal + 7_000 + rng.int(-200, 200);
    if (i * INTERVAL_MS >= outage.from && i * INTERVAL_MS < outage.to) continue;
    for (const sensor of ['s1', 's2', 's3']) {
      let v = Math.round(rng.range(-50, 50) * 10) / 10;
      if (rng.chance(0.03)) v = NaN;
      else if (sensor === 's3' && rng.chance(0.02)) v = rng.chance(0.5) ? Infinity : -Infinity;
      b.add({ __name__: 'sensor_value', sensor, job: 'sensors' }, t, v);
    }
    // A histogram missing its +Inf bucket and one with non-monotonic buckets.
    b.add({ __name__: 'broken_seconds_bucket', job: 'sensors', kind: 'noinf', le: '1' }, t, i);
    b.add({ __name__: 'broken_seconds_bucket', job: 'sensors', kind: 'noinf', le: '2' }, t, 2 * i);
    for (const [le, f] of [
      ['0.5', 3],
      ['1', 2],
      ['2', 4],
      ['+Inf', 5],
    ] as const) {
      b.add({ __name__: 'broken_seconds_bucket', job: 'sensors', kind: 'nonmono', le }, t, f * i);
    }
    // Two metrics that differ only by name, for "same labelset" execution errors.
    b.add({ __name__: 'conflict_a', job: 'sensors' }, t, i);
    b.add({ __name__: 'conflict_b', job: 'sensors' }, t, -i);
  }
  // Exactly-aligned series (no phase, no jitter) to test range boundaries.
  for (let i = 0; i < steps; i++) {
    const t = BASE_MS + i * INTERVAL_MS;
    b.add({ __name__: 'aligned_counter_total', job: 'aligned' }, t, i * 3 + (i % 7));
    b.add({ __name__: 'aligned_gauge', job: 'aligned' }, t, (i % 40) - 20);
  }

  const series = b.build();
  const samples = series.reduce((a, s) => a + s.t.length, 0);
  return {
    seed,
    startMs: DATA_START_MS,
    endMs: DATA_END_MS,
    intervalMs: INTERVAL_MS,
    series,
    samples,
    staleMarkers: b.staleMarkers,
  };
}
