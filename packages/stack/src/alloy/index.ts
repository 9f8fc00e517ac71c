/** Grafana Alloy configs (stack A; stack B's log shipping) and a structural checker of them. */
export {
  renderManagedAlloy,
  renderSelfHostedLogsAlloy,
  ALLOY_FILE,
  ALLOY_ENV,
  DEFAULT_ALLOY_SECRETS_DIR,
  GRAFANA_CLOUD_TOKEN_FILE,
  type AlloyOptions,
} from './config.js';
export { checkAlloy, type AlloyProblem } from './check.js';
export {
  renderAlloy,
  block,
  attr,
  expr,
  raw,
  str,
  Expr,
  type Attr,
  type Block,
  type Raw,
  type Value,
} from './river.js';
