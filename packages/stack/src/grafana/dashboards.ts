/**
 * Grafana dashboards of the page set, built with Grafana's typed builders
 * (`@grafana/grafana-foundation-sdk`): an overview, one per service dashboard of the model
 * (relay, replay, storage, actors, host — uid = the model's id, so the rule file's `/d/relay`
 * links open them), and one of every SLO. Every panel reads the `${datasource}` variable.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardSource, SourcePanel, SourceSlo } from './source.js';
import { grafanaUnit } from './units.js';

/** One generated dashboard. */
export interface GrafanaDashboard {
  readonly uid: string;
  /** File name under `grafana/dashboards/`. */
  readonly file: string;
  readonly json: dashboard.Dashboard;
}

/** The template variable every panel's data source is (`${datasource}`). */
export const DATASOURCE_VARIABLE = 'datasource';
/** Tag of every Canopy dashboard (the dashboards' link menu lists them by it). */
export const DASHBOARD_TAG = 'canopy';

const DATASOURCE: dashboard.DataSourceRef = {
  type: 'prometheus',
  uid: `\${${DATASOURCE_VARIABLE}}`,
};
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function base(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(`Canopy / ${title}`)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .editable()
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(
      new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label('Data source')
        .type('prometheus'),
    )
    .link(
      new dashboard.DashboardLinkBuilder('Canopy')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

function query(expr: string, legend: string, i: number, instant = false) {
  const q = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(REF_IDS[i] ?? `Q${i}`)
    .expr(expr)
    .legendFormat(legend);
  return instant ? q.instant() : q.range();
}

function thresholds(lines: readonly { value: number }[]) {
  const steps: dashboard.Threshold[] = [{ value: null as unknown as number, color: 'green' }];
  for (const l of [...lines].sort((a, b) => a.value - b.value))
    steps.push({ value: l.value, color: 'red' });
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps);
}

/** A time series panel of a model panel; SLO thresholds drawn as dashed lines. */
function graph(p: SourcePanel, id: number): timeseries.PanelBuilder {
  let b = new timeseries.PanelBuilder()
    .id(id)
    .title(p.title)
    .description(p.help)
    .datasource(DATASOURCE)
    .unit(grafanaUnit(p.unit))
    .span(12)
    .height(8)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
  p.queries.forEach((q, i) => (b = b.withTarget(query(q.expr, q.legend, i))));
  if (p.thresholds.length > 0)
    b = b
      .thresholds(thresholds(p.thresholds))
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      );
  return b;
}

function single(
  title: string,
  expr: string,
  legend: string,
  unit: string,
  id: number,
  span: number,
) {
  return new stat.PanelBuilder()
    .id(id)
    .title(title)
    .datasource(DATASOURCE)
    .unit(grafanaUnit(unit))
    .span(span)
    .height(4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(query(expr, legend, 0));
}

function sloPanels(b: dashboard.DashboardBuilder, s: SourceSlo, next: () => number) {
  return b
    .withPanel(
      graph(
        {
          id: `slo-${s.name}`,
          title: `${s.name}: ${s.description}`,
          help: `${s.description} (target ${s.target * 100}% over ${s.window})`,
          unit: s.indicator.unit,
          queries: [{ expr: s.indicator.expr, legend: s.indicator.legend }],
          thresholds: [{ value: s.indicator.threshold, label: 'threshold' }],
        },
        next(),
      ).span(16),
    )
    .withPanel(
      single(`${s.name}: error budget left`, s.budget, 'budget left', 'ratio', next(), 8).height(8),
    );
}

/**
 * The dashboards of a page set: `overview`, one per model dashboard, `slos`.
 *
 * @example grafanaDashboards(buildDashboards()).map((d) => d.uid) // ['overview', 'relay', 'replay', 'storage', 'actors', 'host', 'slos']
 */
export function grafanaDashboards(src: DashboardSource): GrafanaDashboard[] {
  const out: GrafanaDashboard[] = [];
  const add = (b: dashboard.DashboardBuilder) => {
    const json = b.build();
    out.push({ uid: json.uid ?? '', file: `${json.uid ?? 'dashboard'}.json`, json });
  };

  let id = 0;
  const next = () => ++id;
  let overview = base(
    'overview',
    'Overview',
    'Is any service overwhelmed? Targets up and the headline numbers of every service.',
  );
  for (const c of src.cards) {
    overview = overview.withRow(new dashboard.RowBuilder(c.title).id(next()));
    overview = overview.withPanel(
      single('targets up', `sum(${c.up})`, 'up', 'number', next(), 6).description(
        `Targets of ${c.service} that answered their last scrape.`,
      ),
    );
    for (const h of c.headlines)
      overview = overview.withPanel(single(h.title, h.expr, h.title, h.unit, next(), 6));
  }
  add(overview);

  for (const d of src.dashboards) {
    id = 0;
    let b = base(d.id, d.title, d.description);
    for (const s of d.sections) {
      b = b.withRow(new dashboard.RowBuilder(s.title).id(next()));
      for (const p of s.panels) b = b.withPanel(graph(p, next()));
    }
    add(b);
  }

  id = 0;
  let slos = base(
    'slos',
    'SLOs',
    'Every SLO: its indicator against its threshold, and its error budget left.',
  );
  for (const s of src.slos) {
    slos = slos.withRow(new dashboard.RowBuilder(`${s.service}: ${s.name}`).id(next()));
    slos = sloPanels(slos, s, next);
  }
  add(slos);
  return out;
}
