/**
 * A day (or more) of catalog-shaped history written straight into a hub's TSDB, ending now:
 * two relays, a replay, a storage service and a host scraped every 15 s — every catalog
 * metric with every declared label value — plus the series the generated rule file records
 * (`slo:error_ratio:rate5m`, `slo:time_slice_bad:max`, `slo:error_budget_remaining:ratio`) and
 * `ALERTS` for one resolved incident (relay-b down for 10 minutes, 6 hours ago), and label
 * values folded into `other` on the replay. Used by the
 * dashboard's first-render measurement, where running the services for a day is not an
 * option. Deterministic for a seed.
 * @module
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { TSDB, type Labels } from '@canopy/hub';
import { CPU_MODES, DEFAULT_SLOS, host, serviceMetrics, type ServiceName } from '@canopy/catalog';
import { mulberry32 } from '@canopy/hub/testing/prng';
import type { MetricSpec } from '@canopy/telemetry';

/** Options of {@link writeHistory}. */
export interface HistoryOptions {
  /** Hours of history (default 24). */
  readonly hours?: number;
  /** Last sample time, ms (default now). */
  readonly end?: number;
  readonly seed?: number;
}

/** What was written. */
export interface HistoryResult {
  readonly series: number;
  readonly samples: number;
  readonly seconds: number;
}

const STEP = 15_000;
const TARGETS: readonly { service: ServiceName; instance: string }[] = [
  { service: 'relay', instance: '127.0.0.1:7100' },
  { service: 'relay', instance: '127.0.0.1:7101' },
  { service: 'replay', instance: '127.0.0.1:7102' },
  { service: 'storage', instance: '127.0.0.1:7103' },
];

/** Every label combination a spec declares (enum values; buckets and top-K are not used). */
function combos(spec: MetricSpec): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [name, l] of Object.entries(spec.labels ?? {})) {
    const values = l.kind === 'enum' ? l.values : ['other'];
    out = out.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return out;
}

/** A series generator: its labels and its value at round i (undefined = no sample). */
interface Gen {
  readonly labels: Labels;
  next(i: number, t: number): number | undefined;
}

function gauge(spec: { name: string; unit?: string }, r: () => number): (i: number) => number {
  const base =
    spec.unit === 'bytes' ? 5e7 + r() * 5e8 : spec.unit === 'seconds' ? 0.05 + r() : 5 + r() * 100;
  const daily = r() * Math.PI * 2;
  return (i) =>
    Math.max(0, base * (1 + 0.3 * Math.sin(daily + (i * 2 * Math.PI) / 5760) + 0.1 * (r() - 0.5)));
}

/**
 * Writes the history into `<dataDir>/tsdb` (the hub must not be running on it).
 *
 * @example const r = writeHistory('.tmp/ui-data', { hours: 24 }); r.samples // ≈ 2.4 million
 */
