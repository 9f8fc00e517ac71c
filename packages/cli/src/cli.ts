import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadConfig, ConfigError } from './config.js';
import { budgetReport, formatBudgetReport } from './budget.js';
import { renderMetricsDoc } from './metrics-doc.js';
import { startDemo } from './demo.js';
import { up } from './up.js';
import { upTracing } from './tracing-config.js';
import { hubSettings, runHub, alertingBanner } from './hub-command.js';
import { resolveAlerting } from './alerting-setup.js';
import { backtestCommand } from './backtest-command.js';
import { alertmanagerCommand } from './alertmanager-command.js';
import { stackCommand } from './stack-command.js';
import { hubUi, uiCommand, UiUsageError } from './ui-command.js';
import { migrateCommand, MigrateUsageError } from './migrate/command.js';
import { importCommand, ImportUsageError } from './import-command.js';
import {
  relayCommand,
  replayCommand,
  storageCommand,
  loadCommand,
  faultCommand,
  LOAD_FLAGS,
  ServiceUsageError,
} from './service-commands.js';
import { parseFault } from '@canopy/services';
import { RemoteWriteConfigError } from '@canopy/hub';
import { DEFAULT_SLOS } from '@canopy/catalog';
import {
  loadSloSpec,
  SloSpecError,
  checkRules,
  formatRulesCheck,
  writeRuleFiles,
  sloJsonSchema,
  DEFAULT_SCRAPE_INTERVAL,
  type SloSource,
} from '@canopy/stack';

/** Where the CLI writes; tests pass collectors. */
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
}

/** Thrown for a command line a person got wrong; printed with a hint, exit code 2. */
export class UsageError extends Error {}

const HELP = `canopy — observability for the Canopy peer-to-peer sync network

Usage: canopy <command> [options]

Commands:
  check budget [--config FILE] [--quiet]
                        Print the maximum active series per metric, per service and in
                        total for the deployment in the config; exit 1 over the budget.
  check rules [--config FILE]
                        For every SLO alert tier: can it fire at the SLO's target, and how
                        long after a full outage begins does it? Exit 1 if a tier can never
                        fire or a full outage would not page within 2 minutes.
  rules backtest --from TIME [--to TIME] [--config FILE] [--data DIR] [--rules FILE]…
                 [--step DURATION] [--json]
                        Replay the alerting rules over the hub's stored history: when each
                        alert would have gone pending, fired and resolved (--help for more).
  gen metrics-doc [--out FILE]
                        Write the metric catalog as Markdown (METRICS.md).
  gen rules --out DIR [--config FILE] [--default-slos] [--dashboard-url URL]
                        Write the Prometheus rule file of the SLO spec (slos: in the config,
                        else the built-in ten) and its promtool tests to DIR, after the
                        check above (npm run gen:rules).
  gen alertmanager --out DIR [--config FILE] [--secrets-dir DIR]
                        Write the Alertmanager config of the alerting: section (stack B),
                        its message templates and amtool routing cases to DIR
                        (npm run gen:alertmanager; see docs/alerting.md).
  gen --stack self-hosted|managed --out DIR [--config FILE] [--secrets-dir DIR]
                        Write every file of one scale-out stack to DIR: scrape configs,
                        rules, Alertmanager, Grafana dashboards and provisioning, Alloy
                        (npm run gen:stack; see docs/stacks.md).
  gen slo-schema [--out FILE]
                        Write the JSON Schema of the slos: section, for editors.
  demo [--host HOST] [--port PORT]
                        Serve the catalog's relay, replay and storage metrics from a
                        synthetic workload on three consecutive ports (default 9464).
  up [--peers N] [--rate R] [--churn C] [--duration S] [--fault SPEC]… [--base-port P] [--data DIR]
     [--listen HOST:PORT] [--config FILE]
                        Run the reference deployment as processes (two linked relays,
                        replay, storage) under load; prints the dashboard and /metrics URLs
                        and a status line. This is what \`npm start\` runs.
  hub [--config FILE] [--listen HOST:PORT] [--data DIR]
                        Run the hub alone: scrape the config's targets (plus the host and
                        itself) into the embedded TSDB and serve the Prometheus HTTP API
                        and the web dashboard (default 127.0.0.1:9400).
  ui --prometheus URL [--listen HOST:PORT] [--config FILE]
                        Serve the web dashboard over a Prometheus-compatible backend
                        (Prometheus, VictoriaMetrics) at --listen (default 127.0.0.1:9401).
  migrate --from hub|DIR --to URL [--config FILE] [--batch-samples N] [--restart] [--no-verify]
                        Ship the hub's stored history to VictoriaMetrics (resumable), then
                        compare sample counts and spot-check queries on both sides.
  import FILE [--hub-data DIR | --url URL] [--format text|openmetrics|vm-jsonl]
                        Backfill samples with timestamps (Prometheus text, OpenMetrics, or
                        VictoriaMetrics' /api/v1/export JSON lines) into the hub, with a
                        progress bar and a summary (see docs/remote-write.md).
  relay --listen HOST:PORT --metrics HOST:PORT [--peer-relay ws://…]…
  replay --relay ws://… --storage http://… --listen HOST:PORT --metrics HOST:PORT
  storage --listen HOST:PORT --metrics HOST:PORT --db PATH [--replay http://…]
                        Run one reference service. Each also takes [--otlp-endpoint URL]
                        [--trace-sample-ratio R] [--otlp-headers-file PATH] (see docs/tracing.md).
  load --relay ws://… [--relay …] [--replay http://…] [--storage http://…]
       [--peers N] [--rate R] [--churn C] [--duration S] [--fault SPEC]…
                        Simulated peers: connect, publish signed events, sync, churn.
  fault NAME on|off --service URL [--value N]
                        Switch a fault on a running service (slow-disk, relay-cpu,
                        dial-fail, stall-replay, ws-reject).
  help                  Show this help.

Fault SPEC: NAME[=VALUE]@START[-END] in seconds (e.g. slow-disk=200@10-30), or kill:SERVICE@START.

Options:
  -h, --help            Show help.
  --config FILE         Config file (default: ./canopy.yaml if present, else built-in defaults).

Exit codes: 0 ok, 1 check failed, 2 bad usage or config.
`;

