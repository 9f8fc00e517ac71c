/** Generators and checks for the scale-out stacks: SLO spec, rule files and their tests, Alertmanager config, and stack B engines to run them. */
export * from './slo/index.js';
export * from './rules/index.js';
export * from './alertmanager/index.js';
export * from './engines/index.js';