export function writeHistory(dataDir: string, o: HistoryOptions = {}): HistoryResult {
  const started = performance.now();
  const end = o.end ?? Date.now();
  const rounds = Math.floor(((o.hours ?? 24) * 3_600_000) / STEP);
  const start = end - (rounds - 1) * STEP;
  const r = mulberry32(o.seed ?? 7);
  // relay-b is down for 10 minutes, 6 hours before the end.
  const downFrom = Math.floor(rounds - (6 * 3_600_000) / STEP);
  const downTo = downFrom + 40;
  const isDown = (target: string, i: number) =>
    target === '127.0.0.1:7101' && i >= downFrom && i < downTo;
  const gens: Gen[] = [];

  for (const tg of TARGETS) {
    const base = { service: tg.service, instance: tg.instance, job: tg.service };
    gens.push({
      labels: { __name__: 'up', ...base },
      next: (i) => (isDown(tg.instance, i) ? 0 : 1),
    });
    // The telemetry library's overflow counter: the replay once saw actor types it did not
    // know, folded into "other" (two an hour); everything else stayed in its declared set.
    let folded = 0;
    gens.push({
      labels: {
        __name__: 'canopy_telemetry_label_overflow_total',
        ...base,
        metric: 'actor_mailbox_depth',
        label: 'actor',
      },
      next: (i) =>
        isDown(tg.instance, i)
          ? undefined
          : tg.service === 'replay' && i % 120 === 60
            ? ++folded
            : folded,
    });
    for (const name of ['scrape_samples_scraped', 'scrape_duration_seconds', 'scrape_series_added'])
      gens.push({
        labels: { __name__: name, ...base },
        next: (i) =>
          isDown(tg.instance, i)
            ? 0
            : name === 'scrape_duration_seconds'
              ? 0.002 + r() * 0.003
              : 120,
      });
    for (const spec of serviceMetrics(tg.service)) {
      for (const [ci, c] of combos(spec).entries()) {
        const labels = { ...base, ...c };
        const alive = (i: number) => !isDown(tg.instance, i);
        if (spec.type === 'gauge') {
          const v = gauge(spec, r);
          gens.push({
            labels: { __name__: spec.name, ...labels },
            next: (i) => (alive(i) ? v(i) : undefined),
          });
        } else if (spec.type === 'counter') {
          // The first declared value (success, client_close, …) is the common one.
          const rate =
            (spec.unit === 'seconds' ? 0.05 + r() * 0.3 : r() < 0.3 ? r() * 0.05 : r() * 200) *
            (ci === 0 ? 1 : 0.002);
          let total = 0;
          gens.push({
            labels: { __name__: spec.name, ...labels },
            next: (i) => {
              if (!alive(i)) return undefined;
              total += rate * 15 * (0.5 + r());
              return total;
            },
          });
        } else {
          // Observations spread over the buckets, a few percent above the SLO bound.
          const bounds = [...spec.buckets.map(String), '+Inf'];
          const counts = new Array<number>(bounds.length).fill(0);
          let sum = 0;
          let count = 0;
          const perScrape = 20 + r() * 200;
          const round = { i: -1 };
          const step = (i: number) => {
            if (round.i === i) return;
            round.i = i;
            const n = Math.round(perScrape * (0.5 + r()));
            for (let k = 0; k < n; k++) {
              // Mostly the low buckets: about 0.3% of observations past the 8th bound.
              const b = Math.min(bounds.length - 1, Math.floor(-Math.log(1 - r()) * 1.2));
              for (let j = b; j < bounds.length; j++) counts[j]!++;
              sum += spec.buckets[Math.min(b, spec.buckets.length - 1)]! * 0.7;
              count++;
            }
          };
          bounds.forEach((le, j) =>
            gens.push({
              labels: { __name__: `${spec.name}_bucket`, ...labels, le },
              next: (i) => {
                if (!alive(i)) return undefined;
                step(i);
                return counts[j]!;
              },
            }),
          );
          gens.push({
            labels: { __name__: `${spec.name}_sum`, ...labels },
            next: (i) => (alive(i) ? (step(i), sum) : undefined),
          });
          gens.push({
            labels: { __name__: `${spec.name}_count`, ...labels },
            next: (i) => (alive(i) ? (step(i), count) : undefined),
          });
        }
      }
    }
  }

  const hostBase = { service: 'host', instance: 'host-1', job: 'host' };
  gens.push({ labels: { __name__: 'up', ...hostBase }, next: () => 1 });
  for (const m of host) {
    if (m.per === 'cpu_mode') {
      for (const cpu of ['0', '1'])
        for (const mode of CPU_MODES) {
          let total = 0;
          const share = mode === 'idle' ? 0.6 : mode === 'user' ? 0.25 : 0.02;
          gens.push({
            labels: { __name__: m.name, ...hostBase, cpu, mode },
            next: () => (total += 15 * share * (0.8 + 0.4 * r())),
          });
        }
      continue;
    }
    const labels =
      m.per === 'filesystem' ? { device: '/dev/vda1', fstype: 'ext4', mountpoint: '/' } : {};
    const fixed: Record<string, number> = {
      node_memory_MemTotal_bytes: 16e9,
      node_memory_SwapTotal_bytes: 4e9,
      node_filesystem_size_bytes: 100e9,
    };
    const v = gauge({ name: m.name }, r);
    gens.push({
      labels: { __name__: m.name, ...hostBase, ...labels },
      next: (i) =>
        fixed[m.name] ??
        (m.name.startsWith('node_load')
          ? 0.5 + r() * 0.8
          : m.name.includes('Swap')
            ? 3.5e9
            : m.name.includes('Mem')
              ? 9e9 + v(i) * 1e7
              : 60e9),
    });
  }

  // What the rule file records, at its groups' intervals.
  for (const s of DEFAULT_SLOS) {
    const rec = { service: s.service, slo: s.name };
    if (s.kind !== 'gauge')
      gens.push({
        labels: { __name__: 'slo:error_ratio:rate5m', ...rec },
        next: () => Math.max(0, (1 - s.target) * (0.2 + 0.6 * r())),
      });
    else
      gens.push({
        labels: { __name__: 'slo:time_slice_bad:max', ...rec },
        next: (i) => (i % 4 === 0 ? 0 : undefined),
      });
    gens.push({
      labels: { __name__: 'slo:error_budget_remaining:ratio', ...rec },
      next: (i) => (i % 20 === 0 ? 0.97 - (0.1 * i) / rounds : undefined),
    });
  }
  gens.push({
    labels: {
      __name__: 'ALERTS',
      alertname: 'RelayDown',
      alertstate: 'firing',
      service: 'relay',
      slo: 'target-up',
      severity: 'page',
      instance: '127.0.0.1:7101',
      job: 'relay',
    },
    next: (i) => (isDown('127.0.0.1:7101', i) ? 1 : undefined),
  });

  const dir = join(dataDir, 'tsdb');
  mkdirSync(dir, { recursive: true });
  const db = TSDB.open({ dir, retentionMs: 0 });
  let samples = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const t = start + i * STEP;
      const app = db.appender();
      for (const g of gens) {
        const v = g.next(i, t);
        if (v !== undefined && app.append(g.labels, t, v)) samples++;
      }
      app.commit();
    }
  } finally {
    db.close();
  }
  return { series: gens.length, samples, seconds: (performance.now() - started) / 1000 };
}