type Flags = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: string[], command: string, options: Flags) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
}

function port(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65533)
    throw new UsageError(`--port: expected a port number 0–65533, got "${v}"`);
  return n;
}

/** `check rules` and `gen rules`: the SLO spec's alert check, and the rule files after it. */
function rulesCommand(command: 'check rules' | 'gen rules', args: string[], io: CliIO): number {
  const gen = command === 'gen rules';
  const v = parse(args, command, {
    config: { type: 'string' },
    ...(gen
      ? {
          out: { type: 'string', short: 'o' },
          'default-slos': { type: 'boolean' },
          'dashboard-url': { type: 'string' },
        }
      : {}),
  });
  if (v.help === true) {
    io.out(HELP);
    return 0;
  }
  if (gen && typeof v.out !== 'string')
    throw new UsageError('gen rules: --out DIR is required (e.g. packages/stack/generated/rules)');
  const source: SloSource =
    v['default-slos'] === true
      ? { slos: DEFAULT_SLOS, file: undefined, scrapeInterval: DEFAULT_SCRAPE_INTERVAL }
      : loadSloSpec(v.config as string | undefined);
  io.out(`SLO spec: ${source.file ?? 'built-in defaults'}\n`);
  const o = {
    scrapeInterval: source.scrapeInterval,
    ...(typeof v['dashboard-url'] === 'string' ? { dashboardUrl: v['dashboard-url'] } : {}),
  };
  const result = gen
    ? writeRuleFiles(v.out as string, source.slos, o)
    : { files: [], check: checkRules(source.slos, o) };
  io.out(formatRulesCheck(result.check));
  for (const f of result.files) io.out(`wrote ${f}\n`);
  if (!result.check.ok) {
    io.err(
      `canopy: ${result.check.errors.length} SLO alert problem(s)${gen ? '; no rule file written' : ''}:\n` +
        result.check.errors.map((e) => `  ${e}\n`).join(''),
    );
    return 1;
  }
  return 0;
}

