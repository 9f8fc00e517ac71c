/**
 * The SLO spec: what "healthy" means for each service, as data. One list drives the rule
 * file (hub, vmalert, Prometheus), its promtool tests and the reachability check. The
 * seed's ten SLOs are {@link DEFAULT_SLOS}; `slos:` in canopy.yaml replaces them.
 */

/** A Prometheus duration with one unit or several (`30s`, `5m`, `1h30m`, `30d`). */
export type Duration = string;

/** Who an alert wakes: `page` a person now, `ticket` someone during working hours. */
export type Severity = 'page' | 'ticket';

/** The compliance window every SLO is measured over unless it says otherwise. */
export const DEFAULT_SLO_WINDOW: Duration = '30d';

/**
 * One multi-window burn-rate alert. It fires when the error ratio over both windows is above
 * its threshold: `burnRate × (1 − target)` for a burn-rate tier (the SRE workbook's form, the
 * same share of the budget at every target) or `errorRatio` for a tier that must catch a full
 * outage quickly whatever the target.
 */
export type BurnRateTier = {
  /** Tier name, part of the alert name and the `tier` label (e.g. `fast`, `1h`). */
  readonly name: string;
  readonly severity: Severity;
  /** The long window: how much history must show the burn. */
  readonly long: Duration;
  /** The short window: that the burn is still going on (resets the alert quickly). */
  readonly short: Duration;
} & (
  | { readonly burnRate: number; readonly errorRatio?: undefined }
  | { readonly errorRatio: number; readonly burnRate?: undefined }
);

/**
 * The default alerting tiers for ratio and latency SLOs: the SRE workbook's four
 * (short window = 1/12 of the long one) plus `fast`, which pages a full outage within two
 * minutes at any target. Why `fast` is an error ratio of 20% over 3m and 1m:
 *
 * - A 100% outage drives the error ratio over a window W up as x/W, x the time since it
 *   began; a tier fires once both windows pass its threshold ρ, i.e. after ρ × W_long.
 *   The workbook's page tier (14.4× over 1h) has ρ = 14.4 × (1 − target): 8.6 min at 99%,
 *   43 min at 95%. No burn-rate multiple on a 1h window can page a 99% SLO in two minutes.
 * - Over 3m, ρ = 0.2 fires after 36 s at any target. The pipeline adds at most one scrape
 *   interval for the failing sample to land, one more when the failure counter only appears
 *   with the outage (rate() needs two samples of it), and one evaluation interval each for
 *   the recording and the alerting group: 36 + 15 + 15 + 15 + 15 = 96 s ≤ 2 min with the
 *   default 15 s scrape and the rule file's 15 s groups.
 * - Why 3m and not 5m: a fault that slows the failing events also lowers their rate (a slow
 *   disk caps storage at a few write batches per second), so the window's older good events
 *   outweigh the bad ones for longer. Measured end to end with storage at ~12 batches/s
 *   before the fault, 5m paged `slow-disk` after 135 s; the bad share over W after x s is
 *   about b·x / (g·(W − x) + b·x), which 3m takes past 20% in about half that time.
 * - 20%, not 15%: two failed scrapes (a 30 s blip) are 2/12 = 17% of 3m, and a blip must
 *   not page (the generated promtool tests check it).
 * - The short window is 1m, not 5m/12 = 25 s: a range shorter than two scrape intervals
 *   can hold fewer than two samples, and rate() then returns nothing (the alert would never
 *   fire, or flap). 1m holds four samples at 15 s.
 * - 20% is 20× the budget rate at 99% (above the 1h tier's 14.4×) and 200× at 99.9%, so it
 *   only adds pages for outages the slower tiers would page for minutes later; at 95% it is
 *   4×, which is what paging a 95% SLO within two minutes costs.
 *
 * @example DEFAULT_BURN_RATE_TIERS.map((t) => t.name) // ['fast', '1h', '6h', '1d', '3d']
 */
