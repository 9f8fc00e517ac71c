/**
 * The Alertmanager config of stack B, from the `alerting:` spec of canopy.yaml: the routing
 * tree as written (root defaults from ROUTE_DEFAULTS), the receivers with bounded
 * notification templates, and the inhibit rules (the spec's, else the catalog's
 * INHIBIT_RULES, which the hub's dispatcher applies too).
 */
import { Document } from 'yaml';
import {
  INHIBIT_RULES,
  ROUTE_DEFAULTS,
  type AlertingSpec,
  type InhibitRuleSpec,
  type RouteSpec,
} from '@canopy/catalog';
import { formatMatcher, parseMatcher } from './matchers.js';
import { BASE_VERSION, DEFAULT_SECRETS_DIR, mapReceiver, type AmReceiver } from './receivers.js';
import { TEMPLATE_FILE } from './templates.js';

/** File name `canopy gen alertmanager` writes. */
export const ALERTMANAGER_FILE = 'alertmanager.yml';

/** Options of the Alertmanager generator. */
export interface AlertmanagerOptions {
  /**
   * Folder of the URL files of receivers with `webhook_url_env` (Alertmanager cannot read
   * the environment). Default {@link DEFAULT_SECRETS_DIR}.
   */
  readonly secretsDir?: string;
  /** The spec's file, named in the header. Default: none named. */
  readonly source?: string;
}

/** A route as Alertmanager reads it. */
export interface AmRoute {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly AmRoute[];
}

/** An Alertmanager config (the parts Canopy writes). */
export interface AmConfig {
  readonly route: AmRoute;
  readonly inhibit_rules: readonly InhibitRuleSpec[];
  readonly receivers: readonly AmReceiver[];
  readonly templates: readonly string[];
}

/** The generated config and what the operator must know about it. */
export interface GeneratedAlertmanager {
  readonly config: AmConfig;
  /** One line per receiver that needs something done or a newer Alertmanager. */
  readonly notes: readonly string[];
  /** The oldest Alertmanager that loads the config (0.25.0 unless a receiver needs newer). */
  readonly needs: string;
}

function route(r: RouteSpec): AmRoute {
  const out: Record<string, unknown> = {};
  if (r.receiver !== undefined) out['receiver'] = r.receiver;
  if (r.matchers !== undefined && r.matchers.length > 0)
    out['matchers'] = r.matchers.map((m) => formatMatcher(parseMatcher(m)));
  if (r.group_by !== undefined) out['group_by'] = [...r.group_by];
  if (r.group_wait !== undefined) out['group_wait'] = r.group_wait.trim();
  if (r.group_interval !== undefined) out['group_interval'] = r.group_interval.trim();
  if (r.repeat_interval !== undefined) out['repeat_interval'] = r.repeat_interval.trim();
  if (r.continue === true) out['continue'] = true;
  if (r.routes !== undefined && r.routes.length > 0) out['routes'] = r.routes.map(route);
  return out as AmRoute;
}

function inhibitRule(r: InhibitRuleSpec): InhibitRuleSpec {
  const canonical = (ms: readonly string[]) => ms.map((m) => formatMatcher(parseMatcher(m)));
  return {
    source_matchers: canonical(r.source_matchers),
    target_matchers: canonical(r.target_matchers),
    equal: [...r.equal],
  };
}

function newer(a: string, b: string): string {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++)
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0) ? a : b;
  return a;
}

/**
 * Builds the Alertmanager config of a validated spec (the hub's `parseAlertingSpec` checks it).
 *
 * @example buildAlertmanager({ receivers: [{ name: 'oncall', type: 'discord', webhook_url: 'https://discord.com/api/webhooks/1/x' }], route: { receiver: 'oncall' } }).config.route.group_wait // '5s'
 */
export function buildAlertmanager(
  spec: AlertingSpec,
  o: AlertmanagerOptions = {},
): GeneratedAlertmanager {
  const root = route(spec.route);
  const mapped = spec.receivers.map((rc) => mapReceiver(rc, o.secretsDir ?? DEFAULT_SECRETS_DIR));
  const notes: string[] = [];
  let needs = BASE_VERSION;
  for (const m of mapped) {
    for (const n of m.notes) notes.push(`receiver "${m.receiver.name}": ${n}`);
    needs = newer(needs, m.needs);
  }
  return {
    config: {
      route: {
        receiver: root.receiver ?? '',
        group_by: root.group_by ?? [...ROUTE_DEFAULTS.group_by],
        group_wait: root.group_wait ?? ROUTE_DEFAULTS.group_wait,
        group_interval: root.group_interval ?? ROUTE_DEFAULTS.group_interval,
        repeat_interval: root.repeat_interval ?? ROUTE_DEFAULTS.repeat_interval,
        ...(root.routes !== undefined ? { routes: root.routes } : {}),
      },
      inhibit_rules: (spec.inhibit_rules ?? INHIBIT_RULES).map(inhibitRule),
      receivers: mapped.map((m) => m.receiver),
      templates: [TEMPLATE_FILE],
    },
    notes,
    needs,
  };
}

function header(g: GeneratedAlertmanager, spec: AlertingSpec, o: AlertmanagerOptions): string {
  const lines = [
    ` Generated by \`canopy gen alertmanager\` from the alerting: section of ${o.source ?? 'canopy.yaml'}.`,
    ' Do not edit: change the spec and generate again. Check with `amtool check-config` and the',
    ' routing cases beside this file (`sh routes-test.sh`).',
    '',
    ` Needs Alertmanager ${g.needs} or newer.${g.notes.length > 0 ? ' Before starting it:' : ''}`,
    ...g.notes.map((n) => ` - ${n}`),
    '',
    ` Root route: group_wait ${g.config.route.group_wait}. Canopy's default, 5s, lets a target-down page reach chat`,
    ' within 30 s of a process dying (≤ 15 s scrape + ≤ 5 s evaluation + 5 s wait + delivery).',
    ...(spec.inhibit_rules === undefined
      ? [
          ' Inhibit rules (Canopy\'s): a target-down alert (slo="target-up") silences the SLO alerts of',
          ' its instance and the service-wide ones of its service; a paging tier silences the ticket',
          ' tiers of its SLO.',
        ]
      : [` Inhibit rules: the spec's own (${spec.inhibit_rules.length}).`]),
    ` Messages use ${TEMPLATE_FILE}: at most four alerts each, every field cut to fit Discord.`,
  ];
  return lines.join('\n');
}

/**
 * Renders the config as YAML with an explanatory header.
 *
 * @example writeFileSync('alertmanager.yml', renderAlertmanager(spec))
 */
export function renderAlertmanager(spec: AlertingSpec, o: AlertmanagerOptions = {}): string {
  const g = buildAlertmanager(spec, o);
  const doc = new Document(g.config);
  doc.commentBefore = header(g, spec, o);
  return doc.toString({ lineWidth: 0 });
}
