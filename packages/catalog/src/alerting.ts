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
