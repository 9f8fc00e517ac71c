/**
 * Rule evaluation in the hub: load a Prometheus rule file, evaluate its groups (recording
 * and alerting rules, Prometheus semantics), hand alerts to an {@link AlertSink}, and serve
 * `/api/v1/rules` and `/api/v1/alerts` (see `rulesSource` and `ApiSources.rules`).
 */
export { loadRuleFile, RuleFileError } from './load.js';
export type { GroupSpec, RuleSpec, RecordingRuleSpec, AlertingRuleSpec } from './load.js';
export { RuleManager, RuleGroup, ruleStateKey } from './manager.js';
export { RuleStateStore } from './state.js';
export type { RuleManagerOptions } from './manager.js';
export { AlertingRule, RecordingRule, RESOLVED_RETENTION_MS } from './rule.js';
export type { Alert, AlertSink, AlertState, SinkAlert, RuleHealth } from './rule.js';
export { compileTemplate, TemplateError } from './template.js';
export type { Template, TemplateData, TemplateSample } from './template.js';
export { rulesSource, formatAlertValue } from './api.js';
export type { RulesSource, RulesData, AlertsData, ApiAlert, ApiRule, ApiRuleGroup } from './api.js';
export { backtest, BacktestError } from './backtest.js';
export type {
  BacktestOptions,
  BacktestResult,
  BacktestAlert,
  BacktestGroup,
  BacktestRuleError,
} from './backtest.js';
export { MemSeriesStore } from './backtest-store.js';
export { OverlayQuerier, producedNames } from './backtest-overlay.js';