export const DEFAULT_BURN_RATE_TIERS: readonly BurnRateTier[] = [
  { name: 'fast', severity: 'page', long: '3m', short: '1m', errorRatio: 0.2 },
  { name: '1h', severity: 'page', long: '1h', short: '5m', burnRate: 14.4 },
  { name: '6h', severity: 'page', long: '6h', short: '30m', burnRate: 6 },
  { name: '1d', severity: 'ticket', long: '1d', short: '2h', burnRate: 3 },
  { name: '3d', severity: 'ticket', long: '3d', short: '6h', burnRate: 1 },
];

/** Fields every SLO has. */
export interface SloBase {
  /** Unique, kebab-case; the `slo` label (e.g. `relay-ws-connect-errors`). */
  readonly name: string;
  /** The `service` target label the SLO is about (`relay`, `replay`, `storage`, `host`, …). */
  readonly service: string;
  /** The objective in words, for people (e.g. `WebSocket connect error rate < 1%`). */
  readonly description: string;
  /** Objective: the share of good events (or good time slices) in the window, in (0, 1). */
  readonly target: number;
  /** Compliance window (default {@link DEFAULT_SLO_WINDOW}). */
  readonly window?: Duration;
}

/**
 * Good events over all events. `good` and `total` are each a counter selector such as
 * `relay_ws_upgrades_total{result="success"}` (rated and summed; `service="<service>"` is
 * added unless the selector names `service`), or an expression with `$window` where the
 * range goes (e.g. `sum(rate(a_total[$window])) + sum(rate(b_total[$window]))`).
 */
export interface RatioSlo extends SloBase {
  readonly kind: 'ratio';
  readonly good: string;
  readonly total: string;
  /** Alerting tiers (default {@link DEFAULT_BURN_RATE_TIERS}). */
  readonly tiers?: readonly BurnRateTier[];
}

/**
 * Requests faster than a threshold over all requests, from a histogram. `target: 0.95` with
 * `threshold: 2` reads "p95 < 2 s". The threshold must be one of the histogram's bucket
 * bounds: between bounds the share is not known, only interpolated.
 */
export interface LatencySlo extends SloBase {
  readonly kind: 'latency';
  /** Histogram base name (without `_bucket`), e.g. `relay_dial_duration_seconds`. */
  readonly metric: string;
  /** Threshold in the histogram's unit; a bucket bound. */
  readonly threshold: number;
  readonly tiers?: readonly BurnRateTier[];
}

/** Which side of the threshold is good: `expr < threshold` and so on. */
export type Comparator = '<' | '<=' | '>' | '>=';

/** How a gauge SLO's value reads in an alert. */
export type GaugeUnit = 'seconds' | 'ratio' | 'number';

/** One input series of a gauge SLO's example. */
export interface GaugeExampleSeries {
  /** promtool series notation, e.g. `node_load1{service="host",instance="host-1"}`. */
  readonly series: string;
  /** Value while the SLO is met; for a counter, its rate per second. */
  readonly good: number;
  /** Value while the SLO is violated; for a counter, its rate per second. */
  readonly bad: number;
  /** The series is a counter: it grows by its rate every scrape. */
  readonly counter?: boolean;
}

/**
 * Inputs that put a gauge SLO on each side of its threshold, so its promtool tests can be
 * generated (an expression cannot be inverted in general). Without one, the SLO gets rules
 * but no tests.
 */
export interface GaugeExample {
  readonly series: readonly GaugeExampleSeries[];
  /** The expression's value in each state. */
  readonly value: { readonly good: number; readonly bad: number };
  /** Labels of the expression's result, without `__name__` (they end up on the alert). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The range of the rate() the expression takes over the counters, when it does: its value
   * then moves from good to bad over that long instead of at once.
   */
  readonly range?: Duration;
  /** Inputs for which the expression must return nothing (e.g. a host without swap). */
  readonly silent?: readonly { readonly series: string; readonly value: number }[];
}

/**
 * A time-slice SLO over a gauge or an expression: good while `expr <comparator> threshold`.
 * It alerts once the condition has been violated for `sustained` (a threshold alert with
 * `for:`); the budget left is the share of bad time slices over the window.
 */
