import type { CounterSpec, ExemplarLabels, LabelValues } from './spec.js';
import { Metric, renderExemplar } from './metric.js';
import { formatValue, joinFlat } from './format.js';

/** A bound counter series: `inc` touches one slot of a typed array. */
export interface CounterHandle {
  /**
   * Adds `n` (default 1). Negative or NaN amounts are ignored: counters only go up.
   * On a counter declared with `exemplars: true`, an exemplar may be attached.
   */
  inc(n?: number, exemplar?: ExemplarLabels): void;
  /** The current value. */
  get(): number;
}

class PlainCounterHandle implements CounterHandle {
  constructor(
    private readonly v: Float64Array,
    private readonly i: number,
  ) {}
  inc(n = 1): void {
    if (n >= 0) this.v[this.i]! += n;
  }
  get(): number {
    return this.v[this.i]!;
  }
}

class ExemplarCounterHandle implements CounterHandle {
  constructor(
    private readonly c: Counter<CounterSpec>,
    private readonly v: Float64Array,
    private readonly i: number,
  ) {}
  inc(n = 1, exemplar?: ExemplarLabels): void {
    if (!(n >= 0)) return;
    this.v[this.i]! += n;
    if (exemplar !== undefined) this.c.setExemplar(this.i, exemplar, n);
  }
  get(): number {
    return this.v[this.i]!;
  }
}

/**
 * A counter family. Create with {@link Registry.counter}; resolve a series with `labels()`.
 *
 * @example
 * const c = registry.counter({ type: 'counter', name: 'relay_bytes_total', help: 'Bytes.',
 *   unit: 'bytes', labels: { direction: { kind: 'enum', values: ['in', 'out'] } } });
 * const bytesIn = c.labels({ direction: 'in' }); bytesIn.inc(512);
 */
export class Counter<S extends CounterSpec = CounterSpec> extends Metric<
  S,
  CounterHandle,
  LabelValues<S>
> {
  /** Value per slot. */
  readonly values: Float64Array;
  private readonly exemplars: (string | undefined)[] | undefined;
  private prefixes: string[] = [];
  private createdPrefixes: string[] = [];

  constructor(spec: S) {
    super(spec);
    this.values = new Float64Array(this.slots);
    this.exemplars = spec.exemplars === true ? new Array(this.slots) : undefined;
  }

  /** @internal Stores the latest exemplar of a slot (rendered now, off the plain path). */
  setExemplar(slot: number, labels: ExemplarLabels, value: number): void {
    const s = renderExemplar(labels, value, Date.now() / 1000);
    if (s !== '' && this.exemplars !== undefined) this.exemplars[slot] = s;
  }

  /** @internal Sets a slot's value, for collectors that mirror an external counter. */
  setRaw(slot: number, v: number): void {
    this.values[slot] = v;
  }

  protected onCreate(slot: number): void {
    const b = this.blocks[slot]!;
    this.prefixes[slot] = joinFlat(this.spec.name, b, ' ');
    this.createdPrefixes[slot] = joinFlat(
      this.spec.name.slice(0, -'_total'.length),
      '_created',
      b,
      ' ',
    );
  }

  protected makeHandle(slot: number): CounterHandle {
    return this.exemplars !== undefined
      ? new ExemplarCounterHandle(this as unknown as Counter<CounterSpec>, this.values, slot)
      : new PlainCounterHandle(this.values, slot);
  }

  renderSamples(om: boolean): string {
    let s = '';
    const order = this.order;
    const v = this.values;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      s += this.prefixes[i]! + formatValue(v[i]!);
      if (om) {
        const ex = this.exemplars?.[i];
        if (ex !== undefined) s += ex;
        s += '\n' + this.createdPrefixes[i]! + formatValue(this.createdAt[i]!);
      }
      s += '\n';
    }
    return s;
  }
}
