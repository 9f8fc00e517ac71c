import type { CounterSpec, GaugeSpec, HistogramSpec } from '@canopy/telemetry';
import { DIAL_BUCKETS } from './buckets.js';

/** Why a peer's connection ended. */
export const DISCONNECT_REASONS = [
  'client_close',
  'timeout',
  'slow_consumer',
  'rate_limited',
  'protocol_error',
  'server_shutdown',
  'error',
] as const;

/** Why a dial to another relay failed. */
export const DIAL_FAILURE_REASONS = ['refused', 'timeout', 'handshake', 'dns', 'closed'] as const;

/** Outcome of a WebSocket upgrade and hello. */
export const UPGRADE_RESULTS = [
  'success',
  'bad_hello',
  'bad_signature',
  'rejected',
  'error',
] as const;

const direction = { kind: 'enum', values: ['in', 'out'] } as const;

/** The relay's metrics: peers, churn, traffic, gossip and dials. */
export const relay = {
  peersConnected: {
    type: 'gauge',
    name: 'relay_peers_connected',
    help: 'Peers currently connected to this relay.',
    maxSeries: 1,
  },
  peerConnects: {
    type: 'counter',
    name: 'relay_peer_connects_total',
    help: 'Peers that completed the hello and joined.',
    maxSeries: 2,
  },
  peerDisconnects: {
    type: 'counter',
    name: 'relay_peer_disconnects_total',
    help: 'Peers that left, by reason (churn).',
    labels: { reason: { kind: 'enum', values: DISCONNECT_REASONS } },
    maxSeries: 16,
  },
  bytes: {
    type: 'counter',
    name: 'relay_bytes_total',
    help: 'WebSocket payload bytes, by direction.',
    unit: 'bytes',
    labels: { direction },
    maxSeries: 6,
  },
  gossipMessages: {
    type: 'counter',
    name: 'relay_gossip_messages_total',
    help: 'Gossip messages received from and sent to peers.',
    labels: { direction },
    maxSeries: 6,
  },
  dialDuration: {
    type: 'histogram',
    name: 'relay_dial_duration_seconds',
    help: 'Time to dial another relay and complete the hello.',
    unit: 'seconds',
    buckets: DIAL_BUCKETS,
    exemplars: true,
    maxSeries: 15,
  },
  dialFailures: {
    type: 'counter',
    name: 'relay_dial_failures_total',
    help: 'Failed dials to other relays, by reason.',
    labels: { reason: { kind: 'enum', values: DIAL_FAILURE_REASONS } },
    maxSeries: 12,
  },
  wsUpgrades: {
    type: 'counter',
    name: 'relay_ws_upgrades_total',
    help: 'WebSocket upgrades and hellos, by result.',
    labels: { result: { kind: 'enum', values: UPGRADE_RESULTS } },
    maxSeries: 12,
  },
} as const satisfies Record<string, CounterSpec | GaugeSpec | HistogramSpec>;
