import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Meter } from '@opentelemetry/api';

/**
 * A pull reader that does nothing on its own: it makes the SDK keep real aggregation
 * storage (with no reader at all, `add` and `record` would have nowhere to write) and lets
 * the render case collect on demand, as the Prometheus exporter does on a scrape.
 */
export class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A meter backed by its own provider and {@link PullReader}. */
export function otelMeter(name: string): { meter: Meter; reader: PullReader } {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter(name), reader };
}
