/** Grafana dashboards of the page set (typed builders), their provisioning files and query set. */
export type {
  DashboardSource,
  SourceCard,
  SourceDashboard,
  SourcePanel,
  SourceQuery,
  SourceSection,
  SourceSlo,
  SourceThreshold,
} from './source.js';
export {
  grafanaDashboards,
  DATASOURCE_VARIABLE,
  DASHBOARD_TAG,
  type GrafanaDashboard,
} from './dashboards.js';
export {
  renderDatasourceProvisioning,
  renderDashboardProvisioning,
  DATASOURCE_UID,
  type DatasourceOptions,
} from './provisioning.js';
export {
  dashboardQueries,
  interpolateGrafana,
  type DashboardQuery,
  type GrafanaQueryContext,
} from './queries.js';
export { dashboardProblems } from './validate.js';
export { grafanaUnit } from './units.js';
