/** Rule files from the SLO spec: generator, reachability check, promtool tests. */
export {
  buildRules,
  renderRules,
  burnAlertName,
  gaugeAlertName,
  targetDownAlertName,
  targetServices,
  RULE_FILE,
  RULE_TEST_FILE,
  GROUPS,
  type RuleFile,
  type RuleGroup,
  type RecordingRule,
  type AlertingRule,
  type RulesOptions,
} from './generate.js';
export {
  ALERT_INTERVAL,
  TARGET_DOWN_INTERVAL,
  SLICE_INTERVAL,
  BUDGET_INTERVAL,
  recordingInterval,
  tierThreshold,
  budgetOf,
  type TierThreshold,
} from './tiers.js';
export { RECORD } from './expressions.js';
export {
  checkRules,
  formatRulesCheck,
  FULL_OUTAGE_PAGE_WITHIN,
  TARGET_DOWN_CHAT_WITHIN,
  type RulesCheck,
  type TierReport,
  type GaugeReport,
  type CheckRulesOptions,
} from './check.js';
export {
  buildRuleTests,
  renderRuleTests,
  TEST_EXTERNAL_URL,
  type RuleTests,
} from './promtool-tests.js';
export { goG, humanize, humanizePercentage, humanizeDuration } from './go-format.js';
export { writeRuleFiles, type WrittenRules } from './write.js';