export interface GaugeSlo extends SloBase {
  readonly kind: 'gauge';
  readonly expr: string;
  readonly comparator: Comparator;
  readonly threshold: number;
  /** How long the violation must last before the alert fires (`for:`). */
  readonly sustained: Duration;
  readonly severity: Severity;
  /** How the value reads in the alert (default `number`). */
  readonly unit?: GaugeUnit;
  readonly example?: GaugeExample;
}

/** Any SLO of the spec. */
export type Slo = RatioSlo | LatencySlo | GaugeSlo;

/** The kinds of SLO. */
export const SLO_KINDS = ['ratio', 'latency', 'gauge'] as const;

/**
 * The seed's ten SLOs, the built-in default spec.
 *
 * @example DEFAULT_SLOS.find((s) => s.name === 'storage-write-latency')?.target // 0.99
 */
export const DEFAULT_SLOS: readonly Slo[] = [
  {
    name: 'relay-dial-latency',
    service: 'relay',
    description: 'peer dial p95 < 2 s',
    kind: 'latency',
    metric: 'relay_dial_duration_seconds',
    threshold: 2,
    target: 0.95,
  },
  {
    name: 'relay-ws-connect-errors',
    service: 'relay',
    description: 'WebSocket connect error rate < 1%',
    kind: 'ratio',
    good: 'relay_ws_upgrades_total{result="success"}',
    total: 'relay_ws_upgrades_total',
    target: 0.99,
  },
  {
    name: 'relay-cpu',
    service: 'relay',
    description: 'CPU < 70% of a core, sustained',
    kind: 'gauge',
    expr: 'rate(process_cpu_seconds_total{service="relay"}[5m])',
    comparator: '<',
    threshold: 0.7,
    sustained: '10m',
    severity: 'ticket',
    unit: 'ratio',
    target: 0.99,
    example: {
      series: [
        {
          series: 'process_cpu_seconds_total{service="relay",instance="relay-1"}',
          good: 0.3,
          // 0.95, not 0.9: the 5m average crosses 0.7 at 8/13 of the window, never exactly
          // on a step, whatever the scrape interval (2/3 hit it at 1, 2, 4, 5 and 10 s).
          bad: 0.95,
          counter: true,
        },
      ],
      value: { good: 0.3, bad: 0.95 },
      labels: { service: 'relay', instance: 'relay-1' },
      range: '5m',
    },
  },
  {
    name: 'replay-sync-lag',
    service: 'replay',
    description: 'sync lag (head event age) < 10 s',
    kind: 'gauge',
    expr: 'replay_head_event_age_seconds{service="replay"}',
    comparator: '<',
    threshold: 10,
    // A stalled replay is a full outage of sync: 10 s to reach the threshold + 1 m + one
    // scrape and one evaluation pages in ~1 min 40 s, inside the 2-minute outage target.
    sustained: '1m',
    severity: 'page',
    unit: 'seconds',
    target: 0.99,
    example: {
      series: [
        {
          series: 'replay_head_event_age_seconds{service="replay",instance="replay-1"}',
          good: 2,
          bad: 30,
        },
      ],
      value: { good: 2, bad: 30 },
      labels: { service: 'replay', instance: 'replay-1' },
    },
  },
  {
    name: 'replay-mailbox-depth',
    service: 'replay',
    description: 'actor mailbox depth < 1000',
    kind: 'gauge',
    expr: 'actor_mailbox_depth{service="replay"}',
    comparator: '<',
    threshold: 1000,
    sustained: '5m',
    severity: 'page',
    target: 0.99,
    example: {
      series: [
        {
          series:
            'actor_mailbox_depth{service="replay",instance="replay-1",actor="replay_applier"}',
          good: 10,
          bad: 5000,
        },
      ],
      value: { good: 10, bad: 5000 },
      labels: {
        service: 'replay',
        instance: 'replay-1',
        actor: 'replay_applier',
      },
    },
  },
  {
    name: 'storage-write-latency',
    service: 'storage',
    description: 'SQLite write p99 < 100 ms',
    kind: 'latency',
    metric: 'storage_write_duration_seconds',
    threshold: 0.1,
    target: 0.99,
  },
  {
    name: 'storage-disk-free',
    service: 'storage',
    description: 'disk free > 20%',
    kind: 'gauge',
    expr: 'storage_disk_free_bytes{service="storage"} / storage_disk_size_bytes{service="storage"}',
    comparator: '>',
    threshold: 0.2,
    sustained: '10m',
    severity: 'ticket',
    unit: 'ratio',
    target: 0.99,
    example: {
      series: [
        {
          series: 'storage_disk_free_bytes{service="storage",instance="storage-1"}',
          good: 50e9,
          bad: 10e9,
        },
        {
          series: 'storage_disk_size_bytes{service="storage",instance="storage-1"}',
          good: 100e9,
          bad: 100e9,
        },
      ],
      value: { good: 0.5, bad: 0.1 },
      labels: { service: 'storage', instance: 'storage-1' },
    },
  },
  {
    name: 'host-load',
    service: 'host',
    description: 'load1 < cores × 1.5',
    kind: 'gauge',
    expr:
      'node_load1{service="host"} / count without (cpu, mode) ' +
      '(node_cpu_seconds_total{service="host",mode="idle"})',
    comparator: '<',
    threshold: 1.5,
    sustained: '15m',
    severity: 'ticket',
    target: 0.99,
    example: {
      series: [
        { series: 'node_load1{service="host",instance="host-1"}', good: 1, bad: 4 },
        {
          series: 'node_cpu_seconds_total{service="host",instance="host-1",cpu="0",mode="idle"}',
          good: 0.5,
          bad: 0.5,
          counter: true,
        },
        {
          series: 'node_cpu_seconds_total{service="host",instance="host-1",cpu="1",mode="idle"}',
          good: 0.5,
          bad: 0.5,
          counter: true,
        },
      ],
      value: { good: 0.5, bad: 2 },
      labels: { service: 'host', instance: 'host-1' },
    },
  },
  {
    name: 'host-memory-free',
    service: 'host',
    description: 'memory available > 15%',
    kind: 'gauge',
    expr:
      'node_memory_MemAvailable_bytes{service="host"} / ' +
      'node_memory_MemTotal_bytes{service="host"}',
    comparator: '>',
    threshold: 0.15,
    sustained: '5m',
    severity: 'page',
    unit: 'ratio',
    target: 0.99,
    example: {
      series: [
        {
          series: 'node_memory_MemAvailable_bytes{service="host",instance="host-1"}',
          good: 8e9,
          bad: 1e9,
        },
        {
          series: 'node_memory_MemTotal_bytes{service="host",instance="host-1"}',
          good: 16e9,
          bad: 16e9,
        },
      ],
      value: { good: 0.5, bad: 0.0625 },
      labels: { service: 'host', instance: 'host-1' },
    },
  },
  {
    name: 'host-swap-used',
    service: 'host',
    description: 'swap used < 50%',
    kind: 'gauge',
    // A host without swap has SwapTotal 0: 0/0 is NaN, so the `and` drops it explicitly.
    expr:
      '(1 - node_memory_SwapFree_bytes{service="host"} / node_memory_SwapTotal_bytes{service="host"}) ' +
      'and (node_memory_SwapTotal_bytes{service="host"} > 0)',
    comparator: '<',
    threshold: 0.5,
    sustained: '15m',
    severity: 'ticket',
    unit: 'ratio',
    target: 0.99,
    example: {
      series: [
        {
          series: 'node_memory_SwapFree_bytes{service="host",instance="host-1"}',
          good: 3e9,
          bad: 0.5e9,
        },
        {
          series: 'node_memory_SwapTotal_bytes{service="host",instance="host-1"}',
          good: 4e9,
          bad: 4e9,
        },
      ],
      value: { good: 0.25, bad: 0.875 },
      labels: { service: 'host', instance: 'host-1' },
      silent: [
        { series: 'node_memory_SwapFree_bytes{service="host",instance="host-1"}', value: 0 },
        { series: 'node_memory_SwapTotal_bytes{service="host",instance="host-1"}', value: 0 },
      ],
    },
  },
];
