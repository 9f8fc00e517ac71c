import { pino, type Logger } from 'pino';

/** A service logger: pino JSON lines on stdout with `service`, `level` and `msg`. */
export type { Logger };

/**
 * Creates the logger of a service. Level from `CANOPY_LOG_LEVEL` (default `info`).
 * Never pass peer keys, addresses or event ids as fields: log counts and reasons.
 *
 * @example const log = createLogger('relay'); log.info({ peers: 3 }, 'listening');
 */
export function createLogger(
  service: string,
  level = process.env.CANOPY_LOG_LEVEL ?? 'info',
): Logger {
  return pino({
    level,
    base: { service },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
