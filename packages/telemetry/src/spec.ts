/**
 * Metric specifications: plain data that describes a metric before it exists.
 *
 * The catalog is written in these types, so it can be read by the hub, the stack
 * generators and the budget check without loading any runtime code.
 */

/** A label whose values are a closed set of strings; anything else folds into `other`. */
export interface EnumLabelSpec {
  readonly kind: 'enum';
  /** The allowed values. `other` is always added as the fold-in value. */
  readonly values: readonly string[];
}

/**
 * A label whose value is a number mapped to the smallest upper bound that holds it
 * (`"+Inf"` above the last bound). Non-numbers fold into `other`.
 */
export interface BucketLabelSpec {
  readonly kind: 'buckets';
  /** Strictly increasing, finite upper bounds. */
  readonly bounds: readonly number[];
}

/**
 * A label for the rare case of an open vocabulary (e.g. namespace names): the first `k`
 * distinct values seen keep their own series for the life of the process, all later
 * values fold into `other`. Values must match `pattern` (default: lowercase words),
 * so identifiers such as peer IDs or addresses cannot slip in.
 */
export interface TopKLabelSpec {
  readonly kind: 'topk';
  /** How many distinct values may have their own series. */
  readonly k: number;
  /** A regular expression (source) every admitted value must match in full. */
  readonly pattern?: string;
}

/** Any label specification. */
export type LabelSpec = EnumLabelSpec | BucketLabelSpec | TopKLabelSpec;

/** Base units accepted in metric names (Prometheus conventions). */
export type Unit =
  'seconds' | 'bytes' | 'ratio' | 'celsius' | 'meters' | 'volts' | 'amperes' | 'joules' | 'grams';

interface BaseSpec {
  /** Prometheus metric name; counters end in `_total`, unit-bearing names end in the unit. */
  readonly name: string;
  /** One line of help text. */
  readonly help: string;
  /** Base unit; the name must end with it (before `_total` for counters). */
  readonly unit?: Unit;
  /** Labels by name, each with a finite value set. Order here is the order in the output. */
  readonly labels?: Readonly<Record<string, LabelSpec>>;
  /** Upper bound on this metric's series; definition fails if the labels allow more. Default 1000. */
  readonly maxSeries?: number;
}

/** A monotonically increasing counter. */
export interface CounterSpec extends BaseSpec {
  readonly type: 'counter';
  /** Keep the latest exemplar per series (shown in OpenMetrics). Default false. */
  readonly exemplars?: boolean;
}

/** A value that goes up and down. */
export interface GaugeSpec extends BaseSpec {
  readonly type: 'gauge';
}

/** A histogram with fixed upper bounds (`le`). */
export interface HistogramSpec extends BaseSpec {
  readonly type: 'histogram';
  /** Strictly increasing finite bucket bounds; `+Inf` is implicit. */
  readonly buckets: readonly number[];
  /** Keep the latest exemplar per bucket (shown in OpenMetrics). Default false. */
  readonly exemplars?: boolean;
}

/** Any metric specification. */
export type MetricSpec = CounterSpec | GaugeSpec | HistogramSpec;

type ValueOf<L> = L extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
  ? V
  : L extends { readonly kind: 'buckets' }
    ? number
    : string;

/**
 * The label object a spec accepts: enum labels take their declared literals, bucket labels
 * a number, top-K labels a string.
 */
export type LabelValues<S extends MetricSpec> = S extends {
  readonly labels: infer Ls extends Readonly<Record<string, LabelSpec>>;
}
  ? { readonly [K in keyof Ls]: ValueOf<Ls[K]> }
  : Record<never, never>;

/** Exemplar labels, e.g. `{ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }`. */
export type ExemplarLabels = Readonly<Record<string, string>>;
