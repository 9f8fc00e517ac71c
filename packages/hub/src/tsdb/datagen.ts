/**
 * Seeded, catalog-like test data: what a few services scraped every 15 s look like. Used by
 * the bytes-per-sample measurement and by tests that need realistic series.
 */
import type { Labels } from '../model.js';

/** Options of {@link generateCatalogLikeData}. */
export interface DataOptions {
  /** Scrape targets; each exposes 196 series (default 3 → 588 series). */
  targets?: number;
  /** Time covered, ms (default 24 h). */
  durationMs?: number;
  /** Scrape interval, ms (default 15 s). */
  intervalMs?: number;
  /** First scrape of the earliest target, ms since the epoch (default 2025-01-01T00:00Z). */
  startMs?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

/** One generated series: its labels and samples (targets share their `t` array). */
export interface GeneratedSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export { mulberry32 } from '../testing/prng.js';
import { mulberry32 } from '../testing/prng.js';

const SERVICES = ['relay', 'replay', 'storage'] as const;
const ACTORS = [
  'gossip',
  'dialer',
  'session',
  'sync',
  'applier',
  'store',
  'writer',
  'reader',
  'gc',
];
const BUCKETS = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1',
  '2.5',
  '5',
  '10',
  '+Inf',
];

/**
 * Generates 196 series per target: irregular counters (busy, bursty and mostly idle
 * ones), gauges with a few distinct values, memory gauges, float gauges with many digits, and
 * classic histograms (12 buckets, `_sum`, `_count`). Scrape timestamps are 15 s apart, late
 * by 0–3 ms, and now and then (1%) by up to 100 ms, as a timer-driven scraper is.
 *
 * @example generateCatalogLikeData({ targets: 1, durationMs: 3_600_000 }).length // 196
 */
