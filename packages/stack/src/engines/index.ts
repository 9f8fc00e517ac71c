/**
 * Stack B's engines as child processes on loopback — VictoriaMetrics, vmalert, Alertmanager —
 * for tests, benchmarks and checks that run the real tools on the generated files.
 */
export {
  EngineProcess,
  freePort,
  toolSkipReason,
  engineDir,
  type EngineOptions,
} from './process.js';
export {
  startAlertmanager,
  ALERTMANAGER_BIN,
  AMTOOL_BIN,
  type AlertmanagerRunOptions,
} from './alertmanager.js';
export {
  startVictoriaMetrics,
  scrapeConfig,
  STACK_B_VICTORIA_FLAGS,
  VICTORIA_METRICS_BIN,
  type ScrapeTarget,
  type VictoriaMetricsRunOptions,
} from './victoria-metrics.js';
export { startVmalert, VMALERT_BIN, type VmalertRunOptions } from './vmalert.js';
export { startStackB, type StackB, type StackBOptions } from './stack-b.js';
export { startVmagent, VMAGENT_BIN, type VmagentRunOptions } from './vmagent.js';
export { startNodeExporter, NODE_EXPORTER_BIN } from './node-exporter.js';
