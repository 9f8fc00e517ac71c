/**
 * The page set, generated: one card and one dashboard per service, a section per catalog
 * group, a panel per metric (see panels.ts), an indicator per SLO (see slos.ts), and the
 * budget page's rows from the catalog's label sets.
 */
import {
  SERVICES,
  groups,
  serviceGroups,
  host,
  CPU_MODES,
  DEFAULT_SLOS,
  type Slo,
  type HostMetric,
} from '@canopy/catalog';
import { maxSeries } from '@canopy/telemetry';
import { hostShape, metricPanels, shapeOf, type MetricShape, type PanelScope } from './panels.js';
import { sloPanel, sloView, thresholdOf, thresholdTarget } from './slos.js';
import { HEADLINES, headline } from './headlines.js';
import type {
  BudgetMetric,
  Dashboard,
  DashboardsModel,
  Panel,
  Section,
  ServiceCard,
} from './types.js';

/** What the deployment looks like, for the budget page (canopy.yaml's `deployment:`). */
export interface DeploymentShape {
  readonly relay: number;
  readonly replay: number;
  readonly storage: number;
  readonly hosts: number;
  /** CPU cores per host (default 2). */
  readonly cores: number;
  /** Filesystems per host (default 1). */
  readonly filesystems: number;
}

/** Options of {@link buildDashboards}. */
export interface DashboardsOptions {
  /** The SLO spec. Default: the catalog's built-in ten. */
  readonly slos?: readonly Slo[];
  /** Scrape interval in seconds (default 15: the hub's). */
  readonly scrapeIntervalSeconds?: number;
  /** The deployment budget in active series (default 10,000). */
  readonly budgetSeries?: number;
  /** Declared deployment (default one of each, 2 cores, 1 filesystem). */
  readonly deployment?: DeploymentShape;
  /**
   * The deployment's maximum series, self-metrics and scrape series included; give
   * `canopy check budget`'s total. Default: the sum of the catalog rows.
   */
  readonly deploymentMax?: number;
}

const DEFAULT_DEPLOYMENT: DeploymentShape = {
  relay: 1,
  replay: 1,
  storage: 1,
  hosts: 1,
  cores: 2,
  filesystems: 1,
};

const TITLES: Readonly<Record<string, string>> = {
  relay: 'Relay',
  replay: 'Replay',
  storage: 'Storage',
  actors: 'Actors',
  process: 'Process',
  host: 'Host',
};

const title = (id: string): string => TITLES[id] ?? id.charAt(0).toUpperCase() + id.slice(1);

function hostSeries(m: HostMetric, d: DeploymentShape): number {
  if (m.per === 'cpu_mode') return d.cores * CPU_MODES.length;
  if (m.per === 'filesystem') return d.filesystems;
  return 1;
}

/** Adds each SLO's threshold line to the metric panels it reads from. */
function withThresholds(panels: Panel[], slos: readonly Slo[], service?: string): Panel[] {
  return panels.map((p) => {
    const lines = slos.flatMap((s) => {
      const t = thresholdTarget(s);
      if (t === undefined || t.metric !== p.metric || t.kind !== p.kind) return [];
      if (service !== undefined && s.service !== service) return [];
      return [thresholdOf(s, t.value)];
    });
    return lines.length === 0 ? p : { ...p, thresholds: [...p.thresholds, ...lines] };
  });
}

function sectionOf(
  name: string,
  shapes: readonly MetricShape[],
  scope: PanelScope,
  slos: readonly Slo[],
  prefix: string,
): Section {
  const panels = shapes.flatMap((m) => metricPanels(m, scope, prefix));
  return { title: title(name), panels: withThresholds(panels, slos, scope.service) };
}

function objectives(service: string, slos: readonly Slo[]): Section[] {
  const own = slos.filter((s) => s.service === service);
  return own.length === 0
    ? []
    : [{ title: 'Service level objectives', panels: own.map((s) => sloPanel(sloView(s))) }];
}

