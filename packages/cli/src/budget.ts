import { Registry, maxSeries } from '@canopy/telemetry';
import {
  SERVICES,
  serviceMetrics,
  host,
  CPU_MODES,
  type ServiceName,
  type HostMetric,
} from '@canopy/catalog';
import type { CanopyConfig } from './config.js';

/** Series a scraper adds per target: up, scrape_duration_seconds, samples scraped/post-relabel, series added. */
export const SCRAPE_SERIES_PER_TARGET = 5;

/** One line of a budget report. */
export interface BudgetLine {
  readonly metric: string;
  readonly maxSeries: number;
}

/** Maximum series of one instance of a service or host. */
export interface UnitBudget {
  readonly unit: ServiceName | 'host';
  readonly instances: number;
  readonly lines: readonly BudgetLine[];
  /** Sum of lines for one instance. */
  readonly perInstance: number;
  /** perInstance × instances. */
  readonly total: number;
}

/** The budget of a whole deployment. */
export interface BudgetReport {
  readonly units: readonly UnitBudget[];
  readonly total: number;
  readonly budget: number;
  readonly ok: boolean;
}

function hostSeries(m: HostMetric, cores: number, filesystems: number): number {
  switch (m.per) {
    case 'host':
      return 1;
    case 'cpu_mode':
      return cores * CPU_MODES.length;
    case 'filesystem':
      return filesystems;
  }
}

/** Maximum series of one instance of a service, self-metrics and scrape series included. */
export function serviceBudget(service: ServiceName, instances = 1): UnitBudget {
  const reg = new Registry();
  const lines: BudgetLine[] = [];
  for (const spec of serviceMetrics(service)) {
    reg.register(spec);
    lines.push({ metric: spec.name, maxSeries: maxSeries(spec) });
  }
  lines.push({ metric: 'canopy_telemetry_* (self-metrics)', maxSeries: reg.selfMaxSeries() });
  lines.push({
    metric: 'up, scrape_* (added by the scraper)',
    maxSeries: SCRAPE_SERIES_PER_TARGET,
  });
  const perInstance = lines.reduce((a, l) => a + l.maxSeries, 0);
  return { unit: service, instances, lines, perInstance, total: perInstance * instances };
}

/** Maximum series of one host (node_exporter names the SLOs use). */
export function hostBudget(cores: number, filesystems: number, instances = 1): UnitBudget {
  const lines: BudgetLine[] = host.map((m) => ({
    metric: m.name,
    maxSeries: hostSeries(m, cores, filesystems),
  }));
  lines.push({
    metric: 'up, scrape_* (added by the scraper)',
    maxSeries: SCRAPE_SERIES_PER_TARGET,
  });
  const perInstance = lines.reduce((a, l) => a + l.maxSeries, 0);
  return { unit: 'host', instances, lines, perInstance, total: perInstance * instances };
}

/**
 * The maximum active series of the deployment a config describes, against its budget.
 *
 * @example budgetReport(defaultConfig()).ok // true
 */
export function budgetReport(config: CanopyConfig): BudgetReport {
  const d = config.deployment;
  const units: UnitBudget[] = SERVICES.map((s) => serviceBudget(s, d[s]));
  units.push(hostBudget(d.host.cores, d.host.filesystems, d.hosts));
  const total = units.reduce((a, u) => a + u.total, 0);
  return { units, total, budget: config.budget.series, ok: total <= config.budget.series };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Renders a report as the text `canopy check budget` prints. */
export function formatBudgetReport(r: BudgetReport, verbose = true): string {
  let s = '';
  for (const u of r.units) {
    s += `${u.unit} × ${u.instances}: ${fmt(u.perInstance)} series per instance, ${fmt(u.total)} in all\n`;
    if (verbose) {
      const w = Math.max(...u.lines.map((l) => l.metric.length));
      for (const l of u.lines) s += `  ${l.metric.padEnd(w)}  ${String(l.maxSeries).padStart(6)}\n`;
    }
  }
  s += `total: ${fmt(r.total)} maximum series of a budget of ${fmt(r.budget)} (${((100 * r.total) / r.budget).toFixed(1)}%)\n`;
  return s;
}
