import type { Registry } from '@canopy/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { setupTracing, type Tracing, type TracingOptions } from '@canopy/telemetry/tracing';

/** Tracing settings of a reference service (its name and registry are filled in). */
export type ServiceTracingOptions = Omit<TracingOptions, 'service' | 'registry'>;

/**
 * Sets up a service's tracing: its spans' `service.name`, the span counters on its
 * registry, and the tracer to hand to its actors — `undefined` when tracing is off, so
 * every traced path is skipped from the start.
 *
 * @example const { tracing, tracer } = serviceTracing('relay', registry, o.tracing);
 */
export function serviceTracing(
  service: string,
  registry: Registry,
  o: ServiceTracingOptions | undefined,
): { tracing: Tracing; tracer: Tracer | undefined } {
  // Active spans put trace ids on log lines; CANOPY_TRACE_ACTIVE_SPANS=off leaves them out.
  const tracing = setupTracing({
    activeSpans: process.env.CANOPY_TRACE_ACTIVE_SPANS !== 'off',
    ...o,
    service,
    registry,
  });
  return { tracing, tracer: tracing.enabled ? tracing.tracer : undefined };
}
