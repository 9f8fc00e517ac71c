/**
 * The numbers on each overview card that say "overwhelmed or not". Which metrics matter is
 * a choice, kept here as data; the queries come from the catalog's types like every panel.
 */
import type { Headline, ValueUnit } from './types.js';
import type { MetricShape } from './panels.js';

/** How a headline reduces a metric over the service's instances. */
export type HeadlineStat = 'sum' | 'max' | 'min' | 'rate' | 'p99';

/** One headline: a metric, its reduction and its title. */
export interface HeadlineSpec {
  readonly metric: string;
  readonly stat: HeadlineStat;
  readonly title: string;
}

/** Headlines per service card. */
export const HEADLINES: Readonly<Record<string, readonly HeadlineSpec[]>> = {
  relay: [
    { metric: 'relay_peers_connected', stat: 'sum', title: 'peers connected' },
    { metric: 'relay_gossip_messages_total', stat: 'rate', title: 'gossip messages' },
  ],
  replay: [
    { metric: 'replay_sync_queue_depth', stat: 'sum', title: 'sync queue' },
    { metric: 'replay_head_event_age_seconds', stat: 'max', title: 'sync lag' },
  ],
  storage: [
    { metric: 'storage_write_duration_seconds', stat: 'p99', title: 'write p99' },
    { metric: 'storage_db_size_bytes', stat: 'sum', title: 'database size' },
  ],
  host: [
    { metric: 'node_load1', stat: 'max', title: 'load (1m)' },
    { metric: 'node_memory_MemAvailable_bytes', stat: 'min', title: 'memory available' },
  ],
};

function unitOf(m: MetricShape, stat: HeadlineStat): ValueUnit {
  if (stat === 'rate') return m.unit === 'bytes' ? 'bytes_per_second' : 'per_second';
  if (m.unit === 'bytes') return 'bytes';
  if (m.unit === 'seconds') return 'seconds';
  return 'number';
}

/**
 * The instant query of a headline over one service's targets.
 *
 * @example headline(shapeOf(relay.gossipMessages), HEADLINES.relay![1]!, 'relay', 15).expr
 * // 'sum(rate(relay_gossip_messages_total{service="relay"}[1m]))'
 */
export function headline(
  m: MetricShape,
  h: HeadlineSpec,
  service: string,
  scrapeIntervalSeconds: number,
): Headline {
  const sel = (name: string) => `${name}{service="${service}"}`;
  // Four scrapes: a rate needs two samples, and a missed scrape must not blank it.
  const w = `${4 * scrapeIntervalSeconds}s`;
  let expr: string;
  switch (h.stat) {
    case 'rate':
      expr = `sum(rate(${sel(m.name)}[${w}]))`;
      break;
    case 'p99':
      expr = `histogram_quantile(0.99, sum by (le) (rate(${sel(`${m.name}_bucket`)}[${w}])))`;
      break;
    default:
      expr = `${h.stat}(${sel(m.name)})`;
  }
  return { title: h.title, expr, unit: unitOf(m, h.stat), metric: m.name };
}