export function generateCatalogLikeData(o: DataOptions = {}): GeneratedSeries[] {
  const targets = o.targets ?? 3;
  const duration = o.durationMs ?? 24 * 3_600_000;
  const interval = o.intervalMs ?? 15_000;
  const start = o.startMs ?? Date.UTC(2025, 0, 1);
  const rnd = mulberry32(o.seed ?? 1);
  const n = Math.floor(duration / interval);
  const out: GeneratedSeries[] = [];
  for (let target = 0; target < targets; target++) {
    const service = SERVICES[target % SERVICES.length]!;
    const base = { service, instance: `${service}-${Math.floor(target / SERVICES.length)}:9100` };
    const phase = Math.floor(rnd() * interval);
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const late = rnd() < 0.01 ? 5 + Math.floor(rnd() * 95) : Math.floor(rnd() * 4);
      t[i] = start + phase + i * interval + late;
    }
    // Load follows a daily curve with noise, shared by the target's counters.
    const load = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      load[i] = 0.6 + 0.4 * Math.sin((2 * Math.PI * i * interval) / 86_400_000) + 0.1 * rnd();
    }
    const add = (name: string, extra: Record<string, string>, v: Float64Array): void => {
      out.push({ labels: { __name__: name, ...base, ...extra }, t, v });
    };
    const counter = (mean: number, scale = 1): Float64Array => {
      const v = new Float64Array(n);
      let c = Math.floor(rnd() * 1000) * scale;
      for (let i = 0; i < n; i++) {
        c += Math.round(mean * load[i]! * (0.5 + rnd())) * scale;
        v[i] = c;
      }
      return v;
    };
    const rare = (p: number): Float64Array => {
      const v = new Float64Array(n);
      let c = 0;
      for (let i = 0; i < n; i++) {
        if (rnd() < p) c += 1 + Math.floor(rnd() * 3);
        v[i] = c;
      }
      return v;
    };
    const fewValues = (values: number, pChange: number): Float64Array => {
      const v = new Float64Array(n);
      let x = Math.floor(rnd() * values);
      for (let i = 0; i < n; i++) {
        if (rnd() < pChange) x = Math.floor(rnd() * values);
        v[i] = x;
      }
      return v;
    };
    const memory = (mb: number): Float64Array => {
      const v = new Float64Array(n);
      let pages = Math.floor((mb * 1_048_576) / 4096);
      for (let i = 0; i < n; i++) {
        pages += Math.floor((rnd() - 0.48) * 64);
        v[i] = pages * 4096;
      }
      return v;
    };
    const seconds = (scale: number, digits: number): Float64Array => {
      const v = new Float64Array(n);
      const p = 10 ** digits;
      for (let i = 0; i < n; i++) v[i] = Math.round(scale * (0.5 + rnd()) * p) / p;
      return v;
    };

    // Counters: 48.
    for (const dir of ['in', 'out']) {
      add(`${service}_messages_total`, { direction: dir }, counter(400));
      add(`${service}_bytes_total`, { direction: dir }, counter(90_000));
      add(`${service}_frames_total`, { direction: dir }, counter(40));
    }
    for (let r = 0; r < 8; r++) add(`${service}_errors_total`, { reason: `r${r}` }, rare(0.01));
    for (let r = 0; r < 8; r++) add(`${service}_dropped_total`, { reason: `r${r}` }, rare(0.002));
    for (const a of ACTORS) add('actor_messages_total', { actor: a }, counter(50));
    for (const a of ACTORS) add('actor_restarts_total', { actor: a }, rare(0.0005));
    add(
      'process_cpu_seconds_total',
      {},
      counter(30, 0.01).map((x) => Math.round(x * 100) / 100),
    );
    add(`${service}_events_total`, {}, counter(120));
    add(`${service}_connects_total`, {}, counter(2));
    add(`${service}_disconnects_total`, {}, counter(2));
    add(`${service}_ws_upgrades_total`, { result: 'success' }, counter(2));
    add(`${service}_ws_upgrades_total`, { result: 'error' }, rare(0.02));
    add(`${service}_backfilled_total`, {}, counter(5));
    add(`${service}_peers_served_total`, {}, counter(1));
    // Gauges: 36.
    for (const a of ACTORS) add('actor_mailbox_depth', { actor: a }, fewValues(4, 0.05));
    for (const a of ACTORS) add('actor_mailbox_lag_seconds', { actor: a }, seconds(0.002, 6));
    add(`${service}_peers_connected`, {}, fewValues(12, 0.1));
    add(`${service}_sync_queue_depth`, {}, fewValues(3, 0.05));
    add(`${service}_head_set_size`, {}, fewValues(5, 0.02));
    add('up', {}, fewValues(1, 0));
    add(`${service}_open_connections`, {}, fewValues(20, 0.2));
    add(`${service}_db_size_bytes`, {}, counter(4096, 1));
    add('process_resident_memory_bytes', {}, memory(90));
    add('process_heap_bytes', {}, memory(40));
    add('nodejs_heap_size_used_bytes', {}, memory(30));
    add('nodejs_external_memory_bytes', {}, memory(5));
    add(
      'process_open_fds',
      {},
      fewValues(8, 0.1).map((x) => x + 20),
    );
    add('nodejs_eventloop_lag_seconds', {}, seconds(0.01, 9));
    add(`${service}_head_event_age_seconds`, {}, seconds(1.5, 3));
    add('nodejs_gc_duration_seconds_last', {}, seconds(0.004, 9));
    add(
      'process_start_time_seconds',
      {},
      fewValues(1, 0).map(() => 1_735_689_000),
    );
    add(`${service}_disk_free_bytes`, {}, memory(40_000));
    add(
      `${service}_disk_size_bytes`,
      {},
      fewValues(1, 0).map(() => 107_374_182_400),
    );
    add('node_load1', {}, seconds(1, 2));
    // Histograms: 8 × (12 buckets + _sum + _count) = 112.
    const hists = [
      [`${service}_request_duration_seconds`, { op: 'read' }, 40],
      [`${service}_request_duration_seconds`, { op: 'write' }, 25],
      [`${service}_dial_duration_seconds`, {}, 2],
      [`${service}_write_duration_seconds`, {}, 60],
      [`${service}_apply_duration_seconds`, {}, 100],
      [`${service}_frame_size_seconds`, { direction: 'in' }, 300],
      [`${service}_frame_size_seconds`, { direction: 'out' }, 300],
      [`${service}_gc_duration_seconds`, {}, 1],
    ] as const;
    for (const [name, extra, mean] of hists) {
      const weights = BUCKETS.map(() => rnd());
      const buckets = BUCKETS.map(() => new Float64Array(n));
      const sum = new Float64Array(n);
      const count = new Float64Array(n);
      const cum = new Float64Array(BUCKETS.length);
      let s = 0;
      let c = 0;
      const total = weights.reduce((a, b) => a + b, 0);
      for (let i = 0; i < n; i++) {
        const k = Math.round(mean * load[i]! * (0.5 + rnd()));
        for (let j = 0; j < k; j++) {
          // Draw a bucket by weight; everything from it upward counts the observation.
          let x = rnd() * total;
          let b = 0;
          while (b < BUCKETS.length - 1 && x > weights[b]!) x -= weights[b++]!;
          for (let u = b; u < BUCKETS.length; u++) cum[u]!++;
          s += (b < BUCKETS.length - 1 ? Number(BUCKETS[b]) : 20) * (0.3 + 0.7 * rnd());
        }
        c += k;
        for (let b = 0; b < BUCKETS.length; b++) buckets[b]![i] = cum[b]!;
        sum[i] = s;
        count[i] = c;
      }
      BUCKETS.forEach((le, b) => add(`${name}_bucket`, { ...extra, le }, buckets[b]!));
      add(`${name}_sum`, extra, sum);
      add(`${name}_count`, extra, count);
    }
  }
  return out;
}
