/**
 * `canopy rules backtest`: replays the alerting rules over the hub's stored history and
 * prints when each alert would have gone pending, fired and resolved.
 *
 * The rules are those the hub evaluates (`hub.rule_files`, else the rule file generated from
 * the SLO spec) or the `--rules` files; the history is read from a private copy of the
 * hub's TSDB, so the store is never written (a running hub holds it locked: it is refused).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  backtest,
  BacktestError,
  BadData,
  loadRuleFile,
  openSnapshot,
  parseDuration,
  parseTime,
  RuleFileError,
  TsdbUnavailable,
  type BacktestResult,
  type GroupSpec,
  type TSDB,
} from '@canopy/hub';
import { checkRules, loadSloSpec, renderRules } from '@canopy/stack';
import { loadConfig, type CanopyConfig } from './config.js';
import { generatedRulesName } from './alerting-setup.js';
import { backtestJson, formatBacktestTable, rfc3339 } from './backtest-format.js';

/** Where the command writes (the CLI's `CliIO`). */
export interface BacktestIO {
  out(s: string): void;
  err(s: string): void;
}

/** Options for tests: the clock behind `now` and relative times. */
export interface BacktestCommandOptions {
  /** "Now", ms. Default Date.now(). */
  readonly now?: number;
  /** Wall clock for progress lines, ms. Default performance.now. */
  readonly clock?: () => number;
}

/** Longest range replayed at the groups' own intervals; longer ranges need --step. */
export const MAX_RANGE_WITHOUT_STEP_MS = 31 * 86_400_000;

export const BACKTEST_HELP = `Usage: canopy rules backtest --from TIME [--to TIME] [--config FILE] [--data DIR]
                            [--rules FILE]... [--step DURATION] [--json]

Replays the alerting rules over the hub's stored history and prints, for each alert, when it
would have gone pending, fired and resolved, sorted by time, and how many alerts fired and
paged.

  --from TIME      Start: RFC 3339 (2025-03-01T12:00:00Z), Unix seconds, "now", or a
                   duration ago ("-2h", "now-1d").
  --to TIME        End (default now).
  --config FILE    canopy.yaml (default ./canopy.yaml if present): hub.data, hub.rule_files
                   and slos: are read from it.
  --data DIR       Hub data folder (default hub.data, .canopy); the history is DIR/tsdb.
  --rules FILE     Prometheus rule file to replay instead of the hub's rules (repeatable).
  --step DURATION  Evaluate each group at most this often (e.g. 1m) instead of at its own
                   interval; needed for ranges over 31 days.
  --json           Print the result as JSON.

The store is copied to the temporary folder (TMPDIR) and read there; stop a running hub
first (it holds the store locked). Exit codes: 0 ok, 1 a rule failed to evaluate (see the
warnings), 2 bad usage, config, rules or data folder.
`;

/** A problem with the command line or its inputs: printed with a hint, exit code 2. */
class Refused extends Error {
  constructor(
    message: string,
    readonly hint = 'Run "canopy rules backtest --help" for usage.',
  ) {
    super(message);
  }
}

/** `--from -2h`: parseArgs would take "-2h" for an option, so glue it to its flag. */
function glueNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if ((a === '--from' || a === '--to') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * Parses a time flag: RFC 3339, Unix seconds, `now`, or a duration ago (`-2h`, `now-1d`).
 *
 * @example parseTimeFlag('--from', '-2h', Date.UTC(2025, 0, 1, 12)) // Date.UTC(2025, 0, 1, 10)
 */
export function parseTimeFlag(flag: string, s: string, now: number): number {
  if (s === 'now') return now;
  const rel = /^(?:now)?-(.+)$/.exec(s);
  if (rel !== null && !/^\d+(\.\d+)?$/.test(rel[1]!)) {
    try {
      return now - parseDuration(rel[1]!);
    } catch (e) {
      throw new Refused(`${flag}: "${s}": ${(e as Error).message}`);
    }
  }
  try {
    const t = parseTime(flag, s, NaN);
    if (Number.isFinite(t)) return t;
  } catch (e) {
    if (!(e instanceof BadData)) throw e;
  }
  throw new Refused(
    `${flag}: "${s}" is not a time: write RFC 3339 (2025-03-01T12:00:00Z), Unix seconds ` +
      '(1740830400), "now", or a duration ago ("-2h", "now-1d")',
  );
}

/** The rule groups to replay and where they came from. */
function loadGroups(
  files: readonly string[],
  config: CanopyConfig,
  configFile: string | undefined,
  io: BacktestIO,
): { groups: GroupSpec[]; from: string } {
  const where = configFile ?? 'built-in defaults';
  const fromFiles = (paths: readonly string[], what: (i: number) => string) => {
    const groups: GroupSpec[] = [];
    paths.forEach((path, i) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new Refused(
          `${what(i)}: cannot read the rule file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path`,
          '',
        );
      }
      try {
        groups.push(...loadRuleFile(text, path));
      } catch (e) {
        if (e instanceof RuleFileError)
          throw new Refused(
            `bad rule file\n${e.message}`,
            `Fix the file (promtool check rules ${path} shows the same problems).`,
          );
        throw e;
      }
    });
    return { groups, from: paths.join(', ') };
  };
  if (files.length > 0) return fromFiles(files, () => '--rules');
  const ruleFiles = config.hub.rule_files;
  if (ruleFiles !== undefined) return fromFiles(ruleFiles, (i) => `${where}: hub.rule_files[${i}]`);
  const src = loadSloSpec(configFile);
  const check = checkRules(src.slos, { scrapeInterval: src.scrapeInterval });
  if (!check.ok)
    io.err(
      `canopy: warning: ${check.errors.length} SLO alert problem(s), so the hub would not start ` +
        'with these rules; replaying them anyway (details: canopy check rules)\n',
    );
  // The same name as the hub gives them, so each group runs at the same offset as live.
  const name = generatedRulesName(src.file);
  try {
    return {
      groups: loadRuleFile(renderRules(src.slos, { scrapeInterval: src.scrapeInterval }), name),
      from: name,
    };
  } catch (e) {
    if (e instanceof RuleFileError) throw new Refused(`${where}: slos: ${e.message}`, '');
    throw e;
  }
}

