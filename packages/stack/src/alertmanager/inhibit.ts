/**
 * Inhibit rules: which firing alerts silence which others. Canopy's alerts carry `service`,
 * `slo` and `severity` (target-down alerts have `slo="target-up"`); gauge SLO alerts also
 * carry `instance`, burn-rate alerts are summed over a service's instances and do not.
 */

/** An Alertmanager inhibit rule. */
export interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

/**
 * The generated config's inhibit rules:
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
export const INHIBIT_RULES: readonly InhibitRule[] = [
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
