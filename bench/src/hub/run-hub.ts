/**
 * The hub benchmarks, side by side with VictoriaMetrics: ingest cost, query latency and bytes
 * per sample on disk. Run with `npm run bench -- --hub [--json]` (about 2 minutes).
 *
 * `--json` prints one object per row: `{"name","canopy","peer":"victoriametrics","peer_value",
 * "unit","ratio"}` with ratio = canopy / peer_value (for samples/CPU-s higher is better, for
 * seconds and bytes lower is better).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { measureBytesPerSample } from '@canopy/hub';
import { benchIngest } from './ingest.js';
import { QUERY_ROUNDS, benchQuery, type QueryLatency } from './query.js';
import { victoriaAvailable } from './victoria.js';

/** One result row. */
export interface HubRow {
  readonly name: string;
  readonly canopy: number;
  readonly peerValue: number | undefined;
  readonly unit: string;
  /** Which way is better for this unit. */
  readonly better: 'higher' | 'lower';
  /** What the issue asks of the row, if anything, and whether it was met. */
  readonly target?: { readonly goal: string; readonly met: boolean };
  /** How the row was measured, for the notes under the table. */
  readonly about: string;
}

/** Options of {@link runHub}. */
export interface RunHubOptions {
  /** One JSON object per row on stdout instead of the table. */
  readonly json: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Runs the three hub benchmarks and prints the rows.
 *
 * @example await runHub({ json: false });
 */
export async function runHub(o: RunHubOptions): Promise<HubRow[]> {
  if (!victoriaAvailable())
    throw new Error(
      'hub benchmarks: /usr/bin/victoria-metrics is missing (apt-get install victoria-metrics)',
    );
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  const log = (line: string): void => {
    if (!o.json)
      process.stderr.write(
        `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${line}\n`,
      );
  };
  const rows: HubRow[] = [];

  log('ingest: 20 targets');
  const ing = await benchIngest({ targets: 20, rounds: 240 });
  rows.push({
    name: 'hub ingest, 20 targets',
    canopy: ing.canopy,
    peerValue: ing.victoria,
    unit: 'samples/CPU-s',
    better: 'higher',
    about:
      `${ing.series} series per scrape round (catalog maxSeries + 5 scrape series per target), ` +
      `${ing.samples} samples measured after 20 warm-up rounds; canopy: this process's CPU for ` +
      `appends, one commit per target per scrape, compact() each simulated minute ` +
      `(${ing.canopyCpuSeconds.toFixed(2)} s); victoriametrics: its process's CPU from the first ` +
      `/api/v1/import/prometheus request to a completed force flush ` +
      `(${ing.victoriaCpuSeconds?.toFixed(2) ?? 'n/a'} s)`,
  });

  log('query: loading 24 h of relay series');
  const q = await benchQuery({ service: 'relay', instances: 3, log });
  const latency = (name: string, l: QueryLatency, about: string): void => {
    const peer = l.victoriaWithCanopyHttp;
    rows.push({
      name: `${name}, HTTP`,
      canopy: l.canopyHttp,
      peerValue: peer,
      unit: 's',
      better: 'lower',
      ...(peer !== undefined
        ? { target: { goal: '≤ 1.0× VictoriaMetrics', met: l.canopyHttp <= peer } }
        : {}),
      about: `${about}; hub as its own process over /api/v1/query_range, as VictoriaMetrics`,
    });
    rows.push({
      name: `${name}, in-process`,
      canopy: l.canopy,
      peerValue: l.victoriaWithCanopy,
      unit: 's',
      better: 'lower',
      about: `${about}; rangeQuery() in this process (the API's result shape, but no HTTP and no JSON text) vs VictoriaMetrics over HTTP`,
    });
  };
  const data = `24 h of 3 relay instances (${q.series} series, ${q.samples} samples), step 15 s = 5760 points`;
  latency(
    'hub dashboard range queries',
    q.dashboard,
    `${q.dashboard.queries.length} queries (one per relay catalog metric, histogram twice), times summed; median of ${QUERY_ROUNDS.dashboard.measured} rounds after ${QUERY_ROUNDS.dashboard.warmup} warm-up rounds; ${data}`,
  );
  latency(
    'hub p99 histogram_quantile',
    q.quantile,
    `${q.quantile.queries[0]!}; median of ${QUERY_ROUNDS.p99.measured} runs after ${QUERY_ROUNDS.p99.warmup} warm-up runs; ${data}`,
  );

  log('bytes per sample: measureBytesPerSample, 3 targets × 24 h');
  const b = await measureBytesPerSample({ targets: 3, durationMs: DAY_MS });
  rows.push({
    name: 'hub bytes per sample on disk',
    canopy: b.canopy,
    peerValue: b.victoria,
    unit: 'B/sample',
    better: 'lower',
    ...(b.victoria !== undefined
      ? {
          target: {
            goal: '≤ 1.4 B/sample and ≤ 1.5× VictoriaMetrics',
            met: b.canopy <= 1.4 && b.canopy <= 1.5 * b.victoria,
          },
        }
      : {}),
    about:
      `measureBytesPerSample (packages/hub): ${b.series} catalog-like series × 24 h at 15 s = ${b.samples} samples; ` +
      `canopy: SQLite file after compact() and VACUUM; victoriametrics: data/ + indexdb/ after flush and force merge`,
  });

  const secs = (performance.now() - t0) / 1000;
  const load = `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown CPU'})`;
  if (o.json) {
    for (const r of rows) {
      const line = {
        name: r.name,
        canopy: round(r.canopy),
        peer: 'victoriametrics',
        peer_value: r.peerValue === undefined ? null : round(r.peerValue),
        unit: r.unit,
        ratio: r.peerValue === undefined ? null : round(r.canopy / r.peerValue),
      };
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  } else {
    process.stdout.write(report(rows, `${secs.toFixed(0)} s total; ${load}`) + '\n');
  }
  return rows;
}

/** The human table, notes and targets. */
function report(rows: readonly HubRow[], footer: string): string {
  const cells: string[][] = [
    ['case', 'canopy', 'victoriametrics', 'unit', 'better', 'canopy ÷ VM'],
  ];
  for (const r of rows)
    cells.push([
      r.name,
      fmt(r.canopy),
      r.peerValue === undefined ? 'n/a' : fmt(r.peerValue),
      r.unit,
      r.better,
      r.peerValue === undefined ? 'n/a' : `${(r.canopy / r.peerValue).toFixed(2)}×`,
    ]);
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const out = cells.map((r) =>
    r
      .map((cell, c) =>
        c === 0 || c === 3 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd(),
  );
  out.push('', 'Measured:');
  for (const r of rows) out.push(`  ${r.name} — ${r.about}`);
  out.push('', 'Targets (reported, not asserted):');
  for (const r of rows)
    if (r.target !== undefined)
      out.push(`  ${r.target.met ? 'met   ' : 'MISSED'}  ${r.name}: ${r.target.goal}`);
  out.push('', footer);
  return out.join('\n');
}

function fmt(x: number): string {
  if (x >= 1000) return Math.round(x).toLocaleString('en-US');
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(3);
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
