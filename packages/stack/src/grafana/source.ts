/**
 * What the Grafana dashboards are drawn from: the web UI's dashboards model (the page set
 * `@canopy/web` builds from the catalog and the SLO spec), described here structurally so the
 * stack package needs no import of the web package — the CLI hands the model over, and
 * Grafana draws the same panels with the same PromQL as the hub's web UI.
 * @module
 */

/** One query of a panel; `legend` uses `{{label}}` like Grafana's legendFormat. */
export interface SourceQuery {
  readonly expr: string;
  readonly legend: string;
}

/** A horizontal line on a graph (an SLO threshold). */
export interface SourceThreshold {
  readonly value: number;
  readonly label: string;
}

/** One graph. `unit` is one of the web model's units (`seconds`, `bytes`, `per_second`, …). */
export interface SourcePanel {
  readonly id: string;
  readonly title: string;
  readonly help: string;
  readonly unit: string;
  readonly queries: readonly SourceQuery[];
  readonly thresholds: readonly SourceThreshold[];
}

/** Panels under a heading. */
export interface SourceSection {
  readonly title: string;
  readonly panels: readonly SourcePanel[];
}

/** One service dashboard; `id` is the path alert links use (`/d/<id>`). */
export interface SourceDashboard {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly sections: readonly SourceSection[];
}

/** An overview card: the service's targets and its headline numbers. */
export interface SourceCard {
  readonly service: string;
  readonly title: string;
  readonly up: string;
  readonly headlines: readonly {
    readonly title: string;
    readonly expr: string;
    readonly unit: string;
  }[];
}

/** One SLO: its indicator against its threshold, and its budget left. */
export interface SourceSlo {
  readonly name: string;
  readonly service: string;
  readonly description: string;
  readonly target: number;
  readonly window: string;
  readonly indicator: {
    readonly expr: string;
    readonly legend: string;
    readonly unit: string;
    readonly threshold: number;
  };
  readonly budget: string;
}

/** The page set (the web package's `DashboardsModel` has this shape). */
export interface DashboardSource {
  readonly scrapeIntervalSeconds: number;
  readonly cards: readonly SourceCard[];
  readonly slos: readonly SourceSlo[];
  readonly dashboards: readonly SourceDashboard[];
}
