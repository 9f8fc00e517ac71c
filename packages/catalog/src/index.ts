/**
 * The metric catalog: every metric of relay, replay, storage, actors, process and host, as
 * data. The single source for services, rules, dashboards and the series budget.
 */
export { relay, DISCONNECT_REASONS, DIAL_FAILURE_REASONS, UPGRADE_RESULTS } from './relay.js';
export { replay } from './replay.js';
export { storage } from './storage.js';
export { actors, ACTOR_TYPES } from './actors.js';
export { processMetrics } from './process.js';
export { tracingMetrics, SPAN_DROP_REASONS } from './tracing.js';
export { host, CPU_MODES, type HostMetric } from './host.js';
export { DIAL_BUCKETS, WRITE_BUCKETS, SLO_BOUNDS } from './buckets.js';
export {
  SERVICES,
  groups,
  serviceGroups,
  serviceMetrics,
  allMetrics,
  type ServiceName,
  type GroupName,
} from './catalog.js';
export {
  DEFAULT_SLOS,
  DEFAULT_SLO_WINDOW,
  DEFAULT_BURN_RATE_TIERS,
  SLO_KINDS,
  type Slo,
  type SloBase,
  type RatioSlo,
  type LatencySlo,
  type GaugeSlo,
  type GaugeExample,
  type GaugeExampleSeries,
  type GaugeUnit,
  type Comparator,
  type BurnRateTier,
  type Severity,
  type Duration,
} from './slo.js';
export {
  RECEIVER_TYPES,
  ROUTE_DEFAULTS,
  INHIBIT_RULES,
  type InhibitRuleSpec,
  type ReceiverType,
  type ReceiverSpec,
  type RouteSpec,
  type AlertingSpec,
} from './alerting.js';
