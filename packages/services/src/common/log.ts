import { scrubberFromEnv, type Scrubber } from '@canopy/telemetry';
import { createLogger as createCanopyLogger, type Logger } from '@canopy/telemetry/logger';

/**
 * A service logger: pino JSON lines on stdout with `service`, `level`, `msg` and the active
 * span's `trace_id`/`span_id`, every line through the P2P-aware scrubber.
 */
export type { Logger };

let shared: Scrubber | undefined;

/**
 * Creates the logger of a service. Level from `CANOPY_LOG_LEVEL` (default `info`), scrubbing
 * mode from `CANOPY_SCRUB_MODE` (default `redact`). Peer keys, addresses and content ids in
 * messages or fields come out as `<peer>`, `<ip>`, `<cid>`…; still prefer logging counts
 * and reasons.
 *
 * @example const log = createLogger('relay'); log.info({ peers: 3 }, 'listening');
 */
export function createLogger(
  service: string,
  level = process.env.CANOPY_LOG_LEVEL ?? 'info',
): Logger {
  shared ??= scrubberFromEnv(process.env);
  return createCanopyLogger({ service, level, scrub: shared });
}