/** First and last `up` sample in the store, to say where history is. */
function storedSpan(db: TSDB): { first: number; last: number } | undefined {
  const oldest = db.stats().oldestMs;
  if (oldest === undefined) return undefined;
  let last = -Infinity;
  for (const s of db.select([{ name: '__name__', type: '=', value: 'up' }], oldest, Infinity))
    if (s.t.length > 0) last = Math.max(last, s.t[s.t.length - 1]!);
  return { first: oldest, last };
}

function flags(args: readonly string[]) {
  try {
    return parseArgs({
      args: glueNegativeValues(args),
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
        rules: { type: 'string', multiple: true },
        step: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    throw new Refused((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

function replay(args: readonly string[], io: BacktestIO, o: BacktestCommandOptions): number {
  const v = flags(args);
  if (v.help === true) {
    io.out(BACKTEST_HELP);
    return 0;
  }
  const now = o.now ?? Date.now();
  if (v.from === undefined)
    throw new Refused('--from TIME is required (e.g. --from -2h, or --from 2025-03-01T00:00:00Z)');
  const from = parseTimeFlag('--from', v.from, now);
  const to = v.to === undefined ? now : parseTimeFlag('--to', v.to, now);
  if (from >= to)
    throw new Refused(
      `--from (${rfc3339(from)}) must be before --to (${rfc3339(to)}); swap them or move --to later`,
    );
  let stepMs: number | undefined;
  if (v.step !== undefined) {
    try {
      stepMs = parseDuration(v.step);
    } catch (e) {
      throw new Refused(`--step: ${(e as Error).message}`);
    }
    if (stepMs <= 0) throw new Refused(`--step: must be more than 0, got "${v.step}"`);
  }
  if (stepMs === undefined && to - from > MAX_RANGE_WITHOUT_STEP_MS)
    throw new Refused(
      `the range is ${((to - from) / 86_400_000).toFixed(1)} days: more than 31 days at each ` +
        "group's own interval (down to seconds) is too many evaluations; pass --step (e.g. " +
        '--step 5m) to evaluate every group at most that often, or shorten the range',
    );
  const { config, file } = loadConfig(v.config);
  const rules = loadGroups(v.rules ?? [], config, file, io);
  const dataDir = resolve(v.data ?? config.hub.data);
  let snap;
  try {
    snap = openSnapshot(join(dataDir, 'tsdb'));
  } catch (e) {
    if (!(e instanceof TsdbUnavailable)) throw e;
    throw new Refused(
      e.message,
      `The hub keeps its history in DATA/tsdb; DATA is --data, or hub.data in ${file ?? 'canopy.yaml'} (default .canopy).`,
    );
  }
  try {
    const clock = o.clock ?? (() => performance.now());
    const started = clock();
    let nextReport = 0.1;
    let result: BacktestResult;
    try {
      result = backtest({
        history: snap.db,
        groups: rules.groups,
        from,
        to,
        ...(stepMs !== undefined ? { stepMs } : {}),
        // A line per tenth of the range, once the replay has taken more than a second.
        onProgress: (done, t) => {
          if (done < nextReport || done >= 1) return;
          nextReport = Math.floor(done * 10) / 10 + 0.1;
          const secs = (clock() - started) / 1000;
          if (secs >= 1)
            io.err(
              `backtest: ${Math.floor(done * 100)}% (at ${rfc3339(t)}, ${secs.toFixed(0)} s)\n`,
            );
        },
      });
    } catch (e) {
      if (!(e instanceof BacktestError)) throw e;
      const span = storedSpan(snap.db);
      throw new Refused(
        `${e.message} in ${dataDir}`,
        span === undefined
          ? 'The store is empty: run the hub (canopy hub / canopy up) to collect history first.'
          : `The store holds samples from ${rfc3339(span.first)} to ${rfc3339(span.last)}: pick a range inside it.`,
      );
    }
    if (v.json === true)
      io.out(
        JSON.stringify(
          backtestJson(result, { data: dataDir, rules: rules.from, stepMs }),
          null,
          2,
        ) + '\n',
      );
    else io.out(formatBacktestTable(result));
    for (const e of result.errors)
      io.err(
        `canopy: warning: ${e.group}/${e.rule} failed ${e.count} time(s), first at ${rfc3339(e.firstAt)}: ${e.error}\n`,
      );
    return result.errors.length > 0 ? 1 : 0;
  } finally {
    snap.close();
  }
}

/**
 * Runs `canopy rules backtest` with the arguments after `backtest`; resolves to the exit
 * code. Config and SLO spec errors are thrown (`ConfigError`, `SloSpecError`) for the CLI
 * to print like every command's.
 *
 * @example backtestCommand(['--from', '-2h'], { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }) // 0
 */
export function backtestCommand(
  args: readonly string[],
  io: BacktestIO,
  o: BacktestCommandOptions = {},
): number {
  try {
    return replay(args, io, o);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    io.err(`canopy: rules backtest: ${e.message}\n${e.hint === '' ? '' : e.hint + '\n'}`);
    return 2;
  }
}
