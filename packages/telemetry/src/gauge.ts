import type { GaugeSpec, LabelValues } from './spec.js';
import { Metric } from './metric.js';
import { formatValue, joinFlat } from './format.js';

/** A bound gauge series. */
export interface GaugeHandle {
  /** Sets the value. */
  set(v: number): void;
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  /** The current value. */
  get(): number;
}

class PlainGaugeHandle implements GaugeHandle {
  constructor(
    private readonly v: Float64Array,
    private readonly i: number,
  ) {}
  set(x: number): void {
    this.v[this.i] = x;
  }
  inc(n = 1): void {
    this.v[this.i]! += n;
  }
  dec(n = 1): void {
    this.v[this.i]! -= n;
  }
  get(): number {
    return this.v[this.i]!;
  }
}

/**
 * A gauge family. Create with {@link Registry.gauge}.
 *
 * @example
 * const g = registry.gauge({ type: 'gauge', name: 'relay_peers_connected', help: 'Peers.' });
 * g.labels().set(12);
 */
export class Gauge<S extends GaugeSpec = GaugeSpec> extends Metric<S, GaugeHandle, LabelValues<S>> {
  /** Value per slot. */
  readonly values: Float64Array;
  private prefixes: string[] = [];

  constructor(spec: S) {
    super(spec);
    this.values = new Float64Array(this.slots);
  }

  protected onCreate(slot: number): void {
    this.prefixes[slot] = joinFlat(this.spec.name, this.blocks[slot]!, ' ');
  }

  protected makeHandle(slot: number): GaugeHandle {
    return new PlainGaugeHandle(this.values, slot);
  }

  renderSamples(): string {
    let s = '';
    const order = this.order;
    const v = this.values;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      s += this.prefixes[i]! + formatValue(v[i]!) + '\n';
    }
    return s;
  }
}
