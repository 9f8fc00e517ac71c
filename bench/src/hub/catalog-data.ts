/**
 * Seeded scrape data shaped by the catalog: every series a service can expose (its metrics'
 * `maxSeries`, `_created` series included, as an OpenMetrics scrape yields them) plus the five
 * series the scraper writes per target, at a 15 s interval. Values are generated up front so
 * that the measured loops only ingest.
 */
import { serviceMetrics, type ServiceName, SERVICES } from '@canopy/catalog';
import { formatValue, labelCombinations, maxSeries, type MetricSpec } from '@canopy/telemetry';
import type { Labels } from '@canopy/hub';

/** First scrape of the data sets: a fixed instant, so runs are comparable. */
export const DATA_START_MS = Date.UTC(2025, 0, 1);
/** Scrape interval, ms. */
export const INTERVAL_MS = 15_000;

/** One scrape target's series and samples, column per series. */
export interface TargetData {
  readonly service: ServiceName;
  readonly instance: string;
  /** Frozen label sets, reused every round as the scraper reuses its series' labels. */
  readonly labels: readonly Labels[];
  /** `name{labels}` of each series, rendered once, for the text import of VictoriaMetrics. */
  readonly text: readonly string[];
  /** Scrape timestamps, ms (15 s apart, a few ms late as a timer-driven scraper is). */
  readonly t: Float64Array;
  /** Values: `v[series][round]`. */
  readonly v: readonly Float64Array[];
}

/** Options of {@link generateTargets}. */
export interface GenerateOptions {
  /** Targets; services are assigned round-robin (relay, replay, storage, relay, …). */
  readonly targets: number;
  /** Scrape rounds per target (5760 = 24 h at 15 s). */
  readonly rounds: number;
  /** Only targets of this service (then `targets` counts only these). */
  readonly service?: ServiceName;
  /** PRNG seed (default 1). */
  readonly seed?: number;
}

/** Series the scraper appends for every target beside the scraped ones. */
const REPORT_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;

/**
 * Series of one target of `service`: the catalog's `maxSeries` for each of its metrics plus
 * the scraper's report series.
 *
 * @example seriesPerTarget('relay') // 173
 */
export function seriesPerTarget(service: ServiceName): number {
  let n = REPORT_SERIES.length;
  for (const m of serviceMetrics(service)) n += maxSeries(m);
  return n;
}

/**
 * Generates `o.targets` targets × `o.rounds` scrapes of catalog series.
 *
 * @example generateTargets({ targets: 20, rounds: 240 }) // 1 h of 20 targets
 */
export function generateTargets(o: GenerateOptions): TargetData[] {
  const rnd = mulberry32(o.seed ?? 1);
  const out: TargetData[] = [];
  for (let k = 0; k < o.targets; k++) {
    const service = o.service ?? SERVICES[k % SERVICES.length]!;
    const ordinal = o.service === undefined ? Math.floor(k / SERVICES.length) : k;
    const instance = `${service}-${ordinal}:9100`;
    out.push(generateTarget(service, instance, o.rounds, rnd));
  }
  return out;
}

function generateTarget(
  service: ServiceName,
  instance: string,
  rounds: number,
  rnd: () => number,
): TargetData {
  const base = { service, instance };
  const phase = Math.floor(rnd() * INTERVAL_MS);
  const t = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const late = rnd() < 0.01 ? 5 + Math.floor(rnd() * 95) : Math.floor(rnd() * 4);
    t[i] = DATA_START_MS + phase + i * INTERVAL_MS + late;
  }
  // A daily load curve with noise, shared by the target's counters and histograms.
  const load = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const day = (2 * Math.PI * (t[i]! - DATA_START_MS)) / 86_400_000;
    load[i] = 0.6 + 0.4 * Math.sin(day) + 0.1 * rnd();
  }
  const startTime = Math.round((DATA_START_MS - rnd() * 86_400_000) / 10) / 100;
  const g = new Gen(rounds, load, rnd);
  const labels: Labels[] = [];
  const text: string[] = [];
  const v: Float64Array[] = [];
  const add = (name: string, extra: Record<string, string>, values: Float64Array): void => {
    const l = Object.freeze({ __name__: name, ...base, ...extra });
    labels.push(l);
    text.push(render(l));
    v.push(values);
  };
  for (const spec of serviceMetrics(service)) {
    const combos = combinations(spec);
    for (const extra of combos) {
      switch (spec.type) {
        case 'counter': {
          const stem = spec.name.slice(0, -'_total'.length);
          add(spec.name, extra, g.counter(spec));
          add(`${stem}_created`, extra, g.constant(startTime));
          break;
        }
        case 'gauge':
          add(spec.name, extra, g.gauge(spec, startTime));
          break;
        case 'histogram': {
          const h = g.histogram(spec.buckets);
          spec.buckets.forEach((b, j) =>
            add(`${spec.name}_bucket`, { ...extra, le: formatValue(b) }, h.buckets[j]!),
          );
          add(`${spec.name}_bucket`, { ...extra, le: '+Inf' }, h.count);
          add(`${spec.name}_sum`, extra, h.sum);
          add(`${spec.name}_count`, extra, h.count);
          add(`${spec.name}_created`, extra, g.constant(startTime));
          break;
        }
      }
    }
  }
  const scraped = labels.length;
  add('up', {}, g.constant(1));
  add('scrape_duration_seconds', {}, g.seconds(0.002, 6));
  add('scrape_samples_scraped', {}, g.constant(scraped));
  add('scrape_samples_post_metric_relabeling', {}, g.constant(scraped));
  add('scrape_series_added', {}, g.constant(0));
  if (labels.length !== seriesPerTarget(service)) throw new Error(`${service}: series count`);
  return { service, instance, labels, text, t, v };
}

