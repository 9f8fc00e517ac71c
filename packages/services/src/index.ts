/**
 * The reference services of the sync network — relay, replay, storage — with the actor
 * runtime they share and a load generator with fault injection.
 */
export {
  ActorSystem,
  Actor,
  ActorStoppedError,
  type ActorType,
  type ActorOptions,
  type Handler,
  type TraceCarrier,
} from './actors/actor.js';
export { newIdentity, identityFromPem, type Identity } from './protocol/keys.js';
export { signEvent, checkEvent, eventId, type SignedEvent } from './protocol/event.js';
export { parseFrame, type Frame, MAX_FRAME } from './protocol/frames.js';
export { connectPeer, type PeerConnection, type PeerOptions } from './protocol/client.js';
export { FAULTS, Faults, type FaultName } from './common/faults.js';
export { parseHostPort } from './common/http.js';
export { createLogger } from './common/log.js';
export type { RunningService } from './common/service.js';
export { startRelay, type RelayOptions } from './relay/relay.js';
export {
  createRelayCore,
  type RelayCore,
  type RelayCoreOptions,
  type RelaySession,
  type RelaySocket,
} from './relay/core.js';
export { relayMetrics, type RelayMetrics } from './relay/metrics.js';
export { startReplay, type ReplayOptions } from './replay/replay.js';
export { startStorage, type StorageOptions } from './storage/index.js';
export { runLoad, formatProgress, type LoadOptions, type LoadProgress } from './load/load.js';
export { parseFault, switchFault, type FaultStep } from './load/schedule.js';
