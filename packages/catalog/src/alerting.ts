/**
 * The alert routing spec (`alerting:` in canopy.yaml), as data: receivers and a routing tree
 * in Alertmanager's vocabulary. The hub's notifier runs it in the embedded default; `canopy
 * gen alertmanager` compiles the same spec to an Alertmanager config for stack B. Validation
 * lives with the hub (`parseAlertingSpec`); this file only holds the shape and defaults.
 */
import type { Duration } from './slo.js';

/** The chat services and the generic JSON webhook a receiver can post to. */
export const RECEIVER_TYPES = ['discord', 'slack', 'webhook'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/**
 * One receiver. The webhook URL is a secret: give exactly one of `webhook_url`,
 * `webhook_url_file` (a file holding the URL) or `webhook_url_env` (an environment variable).
 *
 * @example { name: 'oncall', type: 'discord', webhook_url_env: 'CANOPY_DISCORD_WEBHOOK' }
 */
export interface ReceiverSpec {
  readonly name: string;
  readonly type: ReceiverType;
  readonly webhook_url?: string;
  readonly webhook_url_file?: string;
  readonly webhook_url_env?: string;
  /** Send a message when the alert resolves. Default true. */
  readonly send_resolved?: boolean;
  /** Slack only: channel override (`#ops`). */
  readonly channel?: string;
}

/**
 * A node of the routing tree. An alert walks the tree depth-first: the first child whose
 * matchers all match takes it (and later siblings too when that child has `continue: true`);
 * with no matching child the node itself does. Unset fields inherit from the parent.
 *
 * @example { matchers: ['severity="page"'], receiver: 'oncall', group_wait: '5s' }
 */
export interface RouteSpec {
  readonly receiver?: string;
  /** Alertmanager matchers: `name="value"`, `name!="v"`, `name=~"re"`, `name!~"re"`. */
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: Duration;
  readonly group_interval?: Duration;
  readonly repeat_interval?: Duration;
  readonly continue?: boolean;
  readonly routes?: readonly RouteSpec[];
}

/** The whole routing spec. */
export interface AlertingSpec {
  readonly receivers: readonly ReceiverSpec[];
  /** The root route; it must name a receiver and has no matchers. */
  readonly route: RouteSpec;
  /** Base URL of links in notifications (dashboards, the rule's graph). */
  readonly external_url?: string;
  /** Which firing alerts mute which others. Default {@link INHIBIT_RULES}; `[]` for none. */
  readonly inhibit_rules?: readonly InhibitRuleSpec[];
}

/**
 * Root-route defaults. `group_wait` is 5 s (Alertmanager's is 30 s) so that a target-down
 * page reaches chat within 30 s of a process dying: ≤ 15 s scrape + ≤ 5 s evaluation + 5 s
 * group wait + delivery. `group_interval` 1 m, `repeat_interval` 4 h as Alertmanager.
 */
export const ROUTE_DEFAULTS = {
  group_by: ['alertname', 'service'],
  group_wait: '5s',
  group_interval: '1m',
  repeat_interval: '4h',
} as const satisfies RouteSpec;

/** An inhibit rule in Alertmanager's shape: firing sources mute matching targets. */
export interface InhibitRuleSpec {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  /** Labels whose values must be equal on source and target (absent counts as equal to absent). */
  readonly equal: readonly string[];
}

/**
 * Canopy's inhibit rules, applied by the hub's dispatcher and written into the generated
 * Alertmanager config alike. Canopy's alerts carry `service`, `slo` and `severity`
 * (target-down alerts have `slo="target-up"`); gauge SLO alerts also carry `instance`,
 * burn-rate alerts are summed over a service's instances and do not.
 *
 * 1. A dead target (`RelayDown`, …) silences the SLO alerts of the same instance: a process
 *    that is down also misses its latency and lag objectives, and one page says why.
 * 2. It also silences the service-wide SLO alerts (those without `instance`) of its service:
 *    with one of two relays down the relay burn-rate alerts are its consequence. The price:
 *    a burn on the surviving instance pages only once the dead one is back or resolved.
 * 3. A paging tier of an SLO silences its ticket tiers: a fast burn also trips the slow
 *    tiers, and the ticket adds nothing to the page.
 *
 * @example INHIBIT_RULES[0].equal // ['service', 'instance']
 */
export const INHIBIT_RULES: readonly InhibitRuleSpec[] = [
  {
    source_matchers: ['slo="target-up"'],
    target_matchers: ['slo!="target-up"'],
    equal: ['service', 'instance'],
  },
  {
    source_matchers: ['slo="target-up"'],
    target_matchers: ['slo!="target-up"', 'instance=""'],
    equal: ['service'],
  },
  {
    source_matchers: ['severity="page"'],
    target_matchers: ['severity="ticket"'],
    equal: ['service', 'slo'],
  },
];
