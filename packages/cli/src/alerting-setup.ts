/**
 * What the hub evaluates and where its alerts go, resolved from canopy.yaml before anything
 * starts: the rule groups (the rule file generated from the SLO spec, or `hub.rule_files`),
 * the routing tree, and each receiver's webhook URL (from the config, a file or an env var)
 * checked for reachability. Any problem is a {@link ConfigError} naming the file and path,
 * and nothing is started half-configured.
 * @module
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import {
  loadRuleFile,
  parseAlertingSpec,
  resolveWebhookUrl,
  RuleFileError,
  AlertingConfigError,
  WebhookUrlError,
  type GroupSpec,
  type Receiver,
  type ResolvedRoute,
  type WebhookUrl,
} from '@canopy/hub';
import { checkRules, loadSloSpec, renderRules } from '@canopy/stack';
import type { InhibitRuleSpec } from '@canopy/catalog';
import { ConfigError, type CanopyConfig } from './config.js';

/** The resolved alerting side of the hub. */
export interface AlertingSetup {
  readonly rules: GroupSpec[];
  /** Where the rules came from, for the start-up banner. */
  readonly rulesFrom: string;
  readonly alerting:
    | { route: ResolvedRoute; receivers: Receiver[]; inhibitRules: readonly InhibitRuleSpec[] }
    | undefined;
  readonly externalURL: string | undefined;
}

/** Options of {@link resolveAlerting}. */
export interface AlertingSetupOptions {
  /** The config file (for messages and for reading `slos:`); undefined = built-in defaults. */
  readonly file: string | undefined;
  /** Check each receiver can be reached (TCP connect) before starting. Default true. */
  readonly checkReachable?: boolean;
  /** Time allowed per reachability check, ms. Default 5000. */
  readonly reachTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Opens a TCP connection to the URL's host and port and closes it; rejects with a
 * person-readable reason (never the URL's path or token).
 */
export function checkReachable(url: WebhookUrl, timeoutMs = 5000): Promise<void> {
  const u = new URL(url.reveal());
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer from ${u.host} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${u.host} (${e.code ?? e.message})`));
    });
  });
}

/**
 * The name the hub gives the rule file it generates from the SLO spec. Groups are spread
 * over their interval by a hash of file and group name, so a backtest that uses the same
 * name evaluates at the same offsets as the live hub.
 *
 * @example generatedRulesName(undefined) // 'rules generated from the SLO spec (built-in defaults)'
 */
export function generatedRulesName(file: string | undefined): string {
  return `rules generated from the SLO spec (${file ?? 'built-in defaults'})`;
}

function loadRules(
  config: CanopyConfig,
  file: string | undefined,
  externalURL: string | undefined,
) {
  const where = file ?? 'built-in defaults';
  if (config.hub.rule_files !== undefined) {
    const groups: GroupSpec[] = [];
    config.hub.rule_files.forEach((path, i) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new ConfigError(
          `${where}: hub.rule_files[${i}]: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      try {
        groups.push(...loadRuleFile(text, path));
      } catch (e) {
        if (e instanceof RuleFileError)
          throw new ConfigError(`${where}: hub.rule_files[${i}]: ${e.message}`);
        throw e;
      }
    });
    return { groups, from: config.hub.rule_files.join(', ') };
  }
  const src = loadSloSpec(file);
  const o = {
    scrapeInterval: src.scrapeInterval,
    ...(externalURL !== undefined ? { dashboardUrl: externalURL } : {}),
  };
  const check = checkRules(src.slos, o);
  if (!check.ok)
    throw new ConfigError(
      `${where}: slos: ${check.errors.length} alert problem(s); run "canopy check rules" for details:\n` +
        check.errors.map((e) => `  ${e}`).join('\n'),
    );
  const name = generatedRulesName(src.file);
  try {
    return { groups: loadRuleFile(renderRules(src.slos, o), name), from: name };
  } catch (e) {
    if (e instanceof RuleFileError) throw new ConfigError(`${where}: slos: ${e.message}`);
    throw e;
  }
}

/**
 * Resolves rules and alerting from a validated config. Throws {@link ConfigError}.
 *
 * @example const s = await resolveAlerting(config, { file: 'canopy.yaml' }); s.rules.length
 */
export async function resolveAlerting(
  config: CanopyConfig,
  o: AlertingSetupOptions,
): Promise<AlertingSetup> {
  const where = o.file ?? 'built-in defaults';
  let alerting: AlertingSetup['alerting'];
  let externalURL: string | undefined;
  if (config.alerting !== undefined) {
    let cfg;
    try {
      cfg = parseAlertingSpec(config.alerting, where);
    } catch (e) {
      if (e instanceof AlertingConfigError) throw new ConfigError(e.message);
      throw e;
    }
    externalURL = cfg.externalURL;
    const receivers: Receiver[] = [];
    const problems: string[] = [];
    cfg.spec.receivers.forEach((rc, i) => {
      const at = `${where}: alerting.receivers[${i}]`;
      try {
        const url = resolveWebhookUrl(rc, at, o.env ?? process.env);
        receivers.push({
          name: rc.name,
          kind: rc.type,
          url,
          ...(rc.send_resolved !== undefined ? { sendResolved: rc.send_resolved } : {}),
          ...(rc.channel !== undefined ? { channel: rc.channel } : {}),
        });
      } catch (e) {
        if (e instanceof WebhookUrlError) problems.push(e.message);
        else throw e;
      }
    });
    if (problems.length > 0) throw new ConfigError(problems.join('\n'));
    if (o.checkReachable !== false) {
      const results = await Promise.allSettled(
        receivers.map((r) => checkReachable(r.url, o.reachTimeoutMs ?? 5000)),
      );
      const bad = results.flatMap((res, i) =>
        res.status === 'rejected'
          ? [
              `${where}: alerting.receivers[${i}] (${receivers[i]!.kind} "${receivers[i]!.name}", ${receivers[i]!.url.redacted}): ` +
                `${(res.reason as Error).message}; check the URL and the network (nothing was started)`,
            ]
          : [],
      );
      if (bad.length > 0) throw new ConfigError(bad.join('\n'));
    }
    alerting = { route: cfg.route, receivers, inhibitRules: cfg.inhibitRules };
  }
  const rules = loadRules(config, o.file, externalURL);
  return { rules: rules.groups, rulesFrom: rules.from, alerting, externalURL };
}
