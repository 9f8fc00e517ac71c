/**
 * `canopy migrate --from hub|DIR --to URL`: ships the hub's stored history to a
 * VictoriaMetrics single node, with a progress bar, a resume file and a verification at the
 * end. The hub's store is read from a private copy (a running hub holds it locked and is
 * refused), so nothing in the data folder changes but the resume file.
 */
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSnapshot, TsdbUnavailable } from '@canopy/hub';
import { loadConfig } from '../config.js';
import { DEFAULT_BATCH_SAMPLES, migrateSeries } from './migrate.js';
import { Progress, type ProgressSink } from './progress.js';
import { readResume, removeResume, resumePath, writeResume, type ResumeState } from './resume.js';
import { verifyMigration } from './verify.js';
import { TargetError, VictoriaTarget } from './victoria-target.js';

/** Where the command writes; `progress` defaults to stderr. */
export interface MigrateIO {
  out(s: string): void;
  err(s: string): void;
  readonly progress?: ProgressSink;
}

/** A command line or input the migration refuses; printed with exit code 2. */
export class MigrateUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateUsageError';
  }
}

/** `canopy migrate --help`. */
export const MIGRATE_HELP = `Usage: canopy migrate --from hub|DIR --to URL [--config FILE] [--batch-samples N]
                      [--restart] [--no-verify]

Ships the hub's stored history to VictoriaMetrics (/api/v1/import, gzip), then checks that
both hold the same: per-series sample counts and spot-check PromQL queries evaluated by the
hub's engine and by VictoriaMetrics. Stop the hub first (its store is locked while it runs).

  --from hub|DIR      "hub": the data folder of canopy.yaml (hub.data, default .canopy);
                      or a hub data folder (the one holding tsdb/).
  --to URL            A VictoriaMetrics single node, e.g. http://127.0.0.1:8428.
  --config FILE       canopy.yaml (default ./canopy.yaml if present).
  --batch-samples N   Samples per import request (default ${DEFAULT_BATCH_SAMPLES}).
  --restart           Forget an earlier, interrupted run and send everything again.
  --no-verify         Skip the comparison at the end.

Interrupted runs resume: DIR/migrate-<hash of URL>.json records the last series the target
acknowledged; the batch in flight is compared with what the target already holds and only
the missing samples are sent, so nothing is stored twice. A resumed run ships what the hub
held when the first run began; --restart starts over (and sends everything again).
Staleness markers are not shipped.

Exit codes: 0 shipped and verified, 1 verification found differences, 2 bad usage or input.
`;

function flags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        config: { type: 'string' },
        'batch-samples': { type: 'string' },
        restart: { type: 'boolean' },
        'no-verify': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    throw new MigrateUsageError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