/**
 * Runs the `canopy` command line and resolves to its exit code.
 *
 * @example await run(['check', 'budget'], { out: console.log, err: console.error }) // 0
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(HELP);
      return 0;
    }
    if (cmd === 'check') {
      if (sub === 'rules') return rulesCommand('check rules', rest, io);
      if (sub !== 'budget')
        throw new UsageError(`check: unknown check "${sub ?? ''}"; available: budget, rules`);
      const v = parse(rest, 'check budget', {
        config: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      });
      if (v.help === true) {
        io.out(HELP);
        return 0;
      }
      const { config, file } = loadConfig(v.config as string | undefined);
      const r = budgetReport(config);
      io.out(`config: ${file ?? 'built-in defaults'}\n` + formatBudgetReport(r, v.quiet !== true));
      if (!r.ok) {
        io.err(
          `canopy: series budget exceeded: ${r.total} maximum series > budget ${r.budget}.\n` +
            'Reduce the instances or host shape under deployment:, drop labels from the catalog, ' +
            'or raise budget.series in the config.\n',
        );
        return 1;
      }
      return 0;
    }
    if (cmd === 'import') return await importCommand(sub === undefined ? rest : [sub, ...rest], io);
    if (cmd === 'rules') {
      if (sub === 'backtest') return backtestCommand(rest, io);
      throw new UsageError(`rules: unknown subcommand "${sub ?? ''}"; available: backtest`);
    }
    if (cmd === 'gen') {
      if (sub === 'rules') return rulesCommand('gen rules', rest, io);
      if (sub === 'alertmanager') return alertmanagerCommand(rest, io);
      if (sub === '--stack' || sub?.startsWith('--stack=') === true)
        return stackCommand([sub, ...rest], io);
      if (sub === 'slo-schema') {
        const v = parse(rest, 'gen slo-schema', { out: { type: 'string', short: 'o' } });
        const schema = JSON.stringify(sloJsonSchema(), null, 2) + '\n';
        if (typeof v.out === 'string') {
          writeFileSync(v.out, schema);
          io.out(`wrote ${v.out}\n`);
        } else io.out(schema);
        return 0;
      }
      if (sub !== 'metrics-doc')
        throw new UsageError(
          `gen: unknown generator "${sub ?? ''}"; available: alertmanager, metrics-doc, rules, slo-schema, --stack`,
        );
      const v = parse(rest, 'gen metrics-doc', { out: { type: 'string', short: 'o' } });
      const doc = renderMetricsDoc();
      if (typeof v.out === 'string') {
        writeFileSync(v.out, doc);
        io.out(`wrote ${v.out}\n`);
      } else io.out(doc);
      return 0;
    }
    if (cmd === 'demo') {
      const v = parse(sub === undefined ? rest : [sub, ...rest], 'demo', {
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
      });
      if (v.help === true) {
        io.out(HELP);
        return 0;
      }
      const demo = await startDemo({
        host: (v.host as string | undefined) ?? '127.0.0.1',
        port: port(v.port as string | undefined, 9464),
      });
      io.out('Canopy demo: synthetic relay/replay/storage workload, metrics at\n');
      for (const [s, u] of Object.entries(demo.urls)) io.out(`  ${s.padEnd(8)} ${u}\n`);
      io.out('Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await demo.stop();
      return 0;
    }
    const rest2 = sub === undefined ? rest : [sub, ...rest];
    if (cmd === 'relay') return await relayCommand(rest2, io);
    if (cmd === 'replay') return await replayCommand(rest2, io);
    if (cmd === 'storage') return await storageCommand(rest2, io);
    if (cmd === 'load') return await loadCommand(rest2, io);
    if (cmd === 'fault') return await faultCommand(rest2, io);
    if (cmd === 'ui') return await uiCommand(rest2, io);
    if (cmd === 'migrate') return await migrateCommand(rest2, io);
    if (cmd === 'hub') {
      const v = parse(rest2, 'hub', {
        config: { type: 'string' },
        listen: { type: 'string' },
        data: { type: 'string' },
      });
      if (v.help === true) {
        io.out(HELP);
        return 0;
      }
      const { config, file } = loadConfig(v.config as string | undefined);
      let settings;
      try {
        settings = hubSettings(
          config,
          v.listen as string | undefined,
          v.data as string | undefined,
        );
      } catch (e) {
        throw new UsageError(`hub: ${(e as Error).message}`);
      }
      const alerting = await resolveAlerting(config, { file });
      const hub = await runHub(settings, config.scrape, alerting, hubUi(config, file));
      io.out(`Canopy hub: Prometheus API at ${hub.url}/api/v1/  (data in ${settings.dataDir})\n`);
      io.out(`  dashboard ${hub.url}/\n`);
      if (settings.remoteWriteReceiver?.enabled === true)
        io.out(
          `  remote_write in ${hub.url}/api/v1/write${settings.remoteWriteReceiver.bearerToken !== undefined ? ' (bearer token required)' : ''}\n`,
        );
      io.out(alertingBanner(alerting));
      for (const e of settings.remoteWrite ?? [])
        io.out(
          `  remote write → ${e.name} ${e.url} (queue in ${settings.dataDir}/remote-write/${e.name})\n`,
        );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await hub.stop();
      return 0;
    }
    if (cmd === 'up') {
      const v = parse(rest2, 'up', {
        listen: { type: 'string' },
        config: { type: 'string' },
        peers: LOAD_FLAGS.peers,
        rate: LOAD_FLAGS.rate,
        churn: LOAD_FLAGS.churn,
        duration: LOAD_FLAGS.duration,
        fault: LOAD_FLAGS.fault,
        'base-port': { type: 'string' },
        data: { type: 'string' },
      });
      if (v.help === true) {
        io.out(HELP);
        return 0;
      }
      const n = (k: string, min: number): number | undefined => {
        const x = v[k];
        if (x === undefined) return undefined;
        const num = Number(x);
        if (!Number.isFinite(num) || num < min)
          throw new UsageError(`up: --${k}: expected a number ≥ ${min}, got "${String(x)}"`);
        return num;
      };
      let faults;
      try {
        faults = ((v.fault as unknown as string[] | undefined) ?? []).map(parseFault);
      } catch (e) {
        throw new UsageError(`up: ${(e as Error).message}`);
      }
      // Services take base…base+3 and their /metrics base+100…base+103.
      const bp = v['base-port'] as string | undefined;
      const basePort = bp === undefined ? 7000 : Number(bp);
      if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535 - 103)
        throw new UsageError(
          `up: --base-port: expected a port number 1–${65535 - 103} (services use it to +3, ` +
            `their /metrics +100 to +103), got "${bp}"`,
        );
      const { config, file } = loadConfig(v.config as string | undefined);
      let settings;
      try {
        settings = hubSettings(
          config,
          v.listen as string | undefined,
          v.data as string | undefined,
        );
      } catch (e) {
        throw new UsageError(`up: ${(e as Error).message}`);
      }
      const alerting = await resolveAlerting(config, { file });
      let tracing;
      try {
        tracing = upTracing(config.tracing, file ?? 'canopy.yaml');
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
      // Every flag is checked before anything starts or a signal handler is installed.
      const opts = {
        hub: settings,
        ...(tracing !== undefined ? { tracing } : {}),
        scrape: config.scrape,
        alerting,
        ui: hubUi(config, file),
        ...(typeof v.data === 'string' ? { dataDir: v.data } : {}),
        ...(n('peers', 1) !== undefined ? { peers: n('peers', 1)! } : {}),
        ...(n('rate', 0) !== undefined ? { rate: n('rate', 0)! } : {}),
        ...(n('churn', 0) !== undefined ? { churn: n('churn', 0)! } : {}),
        ...(n('duration', 1) !== undefined ? { durationS: n('duration', 1)! } : {}),
      };
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      await up({ out: io.out, signal: ac.signal, basePort, faults, ...opts });
      return 0;
    }
    throw new UsageError(`unknown command "${cmd}"`);
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ServiceUsageError ||
      e instanceof UiUsageError ||
      e instanceof MigrateUsageError ||
      e instanceof ImportUsageError
    ) {
      io.err(`canopy: ${e.message}\nRun "canopy --help" for usage.\n`);
      return 2;
    }
    if (e instanceof SloSpecError) {
      io.err(`canopy: bad SLO spec\n${e.problems.join('\n')}\n`);
      return 2;
    }
    if (e instanceof ConfigError || e instanceof RemoteWriteConfigError) {
      io.err(`canopy: bad config\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
