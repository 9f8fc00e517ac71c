/** Generators and checks for the scale-out stacks: SLO spec, rule files and their tests, Alertmanager config, scrape configs, Grafana dashboards, Alloy, whole stack folders, and stack B engines to run them. */
export * from './slo/index.js';
export * from './rules/index.js';
export * from './alertmanager/index.js';
export * from './engines/index.js';
export * from './scrape/index.js';
export * from './grafana/index.js';
export * from './alloy/index.js';
export * from './bundle/index.js';
export * from './pii/index.js';
