/**
 * Bytes per sample on disk, Canopy's TSDB side by side with VictoriaMetrics fed the same
 * samples. Run it: `node packages/hub/dist/tsdb/bytes-per-sample.js [targets] [hours]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generateCatalogLikeData } from './datagen.js';
import type { DataOptions, GeneratedSeries } from './datagen.js';
import { TSDB } from './tsdb.js';
import { Victoria, dirSize, victoriaAvailable } from './victoria.js';

/** Options of {@link measureBytesPerSample}: the data set, and whether to run VictoriaMetrics. */
export interface BytesPerSampleOptions extends DataOptions {
  /** Measure VictoriaMetrics too (default: when its binary is installed). */
  victoria?: boolean;
  /** Progress lines go here (default: nowhere). */
  log?: (line: string) => void;
}

/** Result of {@link measureBytesPerSample}. */
export interface BytesPerSampleResult {
  /** Canopy's bytes per sample (database file after compaction and VACUUM). */
  canopy: number;
  /** VictoriaMetrics' bytes per sample (`data/` + `indexdb/`), undefined when not run. */
  victoria: number | undefined;
  samples: number;
  series: number;
  canopyBytes: number;
  victoriaBytes: number | undefined;
  /** Seconds spent ingesting into Canopy (appends + commits, one commit per scrape). */
  canopyIngestSeconds: number;
}

/**
 * Generates catalog-like data ({@link generateCatalogLikeData}), writes it into a fresh TSDB
 * as a scraper would (one commit per target per scrape), compacts, VACUUMs and measures the
 * file; then, if asked, imports the same samples into a fresh VictoriaMetrics, flushes and
 * force-merges it, stops it and measures its data directory.
 *
 * @example
 * const r = await measureBytesPerSample({ targets: 3, durationMs: 86_400_000 });
 * console.log(r.canopy, r.victoria);
 */
export async function measureBytesPerSample(
  opts: BytesPerSampleOptions = {},
): Promise<BytesPerSampleResult> {
  const log = opts.log ?? (() => undefined);
  const data = generateCatalogLikeData(opts);
  let samples = 0;
  for (const s of data) samples += s.t.length;
  log(`generated ${data.length} series, ${samples} samples`);

  const dir = mkdtempSync(join(tmpdir(), 'canopy-bps-'));
  let canopyBytes: number;
  let ingestSeconds: number;
  try {
    const started = performance.now();
    ingest(dir, data);
    ingestSeconds = (performance.now() - started) / 1000;
    const db = TSDB.open({ dir, retentionMs: 0 });
    while (!db.compact(Infinity));
    db.close();
    const raw = new Database(join(dir, 'tsdb.sqlite'));
    raw.exec('VACUUM');
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const check = TSDB.open({ dir, retentionMs: 0 });
    const st = check.stats();
    check.close();
    if (st.samples !== samples) throw new Error(`stored ${st.samples} of ${samples} samples`);
    // Everything in the directory: the database and its (checkpointed, empty) -wal.
    canopyBytes = dirSize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`canopy: ${canopyBytes} bytes, ${(canopyBytes / samples).toFixed(3)} B/sample`);

  let victoriaBytes: number | undefined;
  if (opts.victoria ?? victoriaAvailable()) {
    const vm = await Victoria.start();
    try {
      await vm.importSeries(data);
      await vm.flush(samples);
      await vm.forceMerge(months(data));
      await vm.shutdown();
      victoriaBytes = vm.storageBytes();
    } finally {
      await vm.stop();
    }
    log(`victoria: ${victoriaBytes} bytes, ${(victoriaBytes / samples).toFixed(3)} B/sample`);
  }
  return {
    canopy: canopyBytes / samples,
    victoria: victoriaBytes === undefined ? undefined : victoriaBytes / samples,
    samples,
    series: data.length,
    canopyBytes,
    victoriaBytes,
    canopyIngestSeconds: ingestSeconds,
  };
}

/** Appends every scrape in time order, one appender and commit per target per scrape. */
function ingest(dir: string, data: readonly GeneratedSeries[]): void {
  const byTarget = new Map<Float64Array, GeneratedSeries[]>();
  for (const s of data) {
    const list = byTarget.get(s.t);
    if (list === undefined) byTarget.set(s.t, [s]);
    else list.push(s);
  }
  const targets = [...byTarget.entries()];
  const scrapes = targets.reduce((m, [t]) => Math.max(m, t.length), 0);
  const db = TSDB.open({ dir, retentionMs: 0 });
  try {
    for (let i = 0; i < scrapes; i++) {
      const round = targets.filter(([t]) => i < t.length).sort(([a], [b]) => a[i]! - b[i]!);
      for (const [t, list] of round) {
        const app = db.appender();
        for (const s of list) app.append(s.labels, t[i]!, s.v[i]!);
        app.commit();
      }
      if (i % 240 === 239) db.compact();
    }
  } finally {
    db.close();
  }
}

/** `YYYY_MM` partitions the data spans (VictoriaMetrics partitions by month). */
function months(data: readonly GeneratedSeries[]): Set<string> {
  const out = new Set<string>();
  for (const s of data) {
    for (const t of [s.t[0], s.t[s.t.length - 1]]) {
      if (t === undefined) continue;
      const d = new Date(t);
      out.add(`${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const targets = Number(process.argv[2] ?? 3);
  const hours = Number(process.argv[3] ?? 24);
  const r = await measureBytesPerSample({
    targets,
    durationMs: hours * 3_600_000,
    log: (l) => console.log(l),
  });
  const ratio = r.victoria === undefined ? 'n/a' : (r.canopy / r.victoria).toFixed(2);
  console.log(
    `${r.series} series × ${hours} h at 15 s = ${r.samples} samples: canopy ${r.canopy.toFixed(3)} B/sample` +
      ` (ingest ${r.canopyIngestSeconds.toFixed(1)} s), victoria ${r.victoria?.toFixed(3) ?? 'n/a'} B/sample,` +
      ` ratio ${ratio}`,
  );
}
