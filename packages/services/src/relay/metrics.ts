import type { Registry } from '@canopy/telemetry';
import { relay } from '@canopy/catalog';

/** The relay's catalog metrics, registered once and bound where the label set is fixed. */
export function relayMetrics(registry: Registry) {
  const bytes = registry.counter(relay.bytes);
  const gossip = registry.counter(relay.gossipMessages);
  return {
    peers: registry.gauge(relay.peersConnected).labels(),
    connects: registry.counter(relay.peerConnects).labels(),
    disconnects: registry.counter(relay.peerDisconnects),
    bytesIn: bytes.labels({ direction: 'in' }),
    bytesOut: bytes.labels({ direction: 'out' }),
    gossipIn: gossip.labels({ direction: 'in' }),
    gossipOut: gossip.labels({ direction: 'out' }),
    dialDuration: registry.histogram(relay.dialDuration).labels(),
    dialFailures: registry.counter(relay.dialFailures),
    upgrades: registry.counter(relay.wsUpgrades),
  };
}

/** The relay's metric handles. */
export type RelayMetrics = ReturnType<typeof relayMetrics>;