/**
 * Builds the page set from the catalog and an SLO spec.
 *
 * @example buildDashboards().dashboards.map((d) => d.id) // ['relay', 'replay', 'storage', 'actors', 'host']
 * @example buildDashboards({ slos: mySlos, budgetSeries: 20_000 }).cards.length
 */
export function buildDashboards(o: DashboardsOptions = {}): DashboardsModel {
  const slos = o.slos ?? DEFAULT_SLOS;
  const scrape = o.scrapeIntervalSeconds ?? 15;
  const dep = o.deployment ?? DEFAULT_DEPLOYMENT;
  const dashboards: Dashboard[] = [];
  const shapes = new Map<string, MetricShape>();
  for (const g of Object.values(groups)) for (const spec of g) shapes.set(spec.name, shapeOf(spec));
  for (const m of host) shapes.set(m.name, hostShape(m));

  for (const service of SERVICES) {
    const sections = [...objectives(service, slos)];
    for (const g of serviceGroups[service]) {
      if (g === 'actors') continue; // one dashboard for every service's actors
      const own = groups[g].map(shapeOf);
      sections.push(sectionOf(g, own, { service, by: ['instance'] }, slos, service));
    }
    dashboards.push({
      id: service,
      title: title(service),
      description: `Every signal of the ${service} service, per instance.`,
      sections,
    });
  }
  dashboards.push({
    id: 'actors',
    title: 'Actors',
    description: 'Mailboxes, lag, panics and restarts per actor type, in every service.',
    sections: [
      sectionOf('actors', groups.actors.map(shapeOf), { by: ['service'] }, slos, 'actors'),
    ],
  });
  dashboards.push({
    id: 'host',
    title: 'Host',
    description: 'CPU, load, memory, swap and disk of each host (node_exporter names).',
    sections: [
      ...objectives('host', slos),
      sectionOf('host', host.map(hostShape), { service: 'host', by: ['instance'] }, slos, 'host'),
    ],
  });
  // SLOs of services the catalog does not know still get a dashboard: alerts link to it.
  const known = new Set(dashboards.map((d) => d.id));
  for (const s of slos)
    if (!known.has(s.service)) {
      known.add(s.service);
      dashboards.push({
        id: s.service,
        title: title(s.service),
        description: `The SLOs of ${s.service}.`,
        sections: objectives(s.service, slos),
      });
    }

  const cards: ServiceCard[] = dashboards
    .filter((d) => d.id !== 'actors')
    .map((d) => ({
      service: d.id,
      title: d.title,
      up: `up{service="${d.id}"}`,
      headlines: (HEADLINES[d.id] ?? []).flatMap((h) => {
        const m = shapes.get(h.metric);
        return m === undefined ? [] : [headline(m, h, d.id, scrape)];
      }),
      slos: slos.filter((s) => s.service === d.id).map((s) => s.name),
    }));

  const metrics: BudgetMetric[] = [];
  for (const service of SERVICES)
    for (const g of serviceGroups[service])
      for (const spec of groups[g])
        metrics.push({
          metric: spec.name,
          service,
          type: spec.type,
          maxPerInstance: maxSeries(spec),
          instances: dep[service],
        });
  for (const m of host)
    metrics.push({
      metric: m.name,
      service: 'host',
      type: m.type,
      maxPerInstance: hostSeries(m, dep),
      instances: dep.hosts,
    });
  const catalogMax = metrics.reduce((a, m) => a + m.maxPerInstance * m.instances, 0);

  return {
    scrapeIntervalSeconds: scrape,
    cards,
    slos: slos.map(sloView),
    dashboards,
    budget: {
      series: o.budgetSeries ?? 10_000,
      deploymentMax: o.deploymentMax ?? catalogMax,
      metrics,
      activeQuery: 'count by (__name__, service) ({__name__=~".+"})',
      overflowQuery:
        'sum by (service, metric, label) (increase(canopy_telemetry_label_overflow_total[$__range]))',
    },
  };
}
