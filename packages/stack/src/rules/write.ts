/** Writing the rule file and its tests to a folder (`canopy gen rules --out DIR`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Slo } from '@canopy/catalog';
import { checkRules, type RulesCheck } from './check.js';
import { RULE_FILE, RULE_TEST_FILE, renderRules, type RulesOptions } from './generate.js';
import { renderRuleTests } from './promtool-tests.js';

/** What {@link writeRuleFiles} did. */
export interface WrittenRules {
  /** Paths written; none when the check failed. */
  readonly files: readonly string[];
  readonly check: RulesCheck;
}

/**
 * Checks the SLO spec's alerts and, if every tier can fire, writes {@link RULE_FILE} and
 * {@link RULE_TEST_FILE} into `dir` (created if missing). Nothing is written when the check
 * fails: a rule file with a tier that can never fire would look like protection.
 *
 * @example writeRuleFiles('packages/stack/generated/rules', DEFAULT_SLOS).files // ['…/canopy.rules.yml', '…/canopy.rules.test.yml']
 */
export function writeRuleFiles(
  dir: string,
  slos: readonly Slo[],
  o: RulesOptions = {},
): WrittenRules {
  const check = checkRules(
    slos,
    o.scrapeInterval !== undefined ? { scrapeInterval: o.scrapeInterval } : {},
  );
  if (!check.ok) return { files: [], check };
  const rules = renderRules(slos, o);
  const tests = renderRuleTests(slos, o);
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, RULE_FILE), join(dir, RULE_TEST_FILE)];
  writeFileSync(files[0]!, rules);
  writeFileSync(files[1]!, tests);
  return { files, check };
}
