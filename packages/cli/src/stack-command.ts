/**
 * `canopy gen --stack self-hosted|managed --out DIR [--config FILE] [--secrets-dir DIR]
 * [--dashboard-url URL]`: every file of one scale-out stack from canopy.yaml — scrape configs
 * (targets from `scrape.targets`, else the `canopy up` layout plus node_exporter; each with the
 * `sample_limit` of its service's declared maximum series, the PII relabel rules and the catalog
 * keep rule), rules, Alertmanager, Grafana dashboards (the web UI's page set) and
 * provisioning, Alloy (with the scrub stages). See docs/stacks.md.
 */
import { parseArgs } from 'node:util';
import { parseAlertingSpec } from '@canopy/hub';
import {
  STACKS,
  UP_LAYOUT,
  formatRulesCheck,
  loadSloSpec,
  piiRelabelConfigs,
  renderAlloyScrubStages,
  ruleAlerts,
  sampleLimitFor,
  writeStack,
  type StackName,
  type StackTarget,
} from '@canopy/stack';
import { SERVICES, type ServiceName } from '@canopy/catalog';
import { SCRUB_RULES } from '@canopy/telemetry';
import { budgetReport, hostBudget, serviceBudget } from './budget.js';
import { configErrorExit } from './config-errors.js';
import { loadConfig, type CanopyConfig } from './config.js';
import { dashboardsFor } from './ui-command.js';

/** Where the command writes; the CLI's io. */
export interface StackCommandIO {
  out(s: string): void;
  err(s: string): void;
}

const USAGE =
  'canopy gen --stack self-hosted|managed --out DIR [--config FILE] [--secrets-dir DIR] [--dashboard-url URL]\n';
const HINT = 'Run "canopy gen --stack --help" for usage.\n';

const HELP =
  USAGE +
  '  Write every file of one stack to DIR: scrape configs (Prometheus and vmagent for\n' +
  '  self-hosted, Alloy for managed) with per-target sample_limit and the catalog keep rule,\n' +
  '  the rule file and its tests, the Alertmanager config of the alerting: section, Grafana\n' +
  '  dashboards and provisioning, and README.txt listing them (npm run gen:stack).\n' +
  '  Targets: scrape.targets of the config, else the `canopy up` layout and node_exporter on\n' +
  '  127.0.0.1:9100. See docs/stacks.md.\n';

/**
 * The scrape targets of a config with their sample limits: each catalog service's limit is
 * its declared maximum series per instance plus headroom; `host` is node_exporter's share of
 * the catalog; other services keep the config's `sample_limit`.
 *
 * @example stackTargets(defaultConfig()).map((t) => t.service) // ['relay', 'relay', 'replay', 'storage', 'host']
 */
export function stackTargets(config: CanopyConfig): StackTarget[] {
  const limitOf = (service: string, fallback: number): number => {
    if ((SERVICES as readonly string[]).includes(service))
      return sampleLimitFor(serviceBudget(service as ServiceName).perInstance);
    if (service === 'host')
      return sampleLimitFor(
        hostBudget(config.deployment.host.cores, config.deployment.host.filesystems).perInstance,
      );
    return fallback;
  };
  const given = config.scrape.targets;
  if (given.length === 0)
    return UP_LAYOUT.map((t) => ({
      ...t,
      sampleLimit: limitOf(t.service, config.scrape.sample_limit),
    }));
  return given.map((t) => {
    const hostPort = new URL(t.url).host;
    return {
      url: t.url,
      service: t.service,
      ...(t.instance !== hostPort ? { instance: t.instance } : {}),
      sampleLimit: limitOf(t.service, t.sample_limit),
    };
  });
}

/**
 * Runs `canopy gen --stack` and returns its exit code: 0 written, 1 the rules check failed
 * (nothing written), 2 bad usage or config.
 *
 * @example stackCommand(['--stack', 'self-hosted', '--out', 'out', '--config', 'examples/canopy.alerting.yaml'], io) // 0
 */
