/**
 * The scrubber a process gets from its environment: `CANOPY_SCRUB_MODE` picks the mode.
 * @module
 */
import { createScrubber, type Scrubber } from './scrubber.js';

/** The environment variable that picks the mode. */
export const SCRUB_MODE_ENV = 'CANOPY_SCRUB_MODE';

/**
 * A scrubber in the mode `CANOPY_SCRUB_MODE` names: `redact` (default) or `pseudonym`
 * (keyed HMAC tags, key in memory only, rotated daily). Anything else throws, saying what
 * to set.
 *
 * @example scrubberFromEnv(process.env).string('dial 10.1.2.3') // 'dial <ip>'
 */
export function scrubberFromEnv(env: Readonly<Record<string, string | undefined>>): Scrubber {
  const raw = env[SCRUB_MODE_ENV];
  const mode = raw === undefined || raw === '' ? 'redact' : raw;
  if (mode !== 'redact' && mode !== 'pseudonym')
    throw new Error(
      `${SCRUB_MODE_ENV}=${raw}: expected 'redact' or 'pseudonym' (see docs/privacy.md); ` +
        `unset it for the default (redact)`,
    );
  return createScrubber({ mode });
}
