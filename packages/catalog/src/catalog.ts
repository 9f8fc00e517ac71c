import type { MetricSpec } from '@canopy/telemetry';
import { relay } from './relay.js';
import { replay } from './replay.js';
import { storage } from './storage.js';
import { actors } from './actors.js';
import { processMetrics } from './process.js';
import { tracingMetrics } from './tracing.js';

/** The services Canopy knows, each a separate process with its own /metrics. */
export const SERVICES = ['relay', 'replay', 'storage'] as const;
/** A service name. */
export type ServiceName = (typeof SERVICES)[number];

/** Metric groups of the catalog, by the part of the system they describe. */
export const groups = {
  relay: Object.values(relay),
  replay: Object.values(replay),
  storage: Object.values(storage),
  actors: Object.values(actors),
  process: Object.values(processMetrics),
  tracing: Object.values(tracingMetrics),
} as const satisfies Record<string, readonly MetricSpec[]>;

/** A catalog group name. */
export type GroupName = keyof typeof groups;

/** Which groups each service exposes on its /metrics. */
export const serviceGroups: Readonly<Record<ServiceName, readonly GroupName[]>> = {
  relay: ['relay', 'actors', 'process', 'tracing'],
  replay: ['replay', 'actors', 'process', 'tracing'],
  storage: ['storage', 'actors', 'process', 'tracing'],
};

/**
 * Every metric spec a service registers, in exposition order.
 *
 * @example serviceMetrics('relay').map((m) => m.name) // ['relay_peers_connected', ...]
 */
export function serviceMetrics(service: ServiceName): readonly MetricSpec[] {
  const out: MetricSpec[] = [];
  for (const g of serviceGroups[service]) out.push(...groups[g]);
  return out;
}

/** Every distinct metric spec in the catalog, each once. */
export function allMetrics(): readonly MetricSpec[] {
  const out: MetricSpec[] = [];
  for (const g of Object.keys(groups) as GroupName[]) out.push(...groups[g]);
  return out;
}
