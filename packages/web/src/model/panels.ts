/**
 * Catalog metric → graphs: a counter is drawn as its per-second rate, a gauge as is, a
 * histogram as p50/p95/p99 and its rate of observations. Decided by the metric's type,
 * labels and unit, never per metric.
 */
import type { MetricSpec } from '@canopy/telemetry';
import type { HostMetric } from '@canopy/catalog';
import type { Panel, PanelQuery, ValueUnit } from './types.js';

/** The form of a metric the panel generator needs: a catalog spec or a host metric. */
export interface MetricShape {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly unit?: string;
  /** Label names, in the catalog's order. */
  readonly labels: readonly string[];
}

/**
 * The shape of a catalog metric spec.
 *
 * @example shapeOf(relay.bytes).labels // ['direction']
 */
export function shapeOf(spec: MetricSpec): MetricShape {
  return {
    name: spec.name,
    help: spec.help,
    type: spec.type,
    ...(spec.unit !== undefined ? { unit: spec.unit } : {}),
    labels: Object.keys(spec.labels ?? {}),
  };
}

/**
 * The shape of a host metric; per-CPU series are summed over CPUs (mode is kept).
 *
 * @example hostShape(host[3]!).labels // ['mode']
 */
export function hostShape(m: HostMetric): MetricShape {
  const unit = m.name.endsWith('_bytes')
    ? 'bytes'
    : m.name.endsWith('_seconds_total')
      ? 'seconds'
      : undefined;
  return {
    name: m.name,
    help: m.help,
    type: m.type,
    ...(unit !== undefined ? { unit } : {}),
    labels: m.labels.filter((l) => l !== 'cpu'),
  };
}

/** Where a panel's series come from: the `service` matcher and whether to split by it. */
export interface PanelScope {
  /** Value of the `service` matcher; undefined = every service. */
  readonly service?: string;
  /** Label names to split by besides the metric's own (`instance`, or `service`). */
  readonly by: readonly string[];
}

const selector = (name: string, scope: PanelScope): string =>
  scope.service === undefined ? name : `${name}{service="${scope.service}"}`;

const legendOf = (labels: readonly string[], fallback: string): string =>
  labels.length === 0 ? fallback : labels.map((l) => `{{${l}}}`).join(' ');

function rateUnit(unit: string | undefined): ValueUnit {
  if (unit === 'bytes') return 'bytes_per_second';
  if (unit === 'seconds') return 'cores';
  return 'per_second';
}

function gaugeUnit(unit: string | undefined, name = ''): ValueUnit {
  // A Unix time (process_start_time_seconds) is a date, not a duration.
  if (/_time(stamp)?_seconds$/.test(name)) return 'timestamp';
  if (unit === 'bytes') return 'bytes';
  if (unit === 'seconds') return 'seconds';
  if (unit === 'ratio') return 'ratio';
  return 'number';
}

/** Quantiles a histogram is drawn at. */
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * The panels of one metric: one for a counter or gauge, two for a histogram (quantiles,
 * then the rate of observations). Panel ids are `<prefix>-<metric>`.
 *
 * @example metricPanels(shapeOf(relay.bytes), { service: 'relay', by: ['instance'] }, 'relay')[0]?.queries[0]?.expr
 * // 'sum by (instance, direction) (rate(relay_bytes_total{service="relay"}[$__rate_interval]))'
 */
export function metricPanels(m: MetricShape, scope: PanelScope, prefix: string): Panel[] {
  const by = [...scope.by, ...m.labels];
  const id = `${prefix}-${m.name}`;
  const base = { help: m.help, metric: m.name, thresholds: [] };
  if (m.type === 'counter') {
    const q: PanelQuery = {
      expr: `sum by (${by.join(', ')}) (rate(${selector(m.name, scope)}[$__rate_interval]))`,
      legend: legendOf(by, m.name),
    };
    return [
      {
        ...base,
        id,
        title: `${m.name} per second`,
        kind: 'counter',
        unit: rateUnit(m.unit),
        queries: [q],
      },
    ];
  }
  if (m.type === 'gauge') {
    const q: PanelQuery = {
      expr: `max by (${by.join(', ')}) (${selector(m.name, scope)})`,
      legend: legendOf(by, m.name),
    };
    return [
      { ...base, id, title: m.name, kind: 'gauge', unit: gaugeUnit(m.unit, m.name), queries: [q] },
    ];
  }
  const bucket = selector(`${m.name}_bucket`, scope);
  const quantiles: PanelQuery[] = QUANTILES.map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${bucket}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)}`,
  }));
  const rateBy = [...scope.by];
  return [
    {
      ...base,
      id,
      title: `${m.name} p50 / p95 / p99`,
      kind: 'histogram',
      unit: gaugeUnit(m.unit),
      queries: quantiles,
    },
    {
      ...base,
      id: `${id}-rate`,
      title: `${m.name} observations per second`,
      kind: 'counter',
      unit: 'per_second',
      queries: [
        {
          expr: `sum by (${rateBy.join(', ')}) (rate(${selector(`${m.name}_count`, scope)}[$__rate_interval]))`,
          legend: legendOf(rateBy, m.name),
        },
      ],
    },
  ];
}
