import type { ExemplarLabels, HistogramSpec, LabelValues } from './spec.js';
import { Metric, renderExemplar } from './metric.js';
import { formatValue, joinFlat } from './format.js';

/** A bound histogram series: `observe` bumps one bucket and the sum. */
export interface HistogramHandle {
  /**
   * Records one observation. On a histogram declared with `exemplars: true`, an exemplar
   * (e.g. `{ trace_id }`) may be attached; it is kept as the latest of its bucket.
   */
  observe(v: number, exemplar?: ExemplarLabels): void;
  /**
   * Starts a timer; calling the returned function observes the elapsed seconds and
   * returns them.
   *
   * @example const done = h.startTimer(); await write(); done();
   */
  startTimer(): () => number;
}

function timer(h: HistogramHandle): () => number {
  const t0 = process.hrtime.bigint();
  return () => {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    h.observe(s);
    return s;
  };
}

class PlainHistogramHandle implements HistogramHandle {
  constructor(
    private readonly d: Float64Array,
    private readonly bounds: Float64Array,
    private readonly base: number,
  ) {}
  observe(v: number): void {
    const b = this.bounds;
    const n = b.length;
    let i = 0;
    // `!(v <= bound)`, not `v > bound`: NaN is not ≤ any bound, so it lands in +Inf only.
    while (i < n && !(v <= b[i]!)) i++;
    const d = this.d;
    const base = this.base;
    d[base + i]!++;
    d[base + n + 1]! += v;
  }
  startTimer(): () => number {
    return timer(this);
  }
}

class ExemplarHistogramHandle implements HistogramHandle {
  constructor(
    private readonly h: Histogram<HistogramSpec>,
    private readonly d: Float64Array,
    private readonly bounds: Float64Array,
    private readonly slot: number,
    private readonly base: number,
  ) {}
  observe(v: number, exemplar?: ExemplarLabels): void {
    const b = this.bounds;
    const n = b.length;
    let i = 0;
    // `!(v <= bound)`, not `v > bound`: NaN is not ≤ any bound, so it lands in +Inf only.
    while (i < n && !(v <= b[i]!)) i++;
    const d = this.d;
    d[this.base + i]!++;
    d[this.base + n + 1]! += v;
    if (exemplar !== undefined) this.h.setExemplar(this.slot, i, exemplar, v);
  }
  startTimer(): () => number {
    return timer(this);
  }
}

/**
 * A histogram family with fixed buckets. Create with {@link Registry.histogram}.
 *
 * @example
 * const h = registry.histogram({ type: 'histogram', name: 'storage_write_duration_seconds',
 *   help: 'Write latency.', unit: 'seconds', buckets: [0.01, 0.1, 1] });
 * h.labels().observe(0.004);
 */
export class Histogram<S extends HistogramSpec = HistogramSpec> extends Metric<
  S,
  HistogramHandle,
  LabelValues<S>
> {
  /** Per slot: one non-cumulative count per bucket (then `+Inf`), then the sum. */
  readonly data: Float64Array;
  /** The finite bucket bounds. */
  readonly bounds: Float64Array;
  /** Numbers per slot in {@link Histogram.data}. */
  readonly stride: number;
  private readonly exemplars: (string | undefined)[] | undefined;
  private bucketPrefixes: string[][] = [];
  private sumPrefixes: string[] = [];
  private countPrefixes: string[] = [];
  private createdPrefixes: string[] = [];
  private readonly leValues: string[];

  constructor(spec: S) {
    super(spec);
    this.bounds = Float64Array.from(spec.buckets);
    this.stride = spec.buckets.length + 2;
    this.data = new Float64Array(this.slots * this.stride);
    this.leValues = [...spec.buckets.map(formatValue), '+Inf'];
    this.exemplars =
      spec.exemplars === true ? new Array(this.slots * (spec.buckets.length + 1)) : undefined;
  }

  /** @internal Stores the latest exemplar of a bucket. */
  setExemplar(slot: number, bucket: number, labels: ExemplarLabels, value: number): void {
    const s = renderExemplar(labels, value, Date.now() / 1000);
    if (s !== '' && this.exemplars !== undefined)
      this.exemplars[slot * (this.bounds.length + 1) + bucket] = s;
  }

  protected onCreate(slot: number): void {
    const b = this.blocks[slot]!;
    const name = this.spec.name;
    const inner = b === '' ? '{' : b.slice(0, -1) + ',';
    this.bucketPrefixes[slot] = this.leValues.map((le) =>
      joinFlat(name, '_bucket', inner, 'le="', le, '"} '),
    );
    this.sumPrefixes[slot] = joinFlat(name, '_sum', b, ' ');
    this.countPrefixes[slot] = joinFlat(name, '_count', b, ' ');
    this.createdPrefixes[slot] = joinFlat(name, '_created', b, ' ');
  }

  protected makeHandle(slot: number): HistogramHandle {
    const base = slot * this.stride;
    return this.exemplars !== undefined
      ? new ExemplarHistogramHandle(
          this as unknown as Histogram<HistogramSpec>,
          this.data,
          this.bounds,
          slot,
          base,
        )
      : new PlainHistogramHandle(this.data, this.bounds, base);
  }

  renderSamples(om: boolean): string {
    let s = '';
    const d = this.data;
    const nb = this.bounds.length + 1;
    const ex = om ? this.exemplars : undefined;
    for (let k = 0; k < this.order.length; k++) {
      const slot = this.order[k]!;
      const base = slot * this.stride;
      const bp = this.bucketPrefixes[slot]!;
      let cum = 0;
      for (let j = 0; j < nb; j++) {
        cum += d[base + j]!;
        s += bp[j]! + formatValue(cum);
        if (ex !== undefined) {
          const e = ex[slot * nb + j];
          if (e !== undefined) s += e;
        }
        s += '\n';
      }
      s += this.sumPrefixes[slot]! + formatValue(d[base + nb]!) + '\n';
      s += this.countPrefixes[slot]! + formatValue(cum) + '\n';
      if (om) s += this.createdPrefixes[slot]! + formatValue(this.createdAt[slot]!) + '\n';
    }
    return s;
  }
}
