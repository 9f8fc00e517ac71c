import type { CounterSpec, GaugeSpec, HistogramSpec, MetricSpec } from './spec.js';
import { validateSpec, MetricDefinitionError } from './validate.js';
import { Counter } from './counter.js';
import { NOOP_HANDLE } from './noop.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';

/** Any metric a registry holds. */
export type AnyMetric = Counter | Gauge | Histogram;

/** Options of {@link Registry}. */
export interface RegistryOptions {
  /**
   * Emit the `canopy_telemetry_*` self-metrics (scrape duration, scrapes, series per metric,
   * overflowed label values). Default true.
   */
  readonly selfMetrics?: boolean;
  /**
   * With `false`, every metric resolves to one shared no-op handle, chosen once at
   * registration: the hot path costs a call to an empty function and nothing is exposed.
   * Definitions are still validated. Default true.
   */
  readonly enabled?: boolean;
}

/** Options when registering a metric. */
export interface RegisterOptions<M> {
  /** Called right before each render; use it to read values that live elsewhere. */
  readonly collect?: (metric: M) => void;
}

/**
 * Holds metric families and knows the maximum series they can produce.
 *
 * @example
 * const registry = new Registry();
 * const peers = registry.gauge({ type: 'gauge', name: 'relay_peers_connected', help: 'Peers.' });
 * peers.labels().set(3);
 * registry.render('text');
 */
export class Registry {
  /** Whether self-metrics are rendered. */
  readonly selfMetrics: boolean;
  /** Whether metrics record anything (see {@link RegistryOptions.enabled}). */
  readonly enabled: boolean;
  /** When this registry was created, seconds since the epoch (for self-metric `_created`). */
  readonly createdAt = Date.now() / 1000;
  private readonly list: AnyMetric[] = [];
  private readonly byName = new Map<string, AnyMetric>();
  private readonly collectors: Array<() => void> = [];
  /** @internal Render statistics, read by the self-metrics. */
  readonly stats = { scrapes: 0, lastDurationSeconds: 0 };

  constructor(options: RegistryOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.selfMetrics = this.enabled && (options.selfMetrics ?? true);
  }

  /** Registers a counter. Throws {@link MetricDefinitionError} if the spec breaks a rule. */
  counter<S extends CounterSpec>(spec: S, options: RegisterOptions<Counter<S>> = {}): Counter<S> {
    validateSpec(spec);
    return this.add(new Counter(spec), options.collect);
  }

  /** Registers a gauge. Throws {@link MetricDefinitionError} if the spec breaks a rule. */
  gauge<S extends GaugeSpec>(spec: S, options: RegisterOptions<Gauge<S>> = {}): Gauge<S> {
    validateSpec(spec);
    return this.add(new Gauge(spec), options.collect);
  }

  /** Registers a histogram. Throws {@link MetricDefinitionError} if the spec breaks a rule. */
  histogram<S extends HistogramSpec>(
    spec: S,
    options: RegisterOptions<Histogram<S>> = {},
  ): Histogram<S> {
    validateSpec(spec);
    return this.add(new Histogram(spec), options.collect);
  }

  /** Registers any spec, choosing the family by `spec.type`. */
  register(spec: MetricSpec): AnyMetric {
    switch (spec.type) {
      case 'counter':
        return this.counter(spec);
      case 'gauge':
        return this.gauge(spec);
      case 'histogram':
        return this.histogram(spec);
    }
  }

  /** The metric registered under `name`, if any. */
  get(name: string): AnyMetric | undefined {
    return this.byName.get(name);
  }

  /** Metrics in registration order. */
  get metrics(): readonly AnyMetric[] {
    return this.list;
  }

  /** Series the self-metrics can produce for the metrics registered now. */
  selfMaxSeries(): number {
    if (!this.selfMetrics) return 0;
    let labels = 0;
    for (const m of this.list) labels += m.resolvers.length;
    // scrape duration gauge + scrapes counter (2) + series gauge per metric + overflow counter (2) per label
    return 1 + 2 + this.list.length + 2 * labels;
  }

  /** The most series this registry can ever expose, self-metrics included. */
  maxSeries(): number {
    let n = this.selfMaxSeries();
    for (const m of this.list) n += m.maxSeries;
    return n;
  }

  /** Series created so far, over all metrics (self-metrics excluded). */
  activeSeries(): number {
    let n = 0;
    for (const m of this.list) n += m.activeSeries;
    return n;
  }

  /** @internal Runs collect callbacks before a render. */
  runCollectors(): void {
    for (let i = 0; i < this.collectors.length; i++) {
      try {
        this.collectors[i]!();
      } catch {
        // A failing collector must not fail the scrape; its metric keeps its last value.
      }
    }
  }

  private add<M extends { readonly name: string; readonly resolvers: readonly unknown[] }>(
    m: M,
    collect: ((m: M) => void) | undefined,
  ): M {
    if (this.byName.has(m.name))
      throw new MetricDefinitionError(
        m.name,
        'duplicate',
        'a metric with this name is already registered',
      );
    // OpenMetrics names a counter's family without `_total`: `x_total` and `x` would be two
    // families called `x` (and a histogram `x` would share `x_created` with the counter).
    const family = m.name.replace(/_total$/, '');
    for (const o of this.list)
      if (o.name.replace(/_total$/, '') === family)
        throw new MetricDefinitionError(
          m.name,
          'duplicate',
          `its OpenMetrics family name "${family}" is already used by "${o.name}"`,
        );
    if (m.name.startsWith('canopy_telemetry_'))
      throw new MetricDefinitionError(
        m.name,
        'name',
        'the canopy_telemetry_ prefix is reserved for self-metrics',
      );
    this.byName.set(m.name, m as unknown as AnyMetric);
    if (!this.enabled) {
      (m as unknown as { labels: () => unknown }).labels = () => NOOP_HANDLE;
      return m;
    }
    this.list.push(m as unknown as AnyMetric);
    if (collect !== undefined) this.collectors.push(() => collect(m));
    // An unlabelled metric exists from the start, at zero, as Prometheus clients do.
    if (m.resolvers.length === 0) (m as unknown as { labels: () => unknown }).labels();
    return m;
  }

  /**
   * Renders every metric in one pass. For large registries prefer
   * {@link renderChunks}, which yields to the event loop between families.
   */
  render(format: ExpositionFormat = 'text'): string {
    let s = '';
    for (const chunk of renderParts(this, format)) s += chunk;
    return s;
  }
}

/** The two exposition formats. */
export type ExpositionFormat = 'text' | 'openmetrics';

import { renderParts } from './exposition.js';