function targetUrl(to: string | undefined): string {
  if (to === undefined)
    throw new MigrateUsageError(
      '--to URL is required: the VictoriaMetrics to ship to, e.g. --to http://127.0.0.1:8428',
    );
  let u: URL;
  try {
    u = new URL(to);
  } catch {
    throw new MigrateUsageError(
      `--to: "${to}" is not a URL; expected http://HOST:PORT of VictoriaMetrics, e.g. http://127.0.0.1:8428`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new MigrateUsageError(
      `--to: expected an http:// or https:// URL, got "${to}" (e.g. http://127.0.0.1:8428)`,
    );
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * Runs `canopy migrate`; resolves to the exit code. Refusals throw {@link MigrateUsageError}.
 *
 * @example await migrateCommand(['--from', 'hub', '--to', 'http://127.0.0.1:8428'], io)
 */
export async function migrateCommand(args: readonly string[], io: MigrateIO): Promise<number> {
  const v = flags(args);
  if (v.help === true) {
    io.out(MIGRATE_HELP);
    return 0;
  }
  if (v.from === undefined)
    throw new MigrateUsageError(
      '--from is required: "hub" for the data folder of canopy.yaml, or the path of a hub data folder',
    );
  const to = targetUrl(v.to);
  let batchSamples = DEFAULT_BATCH_SAMPLES;
  if (v['batch-samples'] !== undefined) {
    batchSamples = Number(v['batch-samples']);
    if (!Number.isInteger(batchSamples) || batchSamples < 1)
      throw new MigrateUsageError(
        `--batch-samples: expected a whole number ≥ 1, got "${v['batch-samples']}"`,
      );
  }
  let dataDir: string;
  if (v.from === 'hub') {
    const { config, file } = loadConfig(v.config);
    dataDir = resolve(config.hub.data);
    io.err(
      `migrate: hub data folder ${dataDir} (hub.data of ${file ?? 'the built-in defaults'})\n`,
    );
  } else dataDir = resolve(v.from);
  let snap;
  try {
    snap = openSnapshot(join(dataDir, 'tsdb'));
  } catch (e) {
    if (!(e instanceof TsdbUnavailable)) throw e;
    throw new MigrateUsageError(
      `--from: ${e.message}. A hub data folder holds tsdb/tsdb.sqlite; "hub" means hub.data of canopy.yaml.`,
    );
  }
  try {
    const stats = snap.db.stats();
    if (stats.series === 0 || stats.oldestMs === undefined)
      throw new MigrateUsageError(
        `--from: the hub store in ${dataDir} is empty: nothing to migrate (run the hub to collect history first)`,
      );
    const target = new VictoriaTarget(to);
    let version: string;
    try {
      const p = await target.probe();
      version = p.version;
      if (p.retentionMs !== undefined && stats.oldestMs < Date.now() - p.retentionMs)
        throw new TargetError(
          `VictoriaMetrics at ${to} keeps samples for -retentionPeriod=${p.retention}, but the hub's ` +
            `history starts ${new Date(stats.oldestMs).toISOString()} ` +
            `(${Math.floor((Date.now() - stats.oldestMs) / 86_400_000)} days ago): it would silently drop ` +
            'the older samples. Restart VictoriaMetrics with a longer -retentionPeriod (e.g. -retentionPeriod=1y) and run this again',
        );
    } catch (e) {
      if (e instanceof TargetError) throw new MigrateUsageError(e.message);
      throw e;
    }
    const file = resumePath(dataDir, to);
    if (v.restart === true) removeResume(file);
    let state: ResumeState | undefined;
    try {
      state = readResume(file);
    } catch (e) {
      throw new MigrateUsageError((e as Error).message);
    }
    if (state === undefined) {
      state = {
        version: 1,
        target: to,
        untilMs: Date.now(),
        doneKey: undefined,
        doneSeries: 0,
        doneSamples: 0,
        inFlight: [],
        complete: false,
      };
      writeResume(file, state);
      io.err(`migrate: ${dataDir} → VictoriaMetrics ${version} at ${to} (resume file ${file})\n`);
    } else
      io.err(
        `migrate: resuming (${state.doneSeries} series, ${state.doneSamples} samples acknowledged earlier; resume file ${file})\n`,
      );
    let result;
    try {
      result = await migrateSeries({
        db: snap.db,
        target,
        state,
        resumeFile: file,
        batchSamples,
        progress: new Progress(
          io.progress ?? { write: (s) => process.stderr.write(s), isTTY: process.stderr.isTTY },
          snap.db.series([], -Infinity, state.untilMs).length,
        ),
      });
    } catch (e) {
      if (e instanceof TargetError) {
        io.err(`canopy: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const notes: string[] = [];
    if (result.seriesSkipped > 0)
      notes.push(`${result.seriesSkipped} series done by an earlier run`);
    if (result.samplesAlreadyThere > 0)
      notes.push(`${result.samplesAlreadyThere} samples of the interrupted batch already there`);
    io.out(
      `shipped ${result.samplesSent} samples of ${result.series} series` +
        (notes.length > 0 ? ` (${notes.join(', ')})` : '') +
        '\n',
    );
    if (v['no-verify'] === true) return 0;
    const r = await verifyMigration(snap.db, target, state.untilMs);
    io.out(
      `verify: ${r.series} series, ${r.samples} samples: ` +
        (r.mismatchCount === 0
          ? 'every series has the same sample count on both sides\n'
          : `${r.mismatchCount} series differ\n`),
    );
    for (const m of r.countMismatches) io.out(`  count differs: ${m}\n`);
    for (const c of r.spotChecks)
      io.out(`  ${c.ok ? 'same' : 'DIFFERENT'}  ${c.name}: hub ${c.hub}, target ${c.target}\n`);
    if (!r.ok) {
      io.err(
        'canopy: the target does not hold the same data as the hub. If something else wrote the ' +
          'same series there in the window, that explains it; otherwise run with --restart into an empty VictoriaMetrics.\n',
      );
      return 1;
    }
    io.out('verify: ok\n');
    return 0;
  } finally {
    snap.close();
  }
}
