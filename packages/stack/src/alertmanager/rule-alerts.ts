/** The label sets of the alerts a rule file can raise: routing cases for every one of them. */
import type { Slo } from '@canopy/catalog';
import { buildRules, type RulesOptions } from '../rules/generate.js';
import type { AlertLabels } from './route-cases.js';

/**
 * `alertname` plus the rule's labels, for every alerting rule of the SLO spec's rule file.
 * Target labels (`instance`) are not known here and are left out.
 *
 * @example ruleAlerts(DEFAULT_SLOS).at(-1) // { alertname: 'HostDown', service: 'host', slo: 'target-up', severity: 'page' }
 */
export function ruleAlerts(slos: readonly Slo[], o: RulesOptions = {}): AlertLabels[] {
  const out: AlertLabels[] = [];
  for (const g of buildRules(slos, o).groups)
    for (const r of g.rules) if ('alert' in r) out.push({ alertname: r.alert, ...r.labels });
  return out;
}
