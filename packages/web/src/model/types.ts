/**
 * The dashboards model: the web UI's page set as plain JSON data, generated from the metric
 * catalog and the SLO spec (see {@link buildDashboards}). The browser only draws it; every
 * query in it is PromQL for the Prometheus HTTP API, with Grafana's `$__rate_interval`
 * where a rate window goes.
 * @module
 */

/** How a value reads: the unit the page formats it in. */
export type ValueUnit =
  | 'seconds'
  | 'bytes'
  | 'ratio'
  | 'number'
  | 'per_second'
  | 'bytes_per_second'
  | 'cores'
  /** Unix seconds, shown as a date. */
  | 'timestamp';

/** One PromQL query of a panel and how its series are named in the legend. */
export interface PanelQuery {
  /** PromQL; `$__rate_interval` is replaced by the page (max(4 × scrape, step + scrape)). */
  readonly expr: string;
  /** Legend template: `{{label}}` is the series' label value (e.g. `p99 {{instance}}`). */
  readonly legend: string;
}

/** A horizontal line on a graph: an SLO's threshold. */
export interface Threshold {
  readonly value: number;
  /** What the line means, e.g. `SLO: sync lag < 10 s`. */
  readonly label: string;
  /** The SLO it comes from. */
  readonly slo: string;
}

/** One graph. */
export interface Panel {
  /** Unique within the model; the URL fragment that scrolls to it. */
  readonly id: string;
  readonly title: string;
  /** The metric's help text, or the SLO's objective. */
  readonly help: string;
  /** The catalog metric it shows; absent for an SLO panel. */
  readonly metric?: string;
  readonly kind: 'counter' | 'gauge' | 'histogram' | 'slo';
  readonly unit: ValueUnit;
  readonly queries: readonly PanelQuery[];
  readonly thresholds: readonly Threshold[];
}

/** Panels under a heading. */
export interface Section {
  readonly title: string;
  readonly panels: readonly Panel[];
}

/** One service dashboard (`/d/<id>`). */
export interface Dashboard {
  /** `relay`, `replay`, `storage`, `actors`, `host`: the alert rules link to `/d/<service>`. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly sections: readonly Section[];
}

/** A number on an overview card that says whether a service is overwhelmed. */
export interface Headline {
  readonly title: string;
  /** An instant query returning one series (aggregated over instances). */
  readonly expr: string;
  readonly unit: ValueUnit;
  readonly metric: string;
}

/** How an SLO is shown: its indicator over time against its threshold, and its budget. */
export interface SloView {
  readonly name: string;
  readonly service: string;
  readonly description: string;
  readonly kind: 'ratio' | 'latency' | 'gauge';
  /** The objective, e.g. 0.99. */
  readonly target: number;
  /** The compliance window, e.g. `30d`. */
  readonly window: string;
  /** The indicator: one query, drawn as the sparkline and the SLO panel. */
  readonly indicator: {
    readonly expr: string;
    readonly legend: string;
    readonly unit: ValueUnit;
    /** Where good turns bad: the allowed error ratio, or the gauge SLO's threshold. */
    readonly threshold: number;
    /** Which side of the threshold is good, e.g. `<`. */
    readonly comparator: '<' | '<=' | '>' | '>=';
  };
  /** Instant query of the share of the window's error budget left (the rule file's). */
  readonly budget: string;
}

/** A card on the overview: one per service that has a dashboard. */
export interface ServiceCard {
  readonly service: string;
  readonly title: string;
  /** Instant query of `up` for the service's targets (one series per instance). */
  readonly up: string;
  readonly headlines: readonly Headline[];
  /** Names of the service's SLOs, in spec order. */
  readonly slos: readonly string[];
}

/** One catalog metric on the budget page. */
export interface BudgetMetric {
  readonly metric: string;
  /** Where the metric comes from (`relay`, `replay`, `storage`, `host`). */
  readonly service: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** The most series one instance can expose (the catalog's label sets). */
  readonly maxPerInstance: number;
  /** Instances of the service the deployment declares. */
  readonly instances: number;
}

/** The budget page: active series against the catalog's maxima and the deployment budget. */
export interface BudgetView {
  /** The deployment budget (`budget.series`, default 10,000 active series). */
  readonly series: number;
  /** The most series the declared deployment can expose (`canopy check budget`'s total). */
  readonly deploymentMax: number;
  readonly metrics: readonly BudgetMetric[];
  /** Instant query: active series per metric name and service. */
  readonly activeQuery: string;
  /** Range query of label values folded into `other`, per service, metric and label. */
  readonly overflowQuery: string;
}

/** The whole page set. */
export interface DashboardsModel {
  /** The scrape interval the rate windows are chosen for, seconds. */
  readonly scrapeIntervalSeconds: number;
  readonly cards: readonly ServiceCard[];
  readonly slos: readonly SloView[];
  readonly dashboards: readonly Dashboard[];
  readonly budget: BudgetView;
}
