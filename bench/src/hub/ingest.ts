/**
 * Ingest: samples per CPU-second into the hub's TSDB and into VictoriaMetrics, the same
 * catalog-shaped scrapes of 20 targets. The hub's cost is this process's CPU time for the
 * appends and commits (one appender and commit per target per scrape, as the scraper does,
 * and `compact()` once a simulated minute, as the hub's timer does); VictoriaMetrics' cost is
 * its process's CPU time (/proc) from the first import request until the samples were
 * flushed into searchable parts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from '@canopy/hub';
import { formatValue } from '@canopy/telemetry';
import { generateTargets, type TargetData } from './catalog-data.js';
import { BenchVictoria } from './victoria.js';

/** Options of {@link benchIngest}. */
export interface IngestOptions {
  /** Scrape targets (default 20). */
  readonly targets?: number;
  /** Scrape rounds measured (default 240: 1 h at 15 s). */
  readonly rounds?: number;
  /** Rounds ingested before measuring, to create the series and warm up (default 20). */
  readonly warmupRounds?: number;
  /** Measure VictoriaMetrics too (default true). */
  readonly victoria?: boolean;
}

/** Result of {@link benchIngest}. */
export interface IngestResult {
  /** Series written per scrape round (all targets). */
  readonly series: number;
  /** Samples measured (after the warm-up rounds). */
  readonly samples: number;
  readonly canopyCpuSeconds: number;
  readonly victoriaCpuSeconds: number | undefined;
  /** Samples per CPU-second. */
  readonly canopy: number;
  readonly victoria: number | undefined;
}

/**
 * Runs the ingest benchmark.
 *
 * @example const r = await benchIngest({ targets: 20, rounds: 240 }); r.canopy / r.victoria!
 */
export async function benchIngest(o: IngestOptions = {}): Promise<IngestResult> {
  const warm = o.warmupRounds ?? 20;
  const rounds = o.rounds ?? 240;
  const data = generateTargets({ targets: o.targets ?? 20, rounds: warm + rounds });
  let series = 0;
  for (const d of data) series += d.labels.length;
  const samples = series * rounds;

  const canopyCpuSeconds = ingestCanopy(data, warm, warm + rounds);
  let victoriaCpuSeconds: number | undefined;
  if (o.victoria ?? true) victoriaCpuSeconds = await ingestVictoria(data, warm, warm + rounds);
  return {
    series,
    samples,
    canopyCpuSeconds,
    victoriaCpuSeconds,
    canopy: samples / canopyCpuSeconds,
    victoria: victoriaCpuSeconds === undefined ? undefined : samples / victoriaCpuSeconds,
  };
}

/** CPU seconds of this process for rounds [from, to), after rounds [0, from) unmeasured. */
function ingestCanopy(data: readonly TargetData[], from: number, to: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-ingest-'));
  const db = TSDB.open({ dir, retentionMs: 0 });
  try {
    const rounds = (a: number, b: number): void => {
      for (let i = a; i < b; i++) {
        for (const d of data) {
          const app = db.appender();
          const t = d.t[i]!;
          for (let s = 0; s < d.labels.length; s++) app.append(d.labels[s]!, t, d.v[s]![i]!);
          app.commit();
        }
        if (i % 4 === 3) db.compact();
      }
    };
    rounds(0, from);
    const c0 = process.cpuUsage();
    rounds(from, to);
    const c = process.cpuUsage(c0);
    const st = db.stats();
    const expected = data.reduce((n, d) => n + d.labels.length, 0) * to;
    if (st.samples !== expected) throw new Error(`TSDB stored ${st.samples} of ${expected}`);
    return (c.user + c.system) / 1e6;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Text-format bodies, one request per scrape round of all targets. */
function bodies(data: readonly TargetData[], from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    let b = '';
    for (const d of data) {
      const t = ` ${d.t[i]!}\n`;
      for (let s = 0; s < d.text.length; s++) b += d.text[s]! + ' ' + formatValue(d.v[s]![i]!) + t;
    }
    out.push(b);
  }
  return out;
}

/** CPU seconds of the VictoriaMetrics process for rounds [from, to), built before timing. */
async function ingestVictoria(
  data: readonly TargetData[],
  from: number,
  to: number,
): Promise<number> {
  const series = data.reduce((n, d) => n + d.labels.length, 0);
  const warm = bodies(data, 0, from);
  const measured = bodies(data, from, to);
  const vm = await BenchVictoria.start();
  try {
    for (const b of warm) await vm.importText(b);
    await vm.flush(series * from);
    const c0 = vm.cpuSeconds();
    for (const b of measured) await vm.importText(b);
    await vm.flush(series * to);
    return vm.cpuSeconds() - c0;
  } finally {
    await vm.stop();
  }
}
