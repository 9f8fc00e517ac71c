/**
 * Grafana provisioning files: the data source (VictoriaMetrics for stack B, Grafana Cloud's
 * Prometheus endpoint for stack A, both of Prometheus type) and the dashboards provider
 * that loads the generated JSON files from a folder.
 */
import { stringify } from 'yaml';
import { GENERATED_HEADER } from '../scrape/prometheus.js';

/** uid of the provisioned data source. */
export const DATASOURCE_UID = 'canopy-metrics';

/** Options of {@link renderDatasourceProvisioning}. */
export interface DatasourceOptions {
  readonly stack: 'self-hosted' | 'managed';
  /** Scrape interval in seconds: Grafana's `$__rate_interval` is derived from it. */
  readonly scrapeIntervalSeconds: number;
  /** Stack B: VictoriaMetrics' URL. Default `http://127.0.0.1:8428`. */
  readonly victoriaMetricsUrl?: string;
  /** Stack B: Loki's URL (a second data source). Default `http://127.0.0.1:3100`. */
  readonly lokiUrl?: string;
  /** Stack A: file holding the Grafana Cloud token (read by Grafana's `$__file{}`). */
  readonly tokenFile?: string;
}

/**
 * `provisioning/datasources/canopy.yaml`. Stack A reads its URL and user from Grafana's
 * environment (`$CANOPY_GRAFANA_CLOUD_PROM_URL`, `$CANOPY_PROM_USER`) and its token from a
 * file, so the file holds no secret.
 *
 * @example renderDatasourceProvisioning({ stack: 'self-hosted', scrapeIntervalSeconds: 15 })
 */
export function renderDatasourceProvisioning(o: DatasourceOptions): string {
  const jsonData = { timeInterval: `${o.scrapeIntervalSeconds}s`, httpMethod: 'POST' };
  const datasources =
    o.stack === 'self-hosted'
      ? [
          {
            name: 'VictoriaMetrics',
            uid: DATASOURCE_UID,
            type: 'prometheus',
            access: 'proxy',
            url: o.victoriaMetricsUrl ?? 'http://127.0.0.1:8428',
            isDefault: true,
            jsonData: { ...jsonData, prometheusType: 'Prometheus' },
          },
          {
            name: 'Loki',
            uid: 'canopy-logs',
            type: 'loki',
            access: 'proxy',
            url: o.lokiUrl ?? 'http://127.0.0.1:3100',
          },
        ]
      : [
          {
            name: 'Grafana Cloud Prometheus',
            uid: DATASOURCE_UID,
            type: 'prometheus',
            access: 'proxy',
            url: '$CANOPY_GRAFANA_CLOUD_PROM_URL',
            isDefault: true,
            basicAuth: true,
            basicAuthUser: '$CANOPY_PROM_USER',
            jsonData: { ...jsonData, prometheusType: 'Mimir' },
            secureJsonData: {
              basicAuthPassword: `$__file{${o.tokenFile ?? '/run/credentials/grafana.service/grafana-cloud-token'}}`,
            },
          },
        ];
  return (
    GENERATED_HEADER(`Grafana data sources of Canopy (${o.stack}).`) +
    stringify({ apiVersion: 1, datasources }, { lineWidth: 0 })
  );
}

/**
 * `provisioning/dashboards/canopy.yaml`: a file provider loading `dashboardsDir` into a
 * `Canopy` folder.
 *
 * @example renderDashboardProvisioning('/etc/canopy/grafana/dashboards')
 */
export function renderDashboardProvisioning(dashboardsDir: string): string {
  return (
    GENERATED_HEADER('Grafana dashboards provider of Canopy.') +
    stringify(
      {
        apiVersion: 1,
        providers: [
          {
            name: 'canopy',
            folder: 'Canopy',
            type: 'file',
            disableDeletion: true,
            allowUiUpdates: false,
            updateIntervalSeconds: 60,
            options: { path: dashboardsDir, foldersFromFilesStructure: false },
          },
        ],
      },
      { lineWidth: 0 },
    )
  );
}
