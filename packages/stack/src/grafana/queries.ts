/**
 * The PromQL of generated dashboards as Grafana sends it: every target's expression with
 * Grafana's variables replaced the way Grafana replaces them, for checking the dashboards
 * against a real backend.
 */
import type { GrafanaDashboard } from './dashboards.js';

/** One query of one panel. */
export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

/**
 * Every target expression of the dashboards, with where it is.
 *
 * @example dashboardQueries(grafanaDashboards(model)).length // > 100
 */
export function dashboardQueries(ds: readonly GrafanaDashboard[]): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const d of ds)
    for (const p of d.json.panels ?? []) {
      const panel = p as { title?: string; targets?: { expr?: string }[] };
      for (const t of panel.targets ?? [])
        if (typeof t.expr === 'string')
          out.push({ dashboard: d.uid, panel: panel.title ?? '', expr: t.expr });
    }
  return out;
}

/** What Grafana knows when it interpolates a query. */
export interface GrafanaQueryContext {
  /** The query step (Grafana's `$__interval`), seconds. */
  readonly stepSeconds: number;
  /** The data source's scrape interval (`timeInterval`), seconds. */
  readonly scrapeSeconds: number;
  /** The dashboard's time range, seconds. */
  readonly rangeSeconds: number;
}

/**
 * Replaces Grafana's built-in variables: `$__interval` = max(step, scrape),
 * `$__rate_interval` = max(`$__interval` + scrape, 4 × scrape), `$__range` = the range
 * (`_s` and `_ms` forms too). Throws on any `$` left, naming it.
 *
 * @example interpolateGrafana('rate(x[$__rate_interval])', { stepSeconds: 15, scrapeSeconds: 15, rangeSeconds: 3600 }) // 'rate(x[60s])'
 */
export function interpolateGrafana(expr: string, c: GrafanaQueryContext): string {
  const interval = Math.max(c.stepSeconds, c.scrapeSeconds);
  const rate = Math.max(interval + c.scrapeSeconds, 4 * c.scrapeSeconds);
  const out = expr
    .replaceAll('$__rate_interval', `${rate}s`)
    .replaceAll('$__interval_ms', `${interval * 1000}`)
    .replaceAll('$__interval', `${interval}s`)
    .replaceAll('$__range_ms', `${c.rangeSeconds * 1000}`)
    .replaceAll('$__range_s', `${c.rangeSeconds}`)
    .replaceAll('$__range', `${c.rangeSeconds}s`);
  const left = /\$\{?\w+/.exec(out);
  if (left !== null) throw new Error(`${expr}: no value for the Grafana variable ${left[0]}`);
  return out;
}
