/** PII rules for the engines: Alloy `stage.replace` and Prometheus relabel rules. @module */
export { assertEmittable, PiiRuleError, type PiiRule } from './rule.js';
export { renderAlloyScrubStages } from './alloy.js';
export {
  piiRelabelConfigs,
  renderPiiRelabelConfigs,
  DEFAULT_PII_LABEL_NAMES,
  DEFAULT_FREE_TEXT_LABELS,
  type PiiRelabelOptions,
} from './relabel.js';
