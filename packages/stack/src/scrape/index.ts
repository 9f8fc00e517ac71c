/** Scrape configs for Prometheus and vmagent (Alloy's are in ../alloy), with the catalog keep rule and per-target sample limits. */
export {
  UP_LAYOUT,
  NODE_EXPORTER_ADDRESS,
  SAMPLE_LIMIT_HEADROOM,
  sampleLimitFor,
  type StackTarget,
} from './targets.js';
export {
  catalogSeriesNames,
  catalogKeepRegex,
  catalogKeepRelabel,
  EXTRA_KEPT_NAMES,
  type RelabelConfig,
} from './keep.js';
export {
  renderPrometheusConfig,
  renderVmagentConfig,
  scrapeJobs,
  GENERATED_HEADER,
  type ScrapeConfigOptions,
  type PrometheusConfigOptions,
} from './prometheus.js';