export function stackCommand(args: string[], io: StackCommandIO): number {
  // `gen --stack --help` would otherwise read --help as the stack's name.
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      options: {
        stack: { type: 'string' },
        out: { type: 'string', short: 'o' },
        config: { type: 'string' },
        'secrets-dir': { type: 'string' },
        'dashboard-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    const why = (e as Error).message.replace(/\. To specify.*$/s, '');
    io.err(`canopy: gen --stack: ${why}\n${USAGE}${HINT}`);
    return 2;
  }
  if (v.help === true) {
    io.out(HELP);
    return 0;
  }
  const stack = v.stack;
  if (typeof stack !== 'string' || !(STACKS as readonly string[]).includes(stack)) {
    io.err(
      `canopy: gen --stack: expected --stack self-hosted or --stack managed, got ${typeof stack === 'string' ? `"${stack}"` : 'nothing'}\n${USAGE}${HINT}`,
    );
    return 2;
  }
  if (typeof v.out !== 'string' || v.out === '') {
    io.err(
      `canopy: gen --stack: --out DIR is required (e.g. --out packages/stack/generated/stack-${stack})\n${USAGE}${HINT}`,
    );
    return 2;
  }
  const secretsDir = v['secrets-dir'];
  if (typeof secretsDir === 'string' && !secretsDir.startsWith('/')) {
    io.err(
      `canopy: gen --stack: --secrets-dir: expected an absolute path (Alertmanager resolves relative ones from its working directory), got "${secretsDir}"\n${HINT}`,
    );
    return 2;
  }
  try {
    const { config, file } = loadConfig(v.config as string | undefined);
    if (file === undefined || config.alerting === undefined) {
      io.err(
        `canopy: gen --stack: ${file === undefined ? 'no config: give --config FILE' : `${file}: alerting: missing; add`} ` +
          'an alerting: section with receivers and a route — the stack’s Alertmanager needs one ' +
          '(see examples/canopy.alerting.yaml and docs/alerting.md)\n',
      );
      return 2;
    }
    const spec = parseAlertingSpec(config.alerting, file).spec;
    const slos = loadSloSpec(file);
    const dashboardUrl = v['dashboard-url'];
    const w = writeStack(v.out, {
      stack: stack as StackName,
      source: file,
      scrape: {
        targets: stackTargets(config),
        intervalSeconds: config.scrape.interval / 1000,
        timeoutSeconds: config.scrape.timeout / 1000,
        // The services' own scrub rule pack, for whatever else is scraped beside them.
        piiRelabel: piiRelabelConfigs(SCRUB_RULES),
      },
      scrubStages: renderAlloyScrubStages(SCRUB_RULES),
      slos: slos.slos,
      rules: {
        scrapeInterval: slos.scrapeInterval,
        ...(typeof dashboardUrl === 'string' ? { dashboardUrl } : {}),
      },
      alerting: spec,
      alertmanager: {
        alerts: ruleAlerts(slos.slos, { scrapeInterval: slos.scrapeInterval }),
        source: file,
        ...(typeof secretsDir === 'string' ? { secretsDir } : {}),
      },
      dashboards: dashboardsFor(config, file),
    });
    if (w.files.length === 0) {
      io.out(formatRulesCheck(w.check));
      io.err(
        `canopy: ${w.check.errors.length} SLO alert problem(s); nothing written:\n` +
          w.check.errors.map((e) => `  ${e}\n`).join(''),
      );
      return 1;
    }
    const budget = budgetReport(config);
    io.out(`stack: ${stack}, config: ${file}\n`);
    for (const f of w.files) io.out(`wrote ${f}\n`);
    for (const n of w.notes) io.out(`note: ${n}\n`);
    io.out(
      `Series budget: at most ${budget.total} series of ${budget.budget}; the scrape configs keep only catalog names.\n`,
    );
    return 0;
  } catch (e) {
    return configErrorExit(e, io);
  }
}
