import type { ExemplarLabels, MetricSpec } from './spec.js';
import { createResolver, type LabelResolver } from './labels.js';
import { escapeLabelValue, formatValue, renderLabelBlock } from './format.js';
import { labelCombinations, maxSeries } from './validate.js';

/** Maximum length of an exemplar's label set in OpenMetrics (runes of names and values). */
const EXEMPLAR_MAX_RUNES = 128;
/** Valid exemplar label names; one invalid name would make Prometheus reject the whole scrape. */
const EXEMPLAR_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * What every metric shares: label resolution into a dense slot index, series creation
 * (label blocks rendered once, here) and the bookkeeping the exposition reads.
 */
export abstract class Metric<S extends MetricSpec = MetricSpec, H = unknown, L = unknown> {
  /** The spec this metric was made from. */
  readonly spec: S;
  /** Number of label combinations (dense slots). */
  readonly slots: number;
  /** The most series this metric can produce (see {@link maxSeries}). */
  readonly maxSeries: number;
  /** Label resolvers in declaration order. */
  readonly resolvers: readonly LabelResolver[];
  /** Slot indices of created series, in creation order. */
  protected readonly order: number[] = [];
  /** Creation time (seconds since the epoch) per slot, for `_created`. */
  protected readonly createdAt: Float64Array;
  /** Rendered `{...}` label block per created slot (without braces when empty). */
  protected readonly blocks: (string | undefined)[];
  private readonly handles: (H | undefined)[];
  private readonly names: readonly string[];
  private readonly cards: Int32Array;

  /**
   * Resolves a label set to its bound handle. Unknown values fold into `other`.
   *
   * @example const h = counter.labels({ direction: 'in' }); h.inc(42);
   */
  readonly labels: (...values: keyof L extends never ? [] | [L] : [L]) => H;

  constructor(spec: S) {
    this.spec = spec;
    const labelSpecs = spec.labels ?? {};
    this.names = Object.keys(labelSpecs);
    this.resolvers = this.names.map((n) => createResolver(n, labelSpecs[n]!));
    this.cards = Int32Array.from(this.resolvers.map((r) => r.cardinality));
    this.slots = labelCombinations(spec);
    this.maxSeries = maxSeries(spec);
    this.createdAt = new Float64Array(this.slots);
    this.blocks = new Array<string | undefined>(this.slots);
    this.handles = new Array<H | undefined>(this.slots);
    // Pick the lookup once: the common shapes skip the generic loop.
    const n = this.resolvers.length;
    if (n === 0) this.labels = () => this.handles[0] ?? this.create(0);
    else if (n === 1) {
      const r = this.resolvers[0]!;
      const k = this.names[0]!;
      this.labels = ((v: Record<string, unknown>) => {
        const i = r.index(v[k]);
        return this.handles[i] ?? this.create(i);
      }) as never;
    } else {
      this.labels = ((v: Record<string, unknown>) => {
        const rs = this.resolvers;
        const names = this.names;
        const cards = this.cards;
        let i = 0;
        for (let j = 0; j < rs.length; j++) i = i * cards[j]! + rs[j]!.index(v[names[j]!]);
        return this.handles[i] ?? this.create(i);
      }) as never;
    }
  }

  /** Metric name as given in the spec. */
  get name(): string {
    return this.spec.name;
  }

  /** Number of series created so far (label combinations that have been used). */
  get activeSeries(): number {
    return this.order.length;
  }

  /** Total inputs folded into `other`, over all labels. */
  get overflow(): number {
    let n = 0;
    for (const r of this.resolvers) n += r.overflow;
    return n;
  }

  /** Label pairs of a slot, in declaration order. */
  protected pairsOf(slot: number): Array<[string, string]> {
    const pairs: Array<[string, string]> = new Array(this.resolvers.length);
    let rest = slot;
    for (let j = this.resolvers.length - 1; j >= 0; j--) {
      const c = this.cards[j]!;
      pairs[j] = [this.names[j]!, this.resolvers[j]!.valueAt(rest % c)];
      rest = Math.floor(rest / c);
    }
    return pairs;
  }

  private create(slot: number): H {
    this.createdAt[slot] = Date.now() / 1000;
    this.blocks[slot] = renderLabelBlock(this.pairsOf(slot));
    this.order.push(slot);
    this.onCreate(slot);
    const h = this.makeHandle(slot);
    this.handles[slot] = h;
    return h;
  }

  /** Prepares per-series strings when a slot becomes a series. */
  protected abstract onCreate(slot: number): void;
  /** Builds the bound handle of a slot. */
  protected abstract makeHandle(slot: number): H;
  /** Appends this metric's samples (no HELP/TYPE) to `out`. */
  abstract renderSamples(openMetrics: boolean): string;
}

/**
 * Renders an exemplar suffix ` # {labels} value timestamp`, or `''` if it is too long or a
 * label name is not a valid Prometheus label name.
 */
export function renderExemplar(labels: ExemplarLabels, value: number, ts: number): string {
  let runes = 0;
  let s = ' # {';
  let first = true;
  for (const k in labels) {
    const v = labels[k]!;
    if (!EXEMPLAR_LABEL_NAME.test(k)) return '';
    runes += k.length + v.length;
    if (!first) s += ',';
    first = false;
    s += k + '="' + escapeLabelValue(v) + '"';
  }
  // `length` counts UTF-16 units, which overcounts astral characters (emoji): recount in
  // code points, as OpenMetrics does, before dropping a set that only looks too long.
  if (runes > EXEMPLAR_MAX_RUNES) {
    runes = 0;
    for (const k in labels) for (const _ of k + labels[k]!) runes++;
    if (runes > EXEMPLAR_MAX_RUNES) return '';
  }
  return s + '} ' + formatValue(value) + ' ' + formatValue(ts);
}
