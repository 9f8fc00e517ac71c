/**
 * Inhibition, Alertmanager's way: while a firing alert matches a rule's source matchers, the
 * alerts matching its target matchers with the same values of its `equal` labels are not
 * notified. The dispatcher applies it at every group flush.
 * @module
 */
import type { InhibitRuleSpec } from '@canopy/catalog';
import { type Alert, alertFingerprint } from './alert.js';
import { parseRouteMatcher, type RouteMatcher } from './config.js';

interface Compiled {
  readonly source: readonly RouteMatcher[];
  readonly target: readonly RouteMatcher[];
  readonly equal: readonly string[];
}

/**
 * Compiles inhibit rules; throws an Error naming `where` and the matcher for a bad one.
 *
 * @example new Inhibitor(INHIBIT_RULES).inhibited(alert, firingAlerts, Date.now())
 */
export class Inhibitor {
  readonly #rules: Compiled[];

  constructor(rules: readonly InhibitRuleSpec[], where = 'inhibit_rules') {
    this.#rules = rules.map((r, i) => {
      const compile = (ms: readonly string[], key: string) =>
        ms.map((m, j) => {
          try {
            return parseRouteMatcher(m);
          } catch (e) {
            throw new Error(`${where}[${i}].${key}[${j}]: ${(e as Error).message}`);
          }
        });
      return {
        source: compile(r.source_matchers, 'source_matchers'),
        target: compile(r.target_matchers, 'target_matchers'),
        equal: r.equal,
      };
    });
  }

  /** Whether `alert` is muted by one of `firing` (alerts that fire at `now`) under the rules. */
  inhibited(alert: Alert, firing: readonly Alert[], now: number): boolean {
    if (this.#rules.length === 0) return false;
    const fp = alertFingerprint(alert.labels);
    for (const r of this.#rules) {
      if (!r.target.every((m) => m.test(alert.labels))) continue;
      for (const s of firing) {
        if (s.status !== 'firing' || (s.endsAt !== undefined && s.endsAt <= now)) continue;
        if (!r.source.every((m) => m.test(s.labels))) continue;
        if (!r.equal.every((l) => (s.labels[l] ?? '') === (alert.labels[l] ?? ''))) continue;
        if (alertFingerprint(s.labels) === fp) continue; // an alert never mutes itself
        return true;
      }
    }
    return false;
  }
}
