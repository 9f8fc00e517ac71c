/**
 * Query latency on 24 h of one service's catalog series (15 s scrapes): a dashboard (one range
 * query per catalog metric, 24 h at step 15 s = 5760 points, the times summed) and a p99 from
 * the dial histogram. The hub is timed twice: in this process (`rangeQuery` against the TSDB)
 * and as its own process over its HTTP API (`apiHandler`, see serve-tsdb.ts), which is how a
 * client such as Grafana meets it and how VictoriaMetrics is timed (HTTP, response cache
 * off). Every HTTP time includes the client reading and parsing the JSON. Rounds interleave
 * the hub and VictoriaMetrics after warm-up rounds; the median round is reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceMetrics, type ServiceName } from '@canopy/catalog';
import { TSDB, rangeQuery } from '@canopy/hub';
import { formatValue } from '@canopy/telemetry';
import { DATA_START_MS, INTERVAL_MS, generateTargets, type TargetData } from './catalog-data.js';
import { median } from '../stats.js';
import { BenchVictoria, rangeOverHttp } from './victoria.js';

/** Options of {@link benchQuery}. */
export interface QueryBenchOptions {
  /** The service whose series are queried (default relay). */
  readonly service?: ServiceName;
  /** Its instances (default 3). */
  readonly instances?: number;
  /** Measure VictoriaMetrics too (default true). */
  readonly victoria?: boolean;
  /** Progress lines go here (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** Median latencies of one query set, seconds. */
export interface QueryLatency {
  readonly name: string;
  readonly queries: readonly string[];
  /** The hub in this process. */
  readonly canopy: number;
  /** VictoriaMetrics, in the rounds interleaved with {@link QueryLatency.canopy}. */
  readonly victoriaWithCanopy: number | undefined;
  /** The hub as its own process, over HTTP. */
  readonly canopyHttp: number;
  /** VictoriaMetrics, in the rounds interleaved with {@link QueryLatency.canopyHttp}. */
  readonly victoriaWithCanopyHttp: number | undefined;
}

/** Result of {@link benchQuery}. */
export interface QueryBenchResult {
  readonly series: number;
  readonly samples: number;
  readonly dashboard: QueryLatency;
  readonly quantile: QueryLatency;
}

const DAY_MS = 86_400_000;
const STEP_S = INTERVAL_MS / 1000;

/**
 * The range queries of a service-overview dashboard: one per catalog metric, reading every
 * series of the service except `_created`. Counters as per-second rates summed over instances
 * by their own labels, gauges as they are (a line per instance), histograms as a bucket
 * heatmap and the mean.
 *
 * @example dashboardQueries('relay')[0] // 'relay_peers_connected{service="relay"}'
 */
export function dashboardQueries(service: ServiceName): string[] {
  const sel = `{service="${service}"}`;
  const out: string[] = [];
  for (const m of serviceMetrics(service)) {
    const by = Object.keys(m.labels ?? {});
    const sum = by.length === 0 ? 'sum' : `sum by (${by.join(', ')})`;
    switch (m.type) {
      case 'counter':
        out.push(`${sum} (rate(${m.name}${sel}[5m]))`);
        break;
      case 'gauge':
        out.push(`${m.name}${sel}`);
        break;
      case 'histogram':
        out.push(`sum by (le) (rate(${m.name}_bucket${sel}[5m]))`);
        out.push(`sum(rate(${m.name}_sum${sel}[5m])) / sum(rate(${m.name}_count${sel}[5m]))`);
        break;
    }
  }
  return out;
}

/** A way of running a range query; returns the number of series in the answer. */
interface Subject {
  readonly key: 'canopy' | 'canopyHttp' | 'victoria';
  readonly run: (query: string) => Promise<number>;
}

/** Warm-up and measured rounds per query set: the hub's JIT needs a few runs to settle. */
export const QUERY_ROUNDS = {
  dashboard: { warmup: 2, measured: 5 },
  p99: { warmup: 20, measured: 21 },
};

/**
 * Runs the query benchmark: loads the data into a TSDB and into VictoriaMetrics, times the hub
 * in this process against VictoriaMetrics, then the hub as its own process over HTTP against
 * VictoriaMetrics again; each hub figure is paired with VictoriaMetrics' from the same rounds.
 *
 * @example const r = await benchQuery({ service: 'relay', instances: 3 }); r.dashboard.canopy
 */
export async function benchQuery(o: QueryBenchOptions = {}): Promise<QueryBenchResult> {
  const service = o.service ?? 'relay';
  const log = o.log ?? (() => undefined);
  const data = generateTargets({
    targets: o.instances ?? 3,
    rounds: DAY_MS / INTERVAL_MS,
    service,
  });
  let series = 0;
  for (const d of data) series += d.labels.length;
  const samples = series * (DAY_MS / INTERVAL_MS);
  // 5760 steps: [start, start + 24 h − 15 s].
  const start = DATA_START_MS / 1000;
  const end = start + DAY_MS / 1000 - STEP_S;
  const sets = [
    { name: 'dashboard' as const, queries: dashboardQueries(service) },
    {
      name: 'p99' as const,
      queries: [
        `histogram_quantile(0.99, sum by (le) (rate(${service}_dial_duration_seconds_bucket[5m])))`,
      ],
    },
  ];

  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-query-'));
  let db: TSDB | undefined;
  let hub: HubProcess | undefined;
  let vm: BenchVictoria | undefined;
  try {
    db = TSDB.open({ dir, retentionMs: 0 });
    loadCanopy(db, data);
    log(`hub: ${samples} samples of ${series} series loaded`);
    const peers: Subject[] = [];
    if (o.victoria ?? true) {
      const v = (vm = await BenchVictoria.start());
      await loadVictoria(v, data, samples);
      peers.push({ key: 'victoria', run: (q) => v.queryRange(q, start, end, STEP_S) });
      log('victoriametrics: loaded, flushed and merged');
    }
    const tsdb = db;
    const inProcess: Subject = {
      key: 'canopy',
      run: (q) =>
        Promise.resolve(resultSize(rangeQuery(tsdb, q, start * 1000, end * 1000, INTERVAL_MS))),
    };
    const phase1 = await measure(sets, [inProcess, ...peers], log);
    db.close();
    db = undefined;
    hub = await HubProcess.start(dir);
    const url = hub.url;
    const overHttp: Subject = {
      key: 'canopyHttp',
      run: (q) => rangeOverHttp(url, q, start, end, STEP_S),
    };
    const phase2 = await measure(sets, [overHttp, ...peers], log);

    const result = (i: number): QueryLatency => {
      const v1 = phase1[i]!.get('victoria');
      const v2 = phase2[i]!.get('victoria');
      return {
        name: sets[i]!.name,
        queries: sets[i]!.queries,
        canopy: median(phase1[i]!.get('canopy')!),
        victoriaWithCanopy: v1 === undefined ? undefined : median(v1),
        canopyHttp: median(phase2[i]!.get('canopyHttp')!),
        victoriaWithCanopyHttp: v2 === undefined ? undefined : median(v2),
      };
    };
    return { series, samples, dashboard: result(0), quantile: result(1) };
  } finally {
    await hub?.stop();
    await vm?.stop();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times each query set on each subject: rounds rotate the order of the subjects, a round's
 * time is the sum over the set's queries (seconds). The first round also checks that every
 * subject answers each query with the same number of series.
 */
async function measure(
  sets: readonly { name: keyof typeof QUERY_ROUNDS; queries: readonly string[] }[],
  subjects: readonly Subject[],
  log: (line: string) => void,
): Promise<Map<Subject['key'], number[]>[]> {
  const out: Map<Subject['key'], number[]>[] = [];
  for (const set of sets) {
    const { warmup, measured } = QUERY_ROUNDS[set.name];
    const times = new Map(subjects.map((s) => [s.key, [] as number[]]));
    const sizes = new Map<string, number>();
    for (let r = 0; r < warmup + measured; r++) {
      for (let k = 0; k < subjects.length; k++) {
        const s = subjects[(k + r) % subjects.length]!;
        let total = 0;
        for (const q of set.queries) {
          const t0 = performance.now();
          const n = await s.run(q);
          total += performance.now() - t0;
          if (n === 0) throw new Error(`${s.key}: no series for ${q}`);
          if (r > 0) continue;
          const seen = sizes.get(q);
          if (seen === undefined) sizes.set(q, n);
          else if (seen !== n) log(`warning: ${s.key} returned ${n} series, another ${seen}: ${q}`);
        }
        if (r >= warmup) times.get(s.key)!.push(total / 1000);
      }
    }
    out.push(times);
    log(`${set.name}: ${subjects.map((s) => s.key).join(' vs ')} measured`);
  }
  return out;
}

/** The hub's API over the TSDB directory, served by a child process (serve-tsdb.ts). */
class HubProcess {
  private constructor(
    private readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts it and waits (≤ 30 s: the TSDB loads its series) for its URL. */
  static async start(dir: string): Promise<HubProcess> {
    const script = fileURLToPath(new URL('./serve-tsdb.js', import.meta.url));
    const proc = spawn(process.execPath, [script, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('hub process: no URL after 30 s')), 30_000);
        proc.once('exit', (code) => reject(new Error(`hub process exited (${code})`)));
        proc.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          const nl = out.indexOf('\n');
          if (nl === -1) return;
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        });
      });
      return new HubProcess(proc, url);
    } catch (e) {
      await new HubProcess(proc, '').stop();
      throw e;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * Scrape by scrape, one commit per target, compacting hourly (with the default time budget,
 * as the hub's timer does) and at the end without a budget: the steady state of a hub that
 * has been running for a day.
 */
function loadCanopy(db: TSDB, data: readonly TargetData[]): void {
  const rounds = data[0]!.t.length;
  for (let i = 0; i < rounds; i++) {
    for (const d of data) {
      const app = db.appender();
      const t = d.t[i]!;
      for (let s = 0; s < d.labels.length; s++) app.append(d.labels[s]!, t, d.v[s]![i]!);
      app.commit();
    }
    if (i % 240 === 239) db.compact();
  }
  db.compact(Infinity);
}

/** The same samples over /api/v1/import/prometheus, then flushed and force-merged. */
async function loadVictoria(
  vm: BenchVictoria,
  data: readonly TargetData[],
  samples: number,
): Promise<void> {
  const rounds = data[0]!.t.length;
  let body = '';
  for (let i = 0; i < rounds; i++) {
    for (const d of data) {
      const t = ` ${d.t[i]!}\n`;
      for (let s = 0; s < d.text.length; s++)
        body += d.text[s]! + ' ' + formatValue(d.v[s]![i]!) + t;
    }
    if (body.length > 4_000_000) {
      await vm.importText(body);
      body = '';
    }
  }
  if (body.length > 0) await vm.importText(body);
  await vm.flush(samples);
  await vm.forceMerge(partition(DATA_START_MS));
}

/** Number of series in a range query's answer. */
function resultSize(d: ReturnType<typeof rangeQuery>): number {
  return d.resultType === 'matrix' ? d.result.length : 1;
}

/** `YYYY_MM` of VictoriaMetrics' monthly partition holding `ms`. */
function partition(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
