/** The `canopy` command line: config loading, checks, generators and the demo. */
export { run, UsageError, type CliIO } from './cli.js';
export {
  loadConfig,
  parseConfig,
  defaultConfig,
  ConfigError,
  ConfigSchema,
  type CanopyConfig,
} from './config.js';
export {
  budgetReport,
  formatBudgetReport,
  serviceBudget,
  hostBudget,
  SCRAPE_SERIES_PER_TARGET,
  type BudgetReport,
  type UnitBudget,
  type BudgetLine,
} from './budget.js';
export { renderMetricsDoc } from './metrics-doc.js';
export { startDemo, type DemoOptions, type Demo } from './demo.js';
