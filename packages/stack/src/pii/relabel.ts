/**
 * The rule pack as Prometheus/vmagent `metric_relabel_configs`. Relabeling cannot loop over
 * all labels or replace globally (its regex is anchored and rewrites one target label), so:
 *  1. `labeldrop` removes labels whose *names* say they carry identifiers (`peer_id`, `ip`…);
 *  2. on each known free-text label, every rule rewrites its leftmost occurrence in place
 *     (`(.*?)prefix(?:source)(.*)` → `${1}${2}<token>${3}`), `passes` times;
 *  3. a last rule replaces the whole value with `<redacted>` if any identifier is still there.
 * Canopy's own metrics need none of this (their labels are closed sets); it is for exporters
 * and anything else scraped next to them.
 * @module
 */
import { stringify } from 'yaml';
import type { RelabelConfig } from '../scrape/keep.js';
import { assertEmittable, type PiiRule } from './rule.js';

/** Label names dropped outright by default: their values are identifiers by definition. */
export const DEFAULT_PII_LABEL_NAMES: readonly string[] = [
  'peer',
  'peer_id',
  'peerid',
  'remote_peer',
  'remote_addr',
  'remote_ip',
  'client_ip',
  'ip',
  'addr',
  'address',
  'multiaddr',
  'cid',
  'pubkey',
  'public_key',
  'email',
];

/** Free-text labels rewritten by default (exporters put error text and URLs in these). */
export const DEFAULT_FREE_TEXT_LABELS: readonly string[] = [
  'error',
  'err',
  'message',
  'msg',
  'reason',
  'url',
  'path',
];

/** Options for {@link piiRelabelConfigs}. */
export interface PiiRelabelOptions {
  /** Label names to drop. Default {@link DEFAULT_PII_LABEL_NAMES}. */
  readonly dropLabels?: readonly string[];
  /** Labels whose values are rewritten. Default {@link DEFAULT_FREE_TEXT_LABELS}. */
  readonly freeTextLabels?: readonly string[];
  /** Occurrences of each rule rewritten per label before the catch-all. Default 1. */
  readonly passes?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The relabel rules as objects (for `canopy gen --stack`'s scrape configs).
 *
 * @example
 * import { SCRUB_RULES } from '@canopy/telemetry';
 * scrapeConfig.metric_relabel_configs = piiRelabelConfigs(SCRUB_RULES);
 */
export function piiRelabelConfigs(
  rules: readonly PiiRule[],
  options: PiiRelabelOptions = {},
): RelabelConfig[] {
  const drop = options.dropLabels ?? DEFAULT_PII_LABEL_NAMES;
  const free = options.freeTextLabels ?? DEFAULT_FREE_TEXT_LABELS;
  const passes = options.passes ?? 1;
  if (!Number.isInteger(passes) || passes < 0 || passes > 8)
    throw new RangeError(`piiRelabelConfigs: passes must be an integer 0..8, got ${passes}`);
  for (const l of [...drop, ...free])
    if (!LABEL_NAME.test(l))
      throw new RangeError(
        `piiRelabelConfigs: '${l}' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      );
  for (const r of rules) assertEmittable(r);
  const out: RelabelConfig[] = [];
  if (drop.length > 0) out.push({ action: 'labeldrop', regex: drop.join('|') });
  const any = rules.map((r) => `${r.prefix ?? ''}(?:${r.source})`).join('|');
  for (const label of free) {
    for (let p = 0; p < passes; p++)
      for (const r of rules)
        out.push(
          r.prefix !== undefined
            ? {
                source_labels: [label],
                regex: `(.*?)(${r.prefix})(?:${r.source})(.*)`,
                target_label: label,
                replacement: `\${1}\${2}${r.replacement}\${3}`,
                action: 'replace',
              }
            : {
                source_labels: [label],
                regex: `(.*?)(?:${r.source})(.*)`,
                target_label: label,
                replacement: `\${1}${r.replacement}\${2}`,
                action: 'replace',
              },
        );
    if (rules.length > 0)
      out.push({
        source_labels: [label],
        regex: `.*(?:${any}).*`,
        target_label: label,
        replacement: '<redacted>',
        action: 'replace',
      });
  }
  return out;
}

/**
 * The relabel rules as YAML, a list to place under `metric_relabel_configs:`.
 *
 * @example
 * const yaml = renderPiiRelabelConfigs(SCRUB_RULES);
 * // - action: labeldrop
 * //   regex: peer|peer_id|…
 */
export function renderPiiRelabelConfigs(
  rules: readonly PiiRule[],
  options: PiiRelabelOptions = {},
): string {
  return stringify(piiRelabelConfigs(rules, options), { lineWidth: 0 });
}
