/**
 * `canopy gen alertmanager --out DIR [--config FILE] [--secrets-dir DIR]`: the Alertmanager
 * config of stack B from the `alerting:` section of canopy.yaml, validated by the hub's rules
 * first. Writes alertmanager.yml, its message templates and the routing cases script.
 */
import { parseArgs } from 'node:util';
import { parseAlertingSpec } from '@canopy/hub';
import {
  ALERTMANAGER_FILE,
  BASE_VERSION,
  DEFAULT_SECRETS_DIR,
  ROUTES_TEST_FILE,
  loadSloSpec,
  ruleAlerts,
  writeAlertmanagerFiles,
} from '@canopy/stack';
import { configErrorExit } from './config-errors.js';
import { loadConfig } from './config.js';

/** Where the command writes; the CLI's io. */
export interface AlertmanagerCommandIO {
  out(s: string): void;
  err(s: string): void;
}

const USAGE_HINT = 'Run "canopy --help" for usage.\n';

/**
 * Runs `canopy gen alertmanager` and returns its exit code: 0 written, 2 bad usage or config
 * (nothing written).
 *
 * @example alertmanagerCommand(['--config', 'examples/canopy.alerting.yaml', '--out', 'am'], io) // 0
 */
export function alertmanagerCommand(args: string[], io: AlertmanagerCommandIO): number {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      options: {
        out: { type: 'string', short: 'o' },
        config: { type: 'string' },
        'secrets-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    const why = (e as Error).message.replace(/\. To specify.*$/s, '');
    io.err(`canopy: gen alertmanager: ${why}\n${USAGE_HINT}`);
    return 2;
  }
  if (v.help === true) {
    io.out(
      'canopy gen alertmanager --out DIR [--config FILE] [--secrets-dir DIR]\n' +
        '  Write the Alertmanager config of the alerting: section (alertmanager.yml, canopy.tmpl,\n' +
        `  routes-test.sh) to DIR. --secrets-dir: where receivers with webhook_url_env read their\n` +
        `  URL (default ${DEFAULT_SECRETS_DIR}). See docs/alerting.md.\n`,
    );
    return 0;
  }
  if (typeof v.out !== 'string' || v.out === '') {
    io.err(
      'canopy: gen alertmanager: --out DIR is required (e.g. --out packages/stack/generated/alertmanager)\n' +
        USAGE_HINT,
    );
    return 2;
  }
  const secretsDir = v['secrets-dir'];
  if (typeof secretsDir === 'string' && !secretsDir.startsWith('/')) {
    io.err(
      `canopy: gen alertmanager: --secrets-dir: expected an absolute path (Alertmanager resolves relative ones from its working directory), got "${secretsDir}"\n` +
        USAGE_HINT,
    );
    return 2;
  }
  try {
    const { config, file } = loadConfig(v.config as string | undefined);
    if (file === undefined) {
      io.err(
        'canopy: gen alertmanager: no config: give --config FILE with an alerting: section ' +
          '(there is no ./canopy.yaml; see examples/canopy.alerting.yaml)\n' +
          USAGE_HINT,
      );
      return 2;
    }
    if (config.alerting === undefined) {
      io.err(
        `canopy: bad alerting config\n${file}: alerting: missing; add receivers and a route ` +
          '(see examples/canopy.alerting.yaml and docs/alerting.md)\n',
      );
      return 2;
    }
    const spec = parseAlertingSpec(config.alerting, file).spec;
    const slos = loadSloSpec(file);
    const w = writeAlertmanagerFiles(v.out, spec, {
      alerts: ruleAlerts(slos.slos, { scrapeInterval: slos.scrapeInterval }),
      source: file,
      ...(typeof secretsDir === 'string' ? { secretsDir } : {}),
    });
    io.out(`alerting spec: ${file}\n`);
    for (const f of w.files) io.out(`wrote ${f}\n`);
    io.out(
      `Needs Alertmanager ${w.needs} or newer` +
        (w.needs !== BASE_VERSION ? ` (Debian 12 ships ${BASE_VERSION})` : '') +
        '.\n',
    );
    for (const n of w.notes) io.out(`note: ${n}\n`);
    io.out(
      `Check: amtool check-config ${v.out}/${ALERTMANAGER_FILE} && sh ${v.out}/${ROUTES_TEST_FILE}` +
        ` (${w.cases} routing cases)\n`,
    );
    return 0;
  } catch (e) {
    return configErrorExit(e, io);
  }
}
