/** The dashboards model: the web UI's page set generated from the catalog and the SLO spec. */
export * from './types.js';
export { buildDashboards, type DashboardsOptions, type DeploymentShape } from './build.js';
export {
  metricPanels,
  shapeOf,
  hostShape,
  QUANTILES,
  type MetricShape,
  type PanelScope,
} from './panels.js';
export { sloView, sloPanel, indicatorWindow, thresholdTarget, RECORDED } from './slos.js';
export { HEADLINES, headline, type HeadlineSpec, type HeadlineStat } from './headlines.js';
export { durationSeconds, formatDuration } from './duration.js';