/** Every label combination of a spec, `other` included (what `maxSeries` counts). */
function combinations(spec: MetricSpec): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [name, l] of Object.entries(spec.labels ?? {})) {
    if (l.kind !== 'enum') throw new Error(`${spec.name}: only enum labels are generated`);
    const values = l.values.includes('other') ? l.values : [...l.values, 'other'];
    const next: Record<string, string>[] = [];
    for (const o of out) for (const v of values) next.push({ ...o, [name]: v });
    out = next;
  }
  if (out.length !== labelCombinations(spec)) throw new Error(`${spec.name}: combinations`);
  return out;
}

/** `name{a="b",…}` as the Prometheus text format writes it. */
function render(l: Labels): string {
  let s = '';
  for (const k in l) {
    if (k === '__name__') continue;
    s += `${s === '' ? '' : ','}${k}="${l[k]!}"`;
  }
  return `${l['__name__']!}{${s}}`;
}

/** Value generators; each call draws its own rate or level from the shared PRNG. */
class Gen {
  constructor(
    private readonly n: number,
    private readonly load: Float64Array,
    private readonly rnd: () => number,
  ) {}

  constant(x: number): Float64Array {
    return new Float64Array(this.n).fill(x);
  }

  /** Counters: a rate drawn log-uniformly from 0.001/s to 1000/s; about a third mostly idle. */
  counter(spec: MetricSpec): Float64Array {
    const r = this.rnd;
    const seconds = spec.unit === 'seconds';
    const bytes = spec.unit === 'bytes';
    const rate = seconds ? 0.02 + r() * 0.2 : 10 ** (-3 + r() * 6) * (bytes ? 500 : 1);
    const out = new Float64Array(this.n);
    let c = seconds ? Math.round(r() * 1e6) / 1e6 : Math.floor(r() * 1000);
    for (let i = 0; i < this.n; i++) {
      const inc = rate * 15 * this.load[i]! * (0.5 + r());
      // Seconds accumulate µs precision (process.cpuUsage); counts and bytes are integers.
      c = seconds ? Math.round((c + inc) * 1e6) / 1e6 : c + Math.floor(inc + r());
      out[i] = c;
    }
    return out;
  }

  gauge(spec: MetricSpec, startTime: number): Float64Array {
    if (spec.name === 'process_start_time_seconds') return this.constant(startTime);
    if (spec.unit === 'bytes') return this.memory(10 + this.rnd() * 200);
    if (spec.unit === 'seconds') return this.seconds(0.001 + this.rnd() * 0.01, 9);
    return this.level(1 + Math.floor(this.rnd() * 50), 0.1);
  }

  /** Pages of memory, random-walking. */
  memory(mb: number): Float64Array {
    const out = new Float64Array(this.n);
    let pages = Math.floor((mb * 1_048_576) / 4096);
    for (let i = 0; i < this.n; i++) {
      pages = Math.max(1, pages + Math.floor((this.rnd() - 0.48) * 64));
      out[i] = pages * 4096;
    }
    return out;
  }

  /** A duration with `digits` decimals around `scale`. */
  seconds(scale: number, digits: number): Float64Array {
    const out = new Float64Array(this.n);
    const p = 10 ** digits;
    for (let i = 0; i < this.n; i++) out[i] = Math.round(scale * (0.5 + this.rnd()) * p) / p;
    return out;
  }

  /** An integer level in [0, max) that changes with probability `p` per scrape. */
  level(max: number, p: number): Float64Array {
    const out = new Float64Array(this.n);
    let x = Math.floor(this.rnd() * max);
    for (let i = 0; i < this.n; i++) {
      if (this.rnd() < p) x = Math.floor(this.rnd() * max);
      out[i] = x;
    }
    return out;
  }

  /** A classic histogram: cumulative buckets (without +Inf), `_sum` and `_count`. */
  histogram(bounds: readonly number[]): {
    buckets: Float64Array[];
    sum: Float64Array;
    count: Float64Array;
  } {
    const r = this.rnd;
    const rate = 10 ** (-1 + r() * 3); // 0.1/s to 100/s
    const weights = bounds.map(() => r());
    weights.push(0.05); // a few observations above the last bound
    const total = weights.reduce((a, b) => a + b, 0);
    const buckets = bounds.map(() => new Float64Array(this.n));
    const sum = new Float64Array(this.n);
    const count = new Float64Array(this.n);
    const cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < this.n; i++) {
      const k = rate * 15 * this.load[i]! * (0.5 + r());
      for (let b = 0; b < weights.length; b++) {
        const add = Math.floor((k * weights[b]!) / total + r());
        const lo = b === 0 ? 0 : bounds[b - 1]!;
        const hi = bounds[b] ?? lo * 2;
        s += add * (lo + (hi - lo) * r());
        for (let u = b; u < weights.length; u++) cum[u]! += add;
      }
      for (let b = 0; b < bounds.length; b++) buckets[b]![i] = cum[b]!;
      sum[i] = Math.round(s * 1e6) / 1e6;
      count[i] = cum[weights.length - 1]!;
    }
    return { buckets, sum, count };
  }
}

/** A small, fast, seedable PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
