/** The Alertmanager config of stack B from the `alerting:` spec: generator, templates, routing cases. */
export {
  buildAlertmanager,
  renderAlertmanager,
  ALERTMANAGER_FILE,
  type AlertmanagerOptions,
  type AmConfig,
  type AmRoute,
  type GeneratedAlertmanager,
} from './generate.js';
export {
  mapReceiver,
  DEFAULT_SECRETS_DIR,
  BASE_VERSION,
  type AmReceiver,
  type MappedReceiver,
} from './receivers.js';
export {
  renderTemplates,
  TEMPLATE_FILE,
  MAX_ALERTS_SHOWN,
  TITLE_TEMPLATE,
  MESSAGE_TEMPLATE,
} from './templates.js';
export { parseMatcher, formatMatcher, matches } from './matchers.js';
export {
  routeCases,
  routeReceivers,
  renderRoutesTest,
  ROUTES_TEST_FILE,
  type RouteCase,
  type RouteCases,
  type AlertLabels,
} from './route-cases.js';
export { ruleAlerts } from './rule-alerts.js';
export {
  writeAlertmanagerFiles,
  type WriteAlertmanagerOptions,
  type WrittenAlertmanager,
} from './write.js';
